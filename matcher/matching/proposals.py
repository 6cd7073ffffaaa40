"""Use cases of proposals: the matching proposes, a mediator decides, consent completes.

A proposal enters the queue PROPOSED; a mediator approves (APPROVED with the client's consent to
share with that employer, else WAITING_FOR_CONSENT until the coach records it), rejects with a
reason, or defers. Every move goes through matcher.matching.states and the audit log. Two
mediators on one proposal: the version the page showed, and the version column at flush, make
the second one lose with a message naming the state the first one left.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date
from typing import TextIO

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from matcher.accounts.models import Role, User
from matcher.audit.services import record_event
from matcher.config import load_settings
from matcher.db import utcnow
from matcher.employers.states import MATCHABLE
from matcher.errors import N_, Forbidden, InvalidTransition, NotFound, ValidationError
from matcher.matching import engine
from matcher.matching.filters import check_pair, client_limits, employer_facts, vacancy_terms
from matcher.matching.freeze import freeze_open_proposals
from matcher.matching.models import OPEN_STATUSES, Proposal, ProposalStatus, RejectReason
from matcher.matching.results import Match
from matcher.matching.states import ProposalActor, check_proposal_transition
from matcher.notifications.events import notify_proposal_decided, notify_proposals_created
from matcher.profiles.consent import InForce, consents_in_force, may_be_matched
from matcher.profiles.models import Client, Consent, ConsentPurpose
from matcher.vacancies.models import Vacancy, VacancyStatus

P = ProposalStatus
DECIDED_MEANWHILE = N_("Another mediator has already decided this proposal: it is now %(status)s.")
NOTE_MAX = 10_000


def propose_matches(
    session: Session,
    matches: Iterable[Match],
    *,
    threshold: float | None = None,
    per_client: int | None = None,
) -> list[Proposal]:
    """Put the best new matches above the threshold in the mediators' queue; return them.

    A client keeps at most ``per_client`` open proposals: new ones fill the free places, best
    first. A pair with any proposal but a frozen one is not proposed again (a rejection stands).
    """
    settings = load_settings()
    threshold = settings.proposal_threshold if threshold is None else threshold
    per_client = settings.proposals_per_client if per_client is None else per_client
    by_client: dict[int, list[Match]] = defaultdict(list)
    for match in matches:
        if match.score >= threshold:
            by_client[match.client_id].append(match)
    created = []
    for client_id, found in by_client.items():
        free = per_client - _open_count(session, client_id)
        known = _proposed_vacancies(session, client_id)
        fresh = [m for m in found if m.vacancy_id not in known]
        for match in sorted(fresh, key=lambda m: (-m.score, m.vacancy_id))[: max(free, 0)]:
            proposal = _insert(session, match)
            if proposal is not None:
                created.append(proposal)
    notify_proposals_created(session, created)
    return created


def refresh_proposals(
    session: Session,
    *,
    client_ids: Iterable[int] | None = None,
    today: date | None = None,
    progress: TextIO | None = None,
) -> int:
    """Re-rank (every client, or the ones given) and propose the new best matches; count them."""
    settings = load_settings()
    # Room to skip pairs already proposed and still fill the client's free places.
    top = settings.proposals_per_client * 3
    if client_ids is None:
        ranked = engine.rank_all(session, today=today, top=top, progress=progress)
    else:
        ranked = (
            (cid, engine.rank_vacancies_for_client(session, cid, today=today, top=top))
            for cid in client_ids
        )
    created = 0
    for _client_id, matches in ranked:
        created += len(propose_matches(session, matches))
    return created


def approve_proposal(
    session: Session,
    mediator: User,
    proposal_id: int,
    *,
    expected_version: int | None = None,
    note: str = "",
    today: date | None = None,
) -> Proposal:
    """Approve a proposal: to the employer with consent in force, else wait for the coach."""
    proposal = _decidable(session, mediator, proposal_id, expected_version)
    today = today or utcnow().date()
    refusal = pair_refusal(session, proposal, today)
    if refusal is not None:
        raise InvalidTransition(
            "This match can no longer be approved: %(reason)s. Reject it instead.", reason=refusal
        )
    consent = has_share_consent(session, proposal.client, proposal.vacancy.employer_id, today)
    target = P.APPROVED if consent else P.WAITING_FOR_CONSENT

    def decide() -> None:
        _decided(proposal, mediator, note)
        if target == P.APPROVED:
            proposal.approved_at = utcnow()

    _move(session, mediator, proposal, target, "approve", decide, reason=_note(note))
    notify_proposal_decided(session, proposal)
    return proposal


def reject_proposal(
    session: Session,
    mediator: User,
    proposal_id: int,
    *,
    reason: RejectReason | str | None,
    note: str = "",
    expected_version: int | None = None,
) -> Proposal:
    """Reject a proposal with one of the fixed reasons (and a note, required for "other")."""
    try:
        code = RejectReason(reason)
    except ValueError:
        raise ValidationError("Choose the reason for the rejection.") from None
    note = _note(note)
    if code == RejectReason.OTHER and not note:
        raise ValidationError("Describe the reason in the note when it is another reason.")
    proposal = _decidable(session, mediator, proposal_id, expected_version)

    def decide() -> None:
        _decided(proposal, mediator, note)
        proposal.reject_reason = code

    _move(session, mediator, proposal, P.REJECTED, "reject", decide, reason=note, code=code)
    notify_proposal_decided(session, proposal)
    return proposal


def defer_proposal(
    session: Session,
    mediator: User,
    proposal_id: int,
    *,
    expected_version: int | None = None,
    note: str = "",
) -> Proposal:
    """Put a proposal aside in the queue, to decide later."""
    proposal = _decidable(session, mediator, proposal_id, expected_version)
    _move(session, mediator, proposal, P.DEFERRED, "defer", lambda: None, reason=_note(note))
    return proposal


def undefer_proposal(
    session: Session,
    mediator: User,
    proposal_id: int,
    *,
    expected_version: int | None = None,
) -> Proposal:
    """Bring a deferred proposal back among those waiting for review."""
    proposal = _decidable(session, mediator, proposal_id, expected_version)
    _move(session, mediator, proposal, P.PROPOSED, "undefer", lambda: None)
    return proposal


def approve_waiting_proposals(session: Session, coach: User, consent: Consent) -> int:
    """Consent to share with an employer recorded: its waiting approvals reach the employer."""
    if consent.purpose != ConsentPurpose.SHARE_WITH_EMPLOYER or consent.employer_id is None:
        return 0
    today = utcnow().date()
    approved = 0
    for proposal in _client_proposals(session, consent.client_id, consent.employer_id):
        if proposal.status != P.WAITING_FOR_CONSENT:
            continue
        refusal = pair_refusal(session, proposal, today)
        if refusal is not None:
            # Never let consent carry a pair the filters now refuse to the employer.
            _freeze(session, coach, proposal, "no_longer_matchable")
            continue
        check_proposal_transition(proposal.status, P.APPROVED, ProposalActor.COACH)
        proposal.status, proposal.approved_at = P.APPROVED, utcnow()
        session.flush()
        record_event(
            session, coach, "consent_recorded", "proposal", proposal.id,
            from_state=P.WAITING_FOR_CONSENT, to_state=P.APPROVED,
        )  # fmt: skip
        approved += 1
    return approved


def freeze_proposals_without_consent(session: Session, coach: User, consent: Consent) -> int:
    """Consent withdrawn: freeze the client's open proposals (with that employer, for sharing)."""
    if consent.purpose == ConsentPurpose.SHARE_WITH_MEDIATORS:
        return 0
    if consent.purpose == ConsentPurpose.MATCHING:
        return freeze_open_proposals(
            session, reason="consent_withdrawn", client_id=consent.client_id, actor=coach
        )
    frozen = 0
    for proposal in _client_proposals(session, consent.client_id, consent.employer_id):
        if proposal.status in OPEN_STATUSES:
            _freeze(session, coach, proposal, "consent_withdrawn")
            frozen += 1
    return frozen


