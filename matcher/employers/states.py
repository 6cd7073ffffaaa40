"""The vetting state machine as data: statuses, who may move them, the knock-out rule."""

from __future__ import annotations

import enum

from matcher.employers.scoring import ChecklistScore, Outcome
from matcher.errors import InvalidTransition


class VettingStatus(enum.StrEnum):
    PENDING = "pending"  # registered, filling in the checklist
    SUBMITTED = "submitted"
    NEEDS_INFORMATION = "needs_information"
    APPROVED = "approved"
    APPROVED_WITH_CONDITIONS = "approved_with_conditions"
    REJECTED = "rejected"
    SUSPENDED = "suspended"
    EXPIRED = "expired"


class Actor(enum.StrEnum):
    # The same strings as matcher.accounts.models.Role, so a user's role can be passed straight in.
    EMPLOYER = "employer"
    MEDIATOR = "mediator"
    SCHEDULER = "scheduler"  # the scheduled job, acting for nobody


S = VettingStatus

# (from, to) → who may make the move. Anything not listed is refused.
TRANSITIONS: dict[tuple[VettingStatus, VettingStatus], frozenset[Actor]] = {
    # The employer submits the checklist, first time or after answering questions.
    (S.PENDING, S.SUBMITTED): frozenset({Actor.EMPLOYER}),
    (S.NEEDS_INFORMATION, S.SUBMITTED): frozenset({Actor.EMPLOYER}),
    # A mediator decides a submission.
    (S.SUBMITTED, S.APPROVED): frozenset({Actor.MEDIATOR}),
    (S.SUBMITTED, S.APPROVED_WITH_CONDITIONS): frozenset({Actor.MEDIATOR}),
    (S.SUBMITTED, S.NEEDS_INFORMATION): frozenset({Actor.MEDIATOR}),
    (S.SUBMITTED, S.REJECTED): frozenset({Actor.MEDIATOR}),
    # A mediator suspends on a serious signal; the scheduler when a condition's deadline passes.
    (S.APPROVED, S.SUSPENDED): frozenset({Actor.MEDIATOR}),
    (S.APPROVED_WITH_CONDITIONS, S.SUSPENDED): frozenset({Actor.MEDIATOR, Actor.SCHEDULER}),
    # Conditions met, or (§3.2) weighted evidence expired so conditions are added.
    (S.APPROVED_WITH_CONDITIONS, S.APPROVED): frozenset({Actor.MEDIATOR}),
    (S.APPROVED, S.APPROVED_WITH_CONDITIONS): frozenset({Actor.MEDIATOR, Actor.SCHEDULER}),
    # A mediator lifts a suspension (with a reason) or closes the review with a rejection.
    (S.SUSPENDED, S.APPROVED): frozenset({Actor.MEDIATOR}),
    (S.SUSPENDED, S.APPROVED_WITH_CONDITIONS): frozenset({Actor.MEDIATOR}),
    (S.SUSPENDED, S.REJECTED): frozenset({Actor.MEDIATOR}),
    # The scheduler expires an approval at its end date.
    (S.APPROVED, S.EXPIRED): frozenset({Actor.SCHEDULER}),
    (S.APPROVED_WITH_CONDITIONS, S.EXPIRED): frozenset({Actor.SCHEDULER}),
    # After a rejection (once remedied) or an expiry the employer starts a fresh checklist.
    (S.REJECTED, S.PENDING): frozenset({Actor.EMPLOYER}),
    (S.EXPIRED, S.PENDING): frozenset({Actor.EMPLOYER}),
}

MATCHABLE = frozenset({S.APPROVED, S.APPROVED_WITH_CONDITIONS})


def allowed_targets(current: VettingStatus, actor_role: str) -> list[VettingStatus]:
    """The statuses this actor may move an employer to from the current one."""
    return [
        target
        for (source, target), actors in TRANSITIONS.items()
        if source == current and actor_role in actors
    ]


def check_transition(current: VettingStatus, target: VettingStatus, actor_role: str) -> None:
    """Raise InvalidTransition unless this actor may move an employer from current to target."""
    actors = TRANSITIONS.get((current, target))
    if actors is None:
        raise InvalidTransition(
            "A vetting cannot move from %(source)s to %(target)s.", source=current, target=target
        )
    if actor_role not in actors:
        who = " or ".join(sorted(actors))
        raise InvalidTransition(
            "Only the %(who)s may move a vetting from %(source)s to %(target)s, not the %(actor)s.",
            who=who,
            source=current,
            target=target,
            actor=actor_role,
        )


def may_be_matched(status: VettingStatus) -> bool:
    """Whether an employer's vacancies may be matched in this status."""
    return status in MATCHABLE


def check_decision(target: VettingStatus, score: ChecklistScore) -> None:
    """Raise InvalidTransition when a decision would approve a submission the checklist forbids."""
    if target not in MATCHABLE:
        return
    if score.knock_outs:
        # §3.1: a failed knock-out means rejection; no single mediator can approve it.
        items = ", ".join(score.knock_outs)
        raise InvalidTransition(
            "A submission with a knock-out (%(items)s) can never be approved.", items=items
        )
    if score.missing_knock_outs:
        items = ", ".join(score.missing_knock_outs)
        raise InvalidTransition(
            "Knock-out items are unanswered (%(items)s): it cannot be approved.", items=items
        )
    # §3.1.4: a mediator may decide more strictly than the checklist, never more leniently.
    if score.outcome == Outcome.REJECTED:
        raise InvalidTransition(
            "The weighted score (%(score)s) is below the minimum for an approval.",
            score=round(score.score),
        )
    if target == VettingStatus.APPROVED and score.outcome != Outcome.APPROVED:
        raise InvalidTransition(
            "Only an approval with conditions is possible: the score (%(score)s) is below the"
            " bar for a plain approval or a heavily weighted item failed.",
            score=round(score.score),
        )
