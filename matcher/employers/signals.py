"""Use cases of signals (the meldroute): reporting, triage by mediators, feedback to reporters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import ColumnElement, case, select, true
from sqlalchemy.orm import Session, selectinload

from matcher.accounts.models import Organisation, Role, User
from matcher.audit.services import record_event
from matcher.db import first_writer_wins, utcnow
from matcher.employers.models import (
    SIGNAL_TEXT_MAX,
    EmployerProfile,
    Signal,
    SignalLink,
    SignalOutcome,
    SignalStatus,
)
from matcher.employers.states import VettingStatus, allowed_targets
from matcher.employers.suspension import suspend_employer
from matcher.errors import N_, Forbidden, InvalidTransition, NotFound, ValidationError
from matcher.notifications.events import notify_signal_closed

LOST_RACE = N_("Another mediator changed this signal first; reload it.")
# (from, to) a mediator may move a signal; anything else is refused.
SIGNAL_TRANSITIONS = frozenset(
    {
        (SignalStatus.RECEIVED, SignalStatus.IN_REVIEW),
        (SignalStatus.IN_REVIEW, SignalStatus.CLOSED),
    }
)
NOTES_MAX = 10_000
# Employers a reporter may pick by name: those that are or were approved. Pending and rejected
# ones are not revealed to reporters (a registration is not public until it has been vetted).
REPORTABLE = frozenset(
    {
        VettingStatus.APPROVED,
        VettingStatus.APPROVED_WITH_CONDITIONS,
        VettingStatus.SUSPENDED,
        VettingStatus.EXPIRED,
    }
)


@dataclass(frozen=True)
class OwnSignal:
    """What a reporter may see of their own signal: never the mediators' notes."""

    id: int
    created_at: datetime
    text: str
    status: SignalStatus
    feedback: str

    @classmethod
    def of(cls, signal: Signal) -> OwnSignal:
        return cls(signal.id, signal.created_at, signal.text, signal.status, signal.feedback)


class EmployerChoice(NamedTuple):
    id: int
    name: str


@dataclass(frozen=True)
class TriageSignal:
    """A signal as a mediator sees it, with who sent it (mediators only)."""

    signal: Signal
    reporter_email: str | None
    # The organisation whose coach handed out the personal link it came through, if any.
    link_organisation: str | None


def report_signal(
    session: Session,
    reporter: User | None,
    *,
    text: str,
    employer_id: int | None = None,
    employer_name: str = "",
    vacancy_ref: str = "",
    contact: str = "",
    link_id: int | None = None,
) -> Signal:
    """Report a signal of exploitation by an employer or at a vacancy, with or without account."""
    text = clean_text(text, N_("The description"), SIGNAL_TEXT_MAX)
    if not text:
        raise ValidationError("Describe what happened.")
    if employer_id is not None and session.get(EmployerProfile, employer_id) is None:
        raise NotFound("No employer %(id)s.", id=employer_id)
    signal = Signal(
        employer_id=employer_id,
        employer_name=clean_text(employer_name, N_("The employer's name"), 200),
        vacancy_ref=clean_text(vacancy_ref, N_("The vacancy"), 200),
        text=text,
        reporter_id=reporter.id if reporter is not None else None,
        contact=clean_text(contact, N_("The contact details"), 254),
        link_id=link_id,
    )
    session.add(signal)
    session.flush()
    record_event(session, reporter, "report", "signal", signal.id, to_state=signal.status)
    return signal


def start_review(
    session: Session, mediator: User, signal_id: int, expected_version: int, notes: str = ""
) -> Signal:
    """Take a received signal into review."""
    signal = _signal_for_mediator(session, mediator, signal_id, expected_version)
    if notes and notes.strip():
        signal.notes = clean_text(notes, N_("The notes"), NOTES_MAX)
    _move_signal(session, mediator, signal, SignalStatus.IN_REVIEW, "start_review")
    return signal


