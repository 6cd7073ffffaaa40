"""The life of a proposal as data: which moves exist and who may make them."""

from __future__ import annotations

import enum

from matcher.errors import InvalidTransition
from matcher.matching.models import ProposalStatus


class ProposalActor(enum.StrEnum):
    # The same strings as matcher.accounts.models.Role where a person acts.
    MEDIATOR = "mediator"
    COACH = "coach"  # records the client's consent, which completes a waiting approval
    EMPLOYER = "employer"
    SYSTEM = "system"  # the matching itself: freezing when a pair leaves the matching


P = ProposalStatus
M, C, E, SYS = (
    ProposalActor.MEDIATOR,
    ProposalActor.COACH,
    ProposalActor.EMPLOYER,
    ProposalActor.SYSTEM,
)

TRANSITIONS: dict[tuple[ProposalStatus, ProposalStatus], frozenset[ProposalActor]] = {
    (P.PROPOSED, P.DEFERRED): frozenset({M}),
    (P.DEFERRED, P.PROPOSED): frozenset({M}),
    # Approval: straight to the employer with consent in force, else waiting for the coach.
    (P.PROPOSED, P.APPROVED): frozenset({M}),
    (P.DEFERRED, P.APPROVED): frozenset({M}),
    (P.PROPOSED, P.WAITING_FOR_CONSENT): frozenset({M}),
    (P.DEFERRED, P.WAITING_FOR_CONSENT): frozenset({M}),
    (P.WAITING_FOR_CONSENT, P.APPROVED): frozenset({C}),
    (P.PROPOSED, P.REJECTED): frozenset({M}),
    (P.DEFERRED, P.REJECTED): frozenset({M}),
    (P.WAITING_FOR_CONSENT, P.REJECTED): frozenset({M}),
    # An open proposal whose employer, vacancy or client leaves the matching.
    (P.PROPOSED, P.FROZEN): frozenset({SYS}),
    (P.DEFERRED, P.FROZEN): frozenset({SYS}),
    (P.WAITING_FOR_CONSENT, P.FROZEN): frozenset({SYS}),
    # The employer answers an approved match.
    (P.APPROVED, P.INVITED): frozenset({E}),
    (P.APPROVED, P.DECLINED): frozenset({E}),
}


def check_proposal_transition(
    current: ProposalStatus, target: ProposalStatus, actor: ProposalActor | str
) -> None:
    """Raise InvalidTransition unless this actor may move a proposal from current to target."""
    actors = TRANSITIONS.get((current, target))
    if actors is None:
        raise InvalidTransition(
            "This proposal is %(current)s and cannot become %(target)s.",
            current=current,
            target=target,
        )
    if actor not in actors:
        raise InvalidTransition(
            "A %(actor)s cannot move a proposal from %(current)s to %(target)s.",
            actor=actor,
            current=current,
            target=target,
        )
