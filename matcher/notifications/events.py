"""Who hears of what: the notifications each change in the programme sends, to whom.

Called by the services that make the change, in their transaction. Params carry ids and
codes only; the pages a link leads to check access again.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.accounts.models import Role, User
from matcher.employers.models import EmployerProfile, Signal
from matcher.matching.models import Proposal, ProposalStatus
from matcher.notifications.models import Notification
from matcher.notifications.models import NotificationKind as K
from matcher.notifications.services import notify, notify_role


def notify_proposals_created(session: Session, proposals: Iterable[Proposal]) -> list[Notification]:
    """New proposals in the queue: one notification per mediator for the whole batch."""
    count = len(list(proposals))
    if not count:
        return []
    return notify_role(session, Role.MEDIATOR, K.NEW_PROPOSALS, link="/mediator/queue", count=count)


def notify_proposal_decided(session: Session, proposal: Proposal) -> list[Notification]:
    """A mediator decided: the coaches of the client's organisation hear of it."""
    coaches = _coaches(session, proposal.client.organisation_id)
    if proposal.status == ProposalStatus.WAITING_FOR_CONSENT:
        return notify(
            session, coaches, K.CONSENT_NEEDED, link="/coach/consent-needed",
            proposal_id=proposal.id, client_id=proposal.client_id,
        )  # fmt: skip
    return notify(
        session, coaches, K.PROPOSAL_DECIDED,
        link=f"/coach/clients/{proposal.client_id}/proposals",
        proposal_id=proposal.id, client_id=proposal.client_id, status=str(proposal.status),
    )  # fmt: skip


def notify_employer_answer(session: Session, proposal: Proposal) -> list[Notification]:
    """The employer invited or declined: the client's coaches and the approving mediator."""
    kind = K.INVITATION if proposal.status == ProposalStatus.INVITED else K.MATCH_DECLINED
    params = {"proposal_id": proposal.id, "client_id": proposal.client_id}
    sent = notify(
        session, _coaches(session, proposal.client.organisation_id), kind,
        link=f"/coach/clients/{proposal.client_id}/proposals", **params,
    )  # fmt: skip
    mediator = session.get(User, proposal.decided_by_id) if proposal.decided_by_id else None
    if mediator is not None:
        link = "/mediator/placements" if kind == K.INVITATION else "/mediator/queue"
        sent += notify(session, [mediator], kind, link=link, **params)
    return sent


def notify_signal_closed(session: Session, signal: Signal) -> list[Notification]:
    """A signal closed with feedback: its reporter, if they have an account."""
    if signal.reporter_id is None:
        return []
    reporter = session.get(User, signal.reporter_id)
    return notify(
        session, [reporter], K.SIGNAL_FEEDBACK, link="/signals",
        signal_id=signal.id, outcome=str(signal.outcome),
    )  # fmt: skip


def notify_vetting_decided(
    session: Session, profile: EmployerProfile, decision: str
) -> list[Notification]:
    """A checklist decided: every user of the employer."""
    return notify(
        session, _organisation_users(session, profile.organisation_id, Role.EMPLOYER),
        K.VETTING_DECIDED, link="/employer/checklist",
        employer_id=profile.id, decision=str(decision),
    )  # fmt: skip


def notify_expiry_warning(
    session: Session, employer_profile: EmployerProfile, days_left: int
) -> list[Notification]:
    """The approval ends in days_left days: the employer's users and the mediators."""
    until = employer_profile.approved_until
    params = {
        "employer_id": employer_profile.id,
        "days_left": days_left,
        "until": until.isoformat() if until else None,
    }
    users = _organisation_users(session, employer_profile.organisation_id, Role.EMPLOYER)
    sent = notify(session, users, K.EXPIRY_WARNING, link="/employer/checklist", **params)
    link = f"/mediator/employers/{employer_profile.id}"
    return sent + notify_role(session, Role.MEDIATOR, K.EXPIRY_WARNING, link=link, **params)


def _coaches(session: Session, organisation_id: int) -> list[User]:
    return _organisation_users(session, organisation_id, Role.COACH)


def _organisation_users(session: Session, organisation_id: int, role: Role) -> list[User]:
    query = select(User).where(
        User.organisation_id == organisation_id, User.role == role, User.active.is_(True)
    )
    return list(session.scalars(query.order_by(User.id)))
