"""Freeze open proposals whose employer, vacancy or client has left the matching.

Called wherever that happens (a suspension, an expiry, a closed vacancy, a withdrawn consent),
in the same transaction, so a proposal never waits in the queue for a match that may not be made.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.accounts.models import User
from matcher.audit.services import record_event
from matcher.matching.models import OPEN_STATUSES, Proposal, ProposalStatus
from matcher.matching.states import ProposalActor, check_proposal_transition
from matcher.vacancies.models import Vacancy


def freeze_open_proposals(
    session: Session,
    *,
    reason: str,
    employer_id: int | None = None,
    vacancy_id: int | None = None,
    client_id: int | None = None,
    actor: User | None = None,
) -> int:
    """Freeze every open proposal of this employer, vacancy or client; return how many.

    ``reason`` is a short code kept on the proposal and in the audit log ("employer_suspended").
    ``actor`` is the person whose action caused it, if any (the audit log names them).
    """
    if (employer_id, vacancy_id, client_id).count(None) != 2:
        raise ValueError("freeze the proposals of exactly one employer, vacancy or client")
    query = select(Proposal).where(Proposal.status.in_(OPEN_STATUSES))
    if employer_id is not None:
        query = query.join(Vacancy, Vacancy.id == Proposal.vacancy_id).where(
            Vacancy.employer_id == employer_id
        )
    elif vacancy_id is not None:
        query = query.where(Proposal.vacancy_id == vacancy_id)
    else:
        query = query.where(Proposal.client_id == client_id)
    frozen = 0
    for proposal in session.scalars(query.order_by(Proposal.id)):
        check_proposal_transition(proposal.status, ProposalStatus.FROZEN, ProposalActor.SYSTEM)
        before = proposal.status
        proposal.status = ProposalStatus.FROZEN
        proposal.frozen_reason = reason
        record_event(
            session,
            actor,
            "freeze_proposal",
            "proposal",
            proposal.id,
            from_state=before,
            to_state=ProposalStatus.FROZEN,
            reason=reason,
        )
        frozen += 1
    session.flush()
    return frozen