def has_share_consent(session: Session, client: Client, employer_id: int, today: date) -> bool:
    """Whether the client's consent to share their profile with this employer is in force."""
    wanted = InForce(ConsentPurpose.SHARE_WITH_EMPLOYER, employer_id)
    return wanted in consents_in_force(session, client, today)


def pair_refusal(session: Session, proposal: Proposal, today: date) -> str | None:
    """Why the pair no longer passes the hard filters (a message fragment), or None if it does."""
    vacancy, client = proposal.vacancy, proposal.client
    if vacancy.status != VacancyStatus.OPEN or vacancy.closing_date < today:
        return N_("the vacancy is no longer open")
    if vacancy.employer.status not in MATCHABLE:
        return N_("the employer may not be matched now")
    if not may_be_matched(session, client, today):
        return N_("the client may not be matched now (no consent to matching)")
    terms, employer = vacancy_terms(vacancy), employer_facts(vacancy.employer)
    if check_pair(client_limits(session, client), terms, employer) is None:
        return N_("the client's limits or availability now exclude this vacancy")
    return None


def _insert(session: Session, match: Match) -> Proposal | None:
    proposal = Proposal(
        client_id=match.client_id,
        vacancy_id=match.vacancy_id,
        status=P.PROPOSED,
        score=match.score,
        skill_score=match.skill_score,
        model_version=match.model_version,
        explanation=match.explanation.to_json(),
        features=dict(match.features),
    )
    try:
        # A concurrent re-ranking may have proposed the pair since we looked: the schema's
        # one-open-proposal index refuses ours, and only this savepoint is rolled back.
        with session.begin_nested():
            session.add(proposal)
            session.flush()
    except IntegrityError:
        return None
    record_event(
        session, None, "propose", "proposal", proposal.id, to_state=P.PROPOSED,
        details={"score": match.score, "model_version": match.model_version},
    )  # fmt: skip
    return proposal


