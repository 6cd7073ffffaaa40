"""The vetting state machine: every move allowed and refused, matching, the knock-out rule."""

import itertools

import pytest

from matcher.accounts.models import Role
from matcher.employers.scoring import ChecklistScore, Outcome
from matcher.employers.states import (
    TRANSITIONS,
    Actor,
    VettingStatus,
    allowed_targets,
    check_decision,
    check_transition,
    may_be_matched,
)
from matcher.errors import InvalidTransition

S = VettingStatus
E, M, J = Actor.EMPLOYER, Actor.MEDIATOR, Actor.SCHEDULER

ALLOWED = [
    (S.PENDING, S.SUBMITTED, E),
    (S.NEEDS_INFORMATION, S.SUBMITTED, E),
    (S.SUBMITTED, S.APPROVED, M),
    (S.SUBMITTED, S.APPROVED_WITH_CONDITIONS, M),
    (S.SUBMITTED, S.NEEDS_INFORMATION, M),
    (S.SUBMITTED, S.REJECTED, M),
    (S.APPROVED, S.SUSPENDED, M),
    (S.APPROVED_WITH_CONDITIONS, S.SUSPENDED, M),
    (S.APPROVED_WITH_CONDITIONS, S.SUSPENDED, J),
    (S.APPROVED_WITH_CONDITIONS, S.APPROVED, M),
    (S.APPROVED, S.APPROVED_WITH_CONDITIONS, M),
    (S.APPROVED, S.APPROVED_WITH_CONDITIONS, J),
    (S.SUSPENDED, S.APPROVED, M),
    (S.SUSPENDED, S.APPROVED_WITH_CONDITIONS, M),
    (S.SUSPENDED, S.REJECTED, M),
    (S.APPROVED, S.EXPIRED, J),
    (S.APPROVED_WITH_CONDITIONS, S.EXPIRED, J),
    (S.REJECTED, S.PENDING, E),
    (S.EXPIRED, S.PENDING, E),
]

REFUSED = [
    (current, target, actor)
    for current, target, actor in itertools.product(S, S, Actor)
    if (current, target, actor) not in ALLOWED
]


def test_the_table_is_exactly_the_allowed_list():
    table = {(c, t, a) for (c, t), actors in TRANSITIONS.items() for a in actors}
    assert table == set(ALLOWED)


@pytest.mark.parametrize(("current", "target", "actor"), ALLOWED)
def test_allowed_transition(current, target, actor):
    check_transition(current, target, actor)
    assert target in allowed_targets(current, actor)


@pytest.mark.parametrize(("current", "target", "actor"), REFUSED)
def test_refused_transition(current, target, actor):
    with pytest.raises(InvalidTransition, match=f"from {current} to {target}"):
        check_transition(current, target, actor)


def test_refusal_names_who_may_make_the_move():
    with pytest.raises(InvalidTransition, match=r"Only the mediator may .* not the employer"):
        check_transition(S.SUBMITTED, S.APPROVED, Actor.EMPLOYER)
    with pytest.raises(InvalidTransition, match="cannot move from rejected to approved"):
        check_transition(S.REJECTED, S.APPROVED, Actor.MEDIATOR)


def test_account_roles_are_accepted_as_actors():
    check_transition(S.PENDING, S.SUBMITTED, Role.EMPLOYER)
    check_transition(S.SUBMITTED, S.APPROVED, Role.MEDIATOR)
    with pytest.raises(InvalidTransition):
        check_transition(S.SUBMITTED, S.APPROVED, Role.COACH)


@pytest.mark.parametrize("status", list(S))
def test_only_approved_employers_may_be_matched(status):
    expected = status in (S.APPROVED, S.APPROVED_WITH_CONDITIONS)
    assert may_be_matched(status) is expected


def _score(knock_outs=(), missing_knock_outs=(), outcome=Outcome.APPROVED) -> ChecklistScore:
    return ChecklistScore(
        checklist_version="1",
        knock_outs=tuple(knock_outs),
        missing=tuple(missing_knock_outs),
        missing_knock_outs=tuple(missing_knock_outs),
        failed=(),
        serious_failures=(),
        score=100.0,
        outcome=outcome,
    )


@pytest.mark.parametrize("target", [S.APPROVED, S.APPROVED_WITH_CONDITIONS])
def test_a_knock_out_can_never_be_approved(target):
    score = _score(knock_outs=["FE-07"], outcome=Outcome.REJECTED)
    with pytest.raises(InvalidTransition, match=r"knock-out \(FE-07\) can never be approved"):
        check_decision(target, score)


@pytest.mark.parametrize("target", [S.APPROVED, S.APPROVED_WITH_CONDITIONS])
def test_unanswered_knock_outs_cannot_be_approved(target):
    score = _score(missing_knock_outs=["FE-17"], outcome=Outcome.INCOMPLETE)
    with pytest.raises(InvalidTransition, match="FE-17"):
        check_decision(target, score)


@pytest.mark.parametrize("target", [S.REJECTED, S.NEEDS_INFORMATION, S.SUSPENDED])
def test_a_knock_out_may_still_be_rejected_or_sent_back(target):
    check_decision(target, _score(knock_outs=["FE-07"], outcome=Outcome.REJECTED))


def test_a_clean_submission_may_be_approved():
    check_decision(S.APPROVED, _score())


def test_an_unknown_status_is_refused_as_a_transition():
    with pytest.raises(InvalidTransition, match="from approved to deleted"):
        check_transition(S.APPROVED, "deleted", Actor.MEDIATOR)


@pytest.mark.parametrize("target", [S.APPROVED, S.APPROVED_WITH_CONDITIONS])
def test_a_score_below_the_minimum_can_never_be_approved(target):
    with pytest.raises(InvalidTransition, match="below the minimum for an approval"):
        check_decision(target, _score(outcome=Outcome.REJECTED))


def test_a_score_that_calls_for_conditions_is_approved_only_with_conditions():
    score = _score(outcome=Outcome.APPROVED_WITH_CONDITIONS)
    with pytest.raises(InvalidTransition, match="Only an approval with conditions is possible"):
        check_decision(S.APPROVED, score)
    check_decision(S.APPROVED_WITH_CONDITIONS, score)


def test_a_clean_pass_may_still_get_conditions():
    check_decision(S.APPROVED_WITH_CONDITIONS, _score())
