"""Placement follow-up (interview → hired or not → still working at 3 and 6 months) and the
coach's view of a client's proposals with their next steps."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from matcher.audit.models import AuditEvent
from matcher.errors import Forbidden, InvalidTransition, NotFound, ValidationError
from matcher.matching.cards import card_reference, invite_to_interview
from matcher.matching.models import NotHiredReason, PlacementStage, ProposalStatus
from matcher.matching.placements import (
    Due,
    add_months,
    get_placement,
    list_client_proposals,
    list_placements,
    record_interview_outcome,
    record_still_working,
)
from tests.factories import make_user
from tests.matcher.matching.placement_builders import make_shared_match
from tests.matcher.skills.esco_sample import add_concepts

TODAY = date(2026, 11, 27)
START = date(2026, 12, 1)


@pytest.fixture(autouse=True)
def esco(session):
    add_concepts(session)


@pytest.fixture
def match(session):
    return make_shared_match(session)


@pytest.fixture
def placement(session, match):
    return invite_to_interview(session, match.employer_user, match.proposal.id,
                               interview_on=TODAY + timedelta(days=3), today=TODAY)  # fmt: skip


@pytest.fixture
def hired(session, match, placement):
    return record_interview_outcome(session, match.coach, placement.id, hired=True,
                                    start_date=START)  # fmt: skip


def events(session, action):
    return session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 12, 1), 3, date(2027, 3, 1)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),
    ],
)
def test_months_are_counted_by_the_calendar(day, months, expected):
    assert add_months(day, months) == expected


def test_hired_needs_a_start_date(session, match, placement):
    with pytest.raises(ValidationError, match="starts work"):
        record_interview_outcome(session, match.coach, placement.id, hired=True)
    assert placement.stage == PlacementStage.INTERVIEW
    record_interview_outcome(session, match.coach, placement.id, hired=True, start_date=START)
    assert (placement.stage, placement.start_date) == (PlacementStage.HIRED, START)
    [event] = events(session, "record_interview_outcome")
    assert (event.actor_id, event.from_state, event.to_state) == (
        match.coach.id,
        "interview",
        "hired",
    )


def test_not_hired_needs_a_reason_and_another_reason_needs_words(session, match, placement):
    mediator = make_user(session, role="mediator")
    for reason, note in ((None, ""), ("nonsense", ""), (NotHiredReason.OTHER, " ")):
        with pytest.raises(ValidationError):
            record_interview_outcome(session, mediator, placement.id, hired=False, reason=reason,
                                     note=note)  # fmt: skip
    assert placement.stage == PlacementStage.INTERVIEW
    record_interview_outcome(session, mediator, placement.id, hired=False,
                             reason=NotHiredReason.CLIENT_DECLINED)  # fmt: skip
    assert (placement.stage, placement.not_hired_reason, placement.start_date) == (
        PlacementStage.NOT_HIRED,
        NotHiredReason.CLIENT_DECLINED,
        None,
    )


def test_the_outcome_is_recorded_once(session, match, hired):
    with pytest.raises(InvalidTransition, match="already been recorded"):
        record_interview_outcome(session, match.coach, hired.id, hired=False,
                                 reason=NotHiredReason.NOT_READY)  # fmt: skip
    assert hired.stage == PlacementStage.HIRED


def test_a_form_from_before_a_change_is_told(session, match, placement):
    version = placement.version_id
    record_interview_outcome(session, match.coach, placement.id, hired=True, start_date=START,
                             version=version)  # fmt: skip
    with pytest.raises(InvalidTransition, match="meanwhile"):
        record_interview_outcome(session, match.coach, placement.id, hired=True,
                                 start_date=START, version=version)  # fmt: skip


def test_the_3_month_check_waits_for_3_months_after_the_start(session, match, hired):
    with pytest.raises(ValidationError, match="from 2027-03-01"):
        record_still_working(session, match.coach, hired.id, months=3, working=True,
                             today=date(2027, 2, 28))  # fmt: skip
    assert hired.working_after_3_months is None
    record_still_working(session, match.coach, hired.id, months=3, working=True,
                         today=date(2027, 3, 1))  # fmt: skip
    assert hired.working_after_3_months is True
    assert hired.recorded_3_months_by_id == match.coach.id and hired.recorded_3_months_at
    [event] = events(session, "record_still_working")
    assert event.details == {"months": 3, "working": True}
    with pytest.raises(InvalidTransition, match="already been recorded"):
        record_still_working(session, match.coach, hired.id, months=3, working=False,
                             today=date(2027, 3, 2))  # fmt: skip


def test_the_6_month_check_comes_after_the_3_month_one(session, match, hired):
    late = date(2027, 7, 1)
    with pytest.raises(InvalidTransition, match="3-month check first"):
        record_still_working(session, match.coach, hired.id, months=6, working=True, today=late)
    record_still_working(session, match.coach, hired.id, months=3, working=True, today=late)
    with pytest.raises(ValidationError, match="from 2027-06-01"):
        record_still_working(session, match.coach, hired.id, months=6, working=True,
                             today=date(2027, 5, 31))  # fmt: skip
    mediator = make_user(session, role="mediator")
    record_still_working(session, mediator, hired.id, months=6, working=False, today=late)
    assert (hired.working_after_6_months, hired.recorded_6_months_by_id) == (False, mediator.id)


def test_no_6_month_check_once_the_client_stopped(session, match, hired):
    late = date(2027, 7, 1)
    record_still_working(session, match.coach, hired.id, months=3, working=False, today=late)
    with pytest.raises(InvalidTransition, match="no 6-month check"):
        record_still_working(session, match.coach, hired.id, months=6, working=True, today=late)


def test_only_a_hired_client_is_followed_up(session, match, placement):
    late = date(2028, 1, 1)
    with pytest.raises(InvalidTransition, match="hired"):
        record_still_working(session, match.coach, placement.id, months=3, working=True,
                             today=late)  # fmt: skip
    record_interview_outcome(session, match.coach, placement.id, hired=False,
                             reason=NotHiredReason.EMPLOYER_CHOSE_ANOTHER)  # fmt: skip
    with pytest.raises(InvalidTransition, match="hired"):
        record_still_working(session, match.coach, placement.id, months=3, working=True,
                             today=late)  # fmt: skip


def test_checks_are_at_3_and_6_months_only(session, match, hired):
    with pytest.raises(ValidationError, match="3 and at 6"):
        record_still_working(session, match.coach, hired.id, months=12, working=True,
                             today=date(2028, 1, 1))  # fmt: skip


def test_only_a_coach_of_the_clients_organisation_or_a_mediator_records(session, match, placement):
    stranger = make_user(session, role="coach")
    with pytest.raises(Forbidden):
        record_interview_outcome(session, stranger, placement.id, hired=True, start_date=START)
    with pytest.raises(Forbidden):
        record_interview_outcome(session, match.employer_user, placement.id, hired=True,
                                 start_date=START)  # fmt: skip
    with pytest.raises(NotFound):
        record_interview_outcome(session, match.coach, placement.id + 999, hired=True,
                                 start_date=START)  # fmt: skip
    assert placement.stage == PlacementStage.INTERVIEW


def test_the_list_says_what_is_due_next(session, match, hired):
    other = make_shared_match(session)
    interview = invite_to_interview(session, other.employer_user, other.proposal.id,
                                    interview_on=None, today=TODAY)  # fmt: skip
    mediator = make_user(session, role="mediator")

    rows = {row.id: row for row in list_placements(session, mediator, today=TODAY)}

    assert rows[hired.id].due == Due("check_3", date(2027, 3, 1), False)
    assert rows[hired.id].client_code == match.client.code
    assert rows[interview.id].due == Due("outcome", None, True)
    record_still_working(session, mediator, hired.id, months=3, working=True,
                         today=date(2027, 3, 1))  # fmt: skip
    [row] = list_placements(session, mediator, stage="hired", today=date(2027, 6, 1))
    assert row.due == Due("check_6", date(2027, 6, 1), True)
    assert [(c.months, c.working, c.recorded_by) for c in row.checks] == [(3, True, mediator.email)]
    record_still_working(session, mediator, hired.id, months=6, working=True,
                         today=date(2027, 6, 1))  # fmt: skip
    assert get_placement(session, mediator, hired.id).due is None


def test_a_coach_lists_only_the_own_organisations_placements(session, match, hired):
    other = make_shared_match(session)
    invite_to_interview(session, other.employer_user, other.proposal.id, interview_on=None,
                        today=TODAY)  # fmt: skip
    assert [row.id for row in list_placements(session, match.coach, today=TODAY)] == [hired.id]
    with pytest.raises(Forbidden):
        list_placements(session, match.employer_user)
    with pytest.raises(ValidationError):
        list_placements(session, match.coach, stage="nonsense")


def test_the_coach_sees_every_proposal_with_its_next_step(session):
    coach = make_user(session, role="coach")
    waiting = make_shared_match(session, coach=coach, status=ProposalStatus.PROPOSED)
    client = waiting.client

    def another(**fields):
        return make_shared_match(session, coach=coach, client=client, **fields)

    no_consent = another(status=ProposalStatus.WAITING_FOR_CONSENT, consent=False).proposal
    introduced = another().proposal
    invited_match, hired_match = another(), another()
    invited, hired = invited_match.proposal, hired_match.proposal
    declined = another(status=ProposalStatus.DECLINED, decline_reason="skills").proposal
    on = TODAY + timedelta(days=2)
    placement = invite_to_interview(session, invited_match.employer_user, invited.id,
                                    interview_on=on, today=TODAY)  # fmt: skip
    job = invite_to_interview(session, hired_match.employer_user, hired.id, interview_on=None,
                              today=TODAY)  # fmt: skip
    record_interview_outcome(session, coach, job.id, hired=True, start_date=START)

    entries = list_client_proposals(session, coach, client.id, lang="en", today=TODAY)

    steps = {e.proposal_id: (e.step.code, e.step.on) for e in entries}
    assert steps == {
        waiting.proposal.id: ("waiting_for_mediator", None),
        no_consent.id: ("waiting_for_consent", None),
        introduced.id: ("introduced", None),
        invited.id: ("invited", TODAY + timedelta(days=2)),
        declined.id: ("declined", None),
        hired.id: ("hired", START),
    }
    by_id = {e.proposal_id: e for e in entries}
    assert by_id[hired.id].step.due == Due("check_3", date(2027, 3, 1), False)
    assert by_id[invited.id].placement.id == placement.id
    assert by_id[no_consent.id].employer_name == no_consent.vacancy.employer.legal_name
    assert by_id[introduced.id].card.reference == card_reference(introduced.id)
    view = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "view", AuditEvent.object_type == "client")
    ).all()
    assert [e.object_id for e in view] == [client.id]


def test_an_approved_match_whose_consent_is_missing_waits_for_the_coach(session):
    match = make_shared_match(session, consent=False)
    [entry] = list_client_proposals(session, match.coach, match.client.id, today=TODAY)
    assert entry.step.code == "waiting_for_consent"


def test_another_organisations_coach_sees_no_proposals(session, match):
    with pytest.raises(Forbidden):
        list_client_proposals(session, make_user(session, role="coach"), match.client.id)
    mediator = make_user(session, role="mediator")
    assert len(list_client_proposals(session, mediator, match.client.id)) == 1
