"""Use cases of reading the review queue: the mediators' list, one proposal to review, and the
approvals a coach must complete by recording consent.

Pages show a client by code only; the review shows the profile facts a match is judged on
(languages, hours, region), never notes or anything about the client's past.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from matcher.accounts.models import Role, User
from matcher.audit.models import AuditEvent
from matcher.db import utcnow
from matcher.employers.models import EmployerProfile
from matcher.employers.states import VettingStatus
from matcher.errors import Forbidden, NotFound
from matcher.matching.models import OPEN_STATUSES, Proposal, ProposalStatus
from matcher.matching.proposals import has_share_consent, pair_refusal
from matcher.matching.results import Explanation
from matcher.pagination import Page, fetch_page
from matcher.profiles.access import view_client
from matcher.profiles.consent import may_be_matched
from matcher.profiles.models import Cefr, Client
from matcher.skills.services import name_concepts
from matcher.vacancies.models import Vacancy

P = ProposalStatus
# The queue's order: what waits for a first look, then what was put aside, then consent.
QUEUE_ORDER = (P.PROPOSED, P.DEFERRED, P.WAITING_FOR_CONSENT)


@dataclass(frozen=True)
class QueueItem:
    """One open proposal as the queue lists it."""

    proposal_id: int
    status: ProposalStatus
    client_code: str
    vacancy_title: str
    employer_name: str
    score: float
    model_version: str
    created_at: datetime
    days_waiting: int


@dataclass(frozen=True)
class ConsentNeeded:
    """An approved proposal of a coach's client that waits for consent to share."""

    proposal_id: int
    client_id: int
    client_code: str
    vacancy_title: str
    employer_name: str
    approved_at: datetime | None


@dataclass(frozen=True)
class ClientFacts:
    """What a mediator judges a match on: never a name, notes or history."""

    id: int
    code: str
    languages: list[tuple[str, Cefr]]
    hours_per_week: int | None
    region: str
    max_travel_minutes: int | None
    earliest_start: date | None
    shifts_not_possible: list[str]


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    actor_email: str  # "" when the matching or the scheduler acted
    action: str
    from_state: str | None
    to_state: str | None
    reason: str
    reject_reason: str | None


@dataclass(frozen=True)
class ProposalReview:
    """Everything the review page shows about one proposal."""

    proposal: Proposal
    client: ClientFacts
    vacancy: Vacancy
    employer_name: str
    employer_status: VettingStatus
    explanation: Explanation
    skill_names: dict[str, tuple[str, str]]  # uri → (label, lang), in the reader's language
    matching_consent: bool
    share_consent: bool
    refusal: str | None  # why the pair no longer passes the hard filters, if it does not
    history: list[HistoryEntry]


def list_queue(
    session: Session,
    mediator: User,
    *,
    status: ProposalStatus | str | None = None,
    now: datetime | None = None,
    page: int | None = None,
    per_page: int | None = None,
) -> Page[QueueItem]:
    """List the open proposals (or those of one open status), in the queue's order."""
    _check_mediator(mediator)
    statuses = [ProposalStatus(status)] if status else list(QUEUE_ORDER)
    if not set(statuses) <= OPEN_STATUSES:
        raise NotFound("The queue holds only open proposals.")
    rank = case({s.value: i for i, s in enumerate(QUEUE_ORDER)}, value=Proposal.status)
    # Only the columns listed: whole proposals would also read every explanation and feature
    # set (JSON), which made the queue the slowest list under load.
    columns = (Proposal.id, Proposal.status, Proposal.score, Proposal.model_version)
    query = (
        select(
            *columns, Proposal.created_at, Client.code, Vacancy.title, EmployerProfile.legal_name
        )
        .join(Client, Client.id == Proposal.client_id)
        .join(Vacancy, Vacancy.id == Proposal.vacancy_id)
        .join(EmployerProfile, EmployerProfile.id == Vacancy.employer_id)
        .where(Proposal.status.in_(statuses), Client.erased_at.is_(None))
        .order_by(rank, Proposal.score.desc(), Proposal.id)
    )
    now = now or utcnow()

    def item(row: Any) -> QueueItem:
        proposal_id, status, score, model_version, created_at, code, title, employer = row
        return QueueItem(
            proposal_id=proposal_id,
            status=status,
            client_code=code,
            vacancy_title=title,
            employer_name=employer,
            score=score,
            model_version=model_version,
            created_at=created_at,
            days_waiting=max((now - created_at).days, 0),
        )

    return fetch_page(session, query, page, per_page).map(item)