def close_signal(
    session: Session,
    mediator: User,
    signal_id: int,
    expected_version: int,
    outcome: SignalOutcome | str | None,
    feedback: str = "",
    notes: str = "",
) -> Signal:
    """Close a reviewed signal with its outcome, a message for the reporter and internal notes."""
    signal = _signal_for_mediator(session, mediator, signal_id, expected_version)
    try:
        outcome = SignalOutcome(outcome)
    except ValueError:
        raise ValidationError("Choose the outcome of the review.") from None
    _check_signal_transition(signal.status, SignalStatus.CLOSED)
    signal.feedback = clean_text(feedback, N_("The feedback"), NOTES_MAX)
    if notes and notes.strip():
        signal.notes = clean_text(notes, N_("The notes"), NOTES_MAX)
    signal.outcome, signal.closed_at, signal.closed_by_id = outcome, utcnow(), mediator.id
    _move_signal(session, mediator, signal, SignalStatus.CLOSED, "close", reason=outcome)
    notify_signal_closed(session, signal)
    return signal


def mark_serious(
    session: Session, mediator: User, signal_id: int, expected_version: int, reason: str
) -> Signal:
    """Mark an open signal serious, which suspends its approved employer at once."""
    signal = _signal_for_mediator(session, mediator, signal_id, expected_version)
    reason = clean_text(reason, N_("The reason"), NOTES_MAX)
    if not reason:
        raise ValidationError("Give the reason this signal is serious.")
    if signal.status == SignalStatus.CLOSED or signal.serious:
        raise InvalidTransition(
            "Only an open signal that is not yet marked serious can be marked serious."
        )
    if signal.employer is None:
        raise ValidationError("This signal names no registered employer, so none can be suspended.")
    signal.serious = True
    _flush_signal(session)
    record_event(
        session,
        mediator,
        "mark_serious",
        "signal",
        signal.id,
        from_state=signal.status,
        to_state=signal.status,
        reason=reason,
    )
    # Only an approved employer can be matched, and only an approved one can be suspended.
    if VettingStatus.SUSPENDED in allowed_targets(signal.employer.status, mediator.role):
        suspend_employer(
            session, mediator, signal.employer.id, f"Serious signal {signal.id}: {reason}"
        )
    return signal


def list_own_signals(session: Session, reporter: User) -> list[OwnSignal]:
    """List a reporter's own signals with their status and feedback, newest first."""
    signals = session.scalars(
        select(Signal)
        .where(Signal.reporter_id == reporter.id)
        .order_by(Signal.created_at.desc(), Signal.id.desc())
    )
    return [OwnSignal.of(s) for s in signals]


def list_signals_for_triage(session: Session, mediator: User) -> list[Signal]:
    """List the open signals for mediators: received ones first, oldest first."""
    if mediator.role != Role.MEDIATOR:
        raise Forbidden("Only a mediator may triage signals.")
    received_first = case((Signal.status == SignalStatus.RECEIVED, 0), else_=1)
    return list(
        session.scalars(
            select(Signal)
            .options(selectinload(Signal.employer))  # the list names each one's employer
            .where(Signal.status != SignalStatus.CLOSED)
            .order_by(received_first, Signal.created_at, Signal.id)
        )
    )


def list_closed_signals(session: Session, mediator: User, limit: int = 50) -> list[Signal]:
    """List the recently closed signals for mediators, newest first."""
    if mediator.role != Role.MEDIATOR:
        raise Forbidden("Only a mediator may triage signals.")
    return list(
        session.scalars(
            select(Signal)
            .options(selectinload(Signal.employer))
            .where(Signal.status == SignalStatus.CLOSED)
            .order_by(Signal.closed_at.desc(), Signal.id.desc())
            .limit(limit)
        )
    )