def _open_count(session: Session, client_id: int) -> int:
    return session.scalar(
        select(func.count(Proposal.id)).where(
            Proposal.client_id == client_id, Proposal.status.in_(OPEN_STATUSES)
        )
    )


def _proposed_vacancies(session: Session, client_id: int) -> set[int]:
    return set(
        session.scalars(
            select(Proposal.vacancy_id).where(
                Proposal.client_id == client_id, Proposal.status != P.FROZEN
            )
        )
    )


def _client_proposals(session: Session, client_id: int, employer_id: int | None) -> list[Proposal]:
    query = select(Proposal).where(Proposal.client_id == client_id)
    if employer_id is not None:
        query = query.join(Vacancy, Vacancy.id == Proposal.vacancy_id).where(
            Vacancy.employer_id == employer_id
        )
    return list(session.scalars(query.order_by(Proposal.id)))


def _decidable(
    session: Session, mediator: User, proposal_id: int, expected_version: int | None
) -> Proposal:
    if mediator.role != Role.MEDIATOR:
        raise Forbidden("Only a mediator may decide a proposal.")
    proposal = session.get(Proposal, proposal_id)
    if proposal is None:
        raise NotFound("No proposal %(id)s.", id=proposal_id)
    if expected_version is not None and proposal.version_id != expected_version:
        raise InvalidTransition(DECIDED_MEANWHILE, status=proposal.status)
    if proposal.status not in OPEN_STATUSES:
        raise InvalidTransition(DECIDED_MEANWHILE, status=proposal.status)
    return proposal


def _decided(proposal: Proposal, mediator: User, note: str) -> None:
    proposal.decided_at, proposal.decided_by_id = utcnow(), mediator.id
    proposal.decision_note = _note(note)


def _move(
    session: Session,
    actor: User,
    proposal: Proposal,
    target: ProposalStatus,
    action: str,
    change: Callable[[], None],
    *,
    reason: str = "",
    code: RejectReason | None = None,
) -> None:
    """Check, change and flush in a savepoint, so a lost race leaves the session usable."""
    source = proposal.status
    check_proposal_transition(source, target, ProposalActor.MEDIATOR)
    try:
        with session.begin_nested():
            proposal.status = target
            change()
            session.flush()
    except StaleDataError:
        # Another mediator's decision was committed between our read and our write.
        status = session.scalar(select(Proposal.status).where(Proposal.id == proposal.id))
        raise InvalidTransition(DECIDED_MEANWHILE, status=status) from None
    details = {"reject_reason": code.value} if code is not None else None
    record_event(
        session, actor, action, "proposal", proposal.id,
        from_state=source, to_state=target, reason=reason, details=details,
    )  # fmt: skip


def _freeze(session: Session, actor: User | None, proposal: Proposal, reason: str) -> None:
    before = proposal.status
    check_proposal_transition(before, P.FROZEN, ProposalActor.SYSTEM)
    proposal.status, proposal.frozen_reason = P.FROZEN, reason
    session.flush()
    record_event(
        session, actor, "freeze_proposal", "proposal", proposal.id,
        from_state=before, to_state=P.FROZEN, reason=reason,
    )  # fmt: skip


def _note(note: str | None) -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError("A note can be at most %(max)s characters.", max=NOTE_MAX)
    return note