def get_proposal_for_review(
    session: Session,
    mediator: User,
    proposal_id: int,
    *,
    lang: str = "en",
    today: date | None = None,
) -> ProposalReview:
    """Open one proposal for review (a view of the client's record, so audited)."""
    _check_mediator(mediator)
    proposal = session.get(Proposal, proposal_id)
    if proposal is None:
        raise NotFound("No proposal %(id)s.", id=proposal_id)
    client = view_client(session, mediator, proposal.client_id)
    today = today or utcnow().date()
    explanation = Explanation.from_json(proposal.explanation or {})
    uris = {*explanation.matched, *explanation.missing_essential}
    uris |= {uri for p in explanation.partly for uri in (p.skill_uri, p.via_uri)}
    vacancy, open_ = proposal.vacancy, proposal.status in OPEN_STATUSES
    return ProposalReview(
        proposal=proposal,
        client=_facts(client),
        vacancy=vacancy,
        employer_name=vacancy.employer.legal_name,
        employer_status=vacancy.employer.status,
        explanation=explanation,
        skill_names=name_concepts(session, uris, lang) if uris else {},
        matching_consent=may_be_matched(session, client, today),
        share_consent=has_share_consent(session, client, vacancy.employer_id, today),
        refusal=pair_refusal(session, proposal, today) if open_ else None,
        history=proposal_history(session, proposal.id),
    )


def list_waiting_for_consent(session: Session, coach: User) -> list[ConsentNeeded]:
    """List the approved proposals of the coach's organisation's clients that need consent."""
    if coach.role != Role.COACH:
        raise Forbidden("Only a job coach records a client's consent.")
    rows = session.execute(
        select(Proposal, Client.code, Vacancy.title, EmployerProfile.legal_name)
        .join(Client, Client.id == Proposal.client_id)
        .join(Vacancy, Vacancy.id == Proposal.vacancy_id)
        .join(EmployerProfile, EmployerProfile.id == Vacancy.employer_id)
        .where(
            Proposal.status == P.WAITING_FOR_CONSENT,
            Client.organisation_id == coach.organisation_id,
            Client.erased_at.is_(None),
        )
        .order_by(Proposal.decided_at, Proposal.id)
    ).all()
    return [
        ConsentNeeded(p.id, p.client_id, code, title, employer, p.decided_at)
        for p, code, title, employer in rows
    ]


def proposal_history(session: Session, proposal_id: int) -> list[HistoryEntry]:
    """The proposal's audit events, oldest first, with who acted."""
    rows = session.execute(
        select(AuditEvent, User.email)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .where(AuditEvent.object_type == "proposal", AuditEvent.object_id == proposal_id)
        .order_by(AuditEvent.at, AuditEvent.id)
    ).all()
    return [
        HistoryEntry(
            at=event.at,
            actor_email=email or "",
            action=event.action,
            from_state=event.from_state,
            to_state=event.to_state,
            reason=event.reason,
            reject_reason=(event.details or {}).get("reject_reason"),
        )
        for event, email in rows
    ]


def _facts(client: Client) -> ClientFacts:
    return ClientFacts(
        id=client.id,
        code=client.code,
        languages=[(lang.language, lang.level) for lang in client.languages],
        hours_per_week=client.hours_per_week,
        region=client.region,
        max_travel_minutes=client.max_travel_minutes,
        earliest_start=client.earliest_start,
        shifts_not_possible=list(client.shifts_not_possible or []),
    )


def _check_mediator(user: User) -> None:
    if user.role != Role.MEDIATOR:
        raise Forbidden("Only a mediator works the review queue.")