def get_signal_for_triage(session: Session, mediator: User, signal_id: int) -> TriageSignal:
    """Show one signal to a mediator, with the reporter's account or link if there is one."""
    if mediator.role != Role.MEDIATOR:
        raise Forbidden("Only a mediator may handle signals.")
    signal = session.get(Signal, signal_id)
    if signal is None:
        raise NotFound("No signal %(id)s.", id=signal_id)
    reporter = session.get(User, signal.reporter_id) if signal.reporter_id else None
    organisation = None
    if signal.link_id is not None:
        organisation = session.scalar(
            select(Organisation.name)
            .join(SignalLink, SignalLink.organisation_id == Organisation.id)
            .where(SignalLink.id == signal.link_id)
        )
    return TriageSignal(signal, reporter.email if reporter else None, organisation)


def link_signal_to_employer(
    session: Session, mediator: User, signal_id: int, expected_version: int, employer_id: int
) -> Signal:
    """Tie a signal to the registered employer it is about, so it can be acted on."""
    signal = _signal_for_mediator(session, mediator, signal_id, expected_version)
    if signal.status == SignalStatus.CLOSED:
        raise InvalidTransition("A closed signal can no longer be changed.")
    employer = session.get(EmployerProfile, employer_id)
    if employer is None:
        raise NotFound("No employer %(id)s.", id=employer_id)
    previous = signal.employer_id
    signal.employer = employer
    _flush_signal(session)
    record_event(
        session,
        mediator,
        "link_employer",
        "signal",
        signal.id,
        from_state=signal.status,
        to_state=signal.status,
        details={"from_employer_id": previous, "to_employer_id": employer_id},
    )
    return signal


def list_reportable_employers(session: Session) -> list[EmployerChoice]:
    """List the employers a reporter may pick by name: those that are or were approved."""
    return _employer_choices(session, EmployerProfile.status.in_(REPORTABLE))


def list_registered_employers(session: Session, mediator: User) -> list[EmployerChoice]:
    """List every registered employer, in any status, for a mediator linking a signal."""
    if mediator.role != Role.MEDIATOR:
        raise Forbidden("Only a mediator may handle signals.")
    return _employer_choices(session, true())


def _employer_choices(session: Session, condition: ColumnElement[bool]) -> list[EmployerChoice]:
    profiles = session.scalars(
        select(EmployerProfile).where(condition).order_by(EmployerProfile.legal_name)
    )
    # A reporter may know the employer only by a trade name, so show those too.
    return [
        EmployerChoice(p.id, " / ".join([p.legal_name, *(p.trade_names or [])])) for p in profiles
    ]


def clean_text(value: str | None, what: str, max_length: int) -> str:
    """Strip a text field, refusing NUL characters and more than max_length characters."""
    value = value or ""  # a field left out of a POST reaches the service as None
    # PostgreSQL refuses NUL in text; refuse it here so nothing is half-saved.
    if "\x00" in value:
        raise ValidationError("%(what)s contains a NUL character.", what=what)
    value = value.strip()
    if len(value) > max_length:
        raise ValidationError(
            "%(what)s is longer than %(max)s characters.", what=what, max=max_length
        )
    return value


def _signal_for_mediator(
    session: Session, mediator: User, signal_id: int, expected_version: int
) -> Signal:
    if mediator.role != Role.MEDIATOR:
        raise Forbidden("Only a mediator may handle signals.")
    signal = session.get(Signal, signal_id)
    if signal is None:
        raise NotFound("No signal %(id)s.", id=signal_id)
    if signal.version_id != expected_version:
        raise InvalidTransition(LOST_RACE)
    return signal


def _check_signal_transition(current: SignalStatus, target: SignalStatus) -> None:
    if (current, target) not in SIGNAL_TRANSITIONS:
        raise InvalidTransition(
            "A signal cannot move from %(source)s to %(target)s.", source=current, target=target
        )


def _move_signal(
    session: Session,
    mediator: User,
    signal: Signal,
    target: SignalStatus,
    action: str,
    reason: str = "",
) -> None:
    source = signal.status
    _check_signal_transition(source, target)
    signal.status = target
    _flush_signal(session)
    record_event(
        session,
        mediator,
        action,
        "signal",
        signal.id,
        from_state=source,
        to_state=target,
        reason=reason,
    )


def _flush_signal(session: Session) -> None:
    with first_writer_wins(LOST_RACE):
        session.flush()
