"""Use cases of signals (the meldroute): reporting, triage by mediators, feedback to reporters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from matcher.accounts.models import Role, User
from matcher.audit.services import record_event
from matcher.db import first_writer_wins, utcnow
from matcher.employers.models import (
    SIGNAL_TEXT_MAX,
    EmployerProfile,
    Signal,
    SignalOutcome,
    SignalStatus,
)
from matcher.employers.states import VettingStatus, allowed_targets
from matcher.employers.suspension import suspend_employer
from matcher.errors import Forbidden, InvalidTransition, NotFound, ValidationError

LOST_RACE = "Another mediator changed this signal first; reload it."
# (from, to) a mediator may move a signal; anything else is refused.
SIGNAL_TRANSITIONS = frozenset(
    {
        (SignalStatus.RECEIVED, SignalStatus.IN_REVIEW),
        (SignalStatus.IN_REVIEW, SignalStatus.CLOSED),
    }
)
NOTES_MAX = 10_000


@dataclass(frozen=True)
class OwnSignal:
    """What a reporter may see of their own signal: never the mediators' notes."""

    id: int
    created_at: datetime
    text: str
    status: SignalStatus
    feedback: str


def report_signal(
    session: Session,
    reporter: User | None,
    *,
    text: str,
    employer_id: int | None = None,
    employer_name: str = "",
    vacancy_ref: str = "",
    contact: str = "",
) -> Signal:
    """Report a signal of exploitation by an employer or at a vacancy, with or without account."""
    text = _clean(text, "The description", SIGNAL_TEXT_MAX)
    if not text:
        raise ValidationError("Describe what happened.")
    if employer_id is not None and session.get(EmployerProfile, employer_id) is None:
        raise NotFound("No employer %(id)s.", id=employer_id)
    signal = Signal(
        employer_id=employer_id,
        employer_name=_clean(employer_name, "The employer's name", 200),
        vacancy_ref=_clean(vacancy_ref, "The vacancy", 200),
        text=text,
        reporter_id=reporter.id if reporter is not None else None,
        contact=_clean(contact, "The contact details", 254),
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
    if notes.strip():
        signal.notes = _clean(notes, "The notes", NOTES_MAX)
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
    signal.feedback = _clean(feedback, "The feedback", NOTES_MAX)
    if notes.strip():
        signal.notes = _clean(notes, "The notes", NOTES_MAX)
    signal.outcome, signal.closed_at, signal.closed_by_id = outcome, utcnow(), mediator.id
    _move_signal(session, mediator, signal, SignalStatus.CLOSED, "close", reason=outcome)
    return signal


def mark_serious(
    session: Session, mediator: User, signal_id: int, expected_version: int, reason: str
) -> Signal:
    """Mark an open signal serious, which suspends its approved employer at once."""
    signal = _signal_for_mediator(session, mediator, signal_id, expected_version)
    reason = _clean(reason, "The reason", NOTES_MAX)
    if not reason:
        raise ValidationError("Give the reason this signal is serious.")
    if signal.status == SignalStatus.CLOSED or signal.serious:
        raise InvalidTransition("Only an open signal not yet marked serious can be marked so.")
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
    return [OwnSignal(s.id, s.created_at, s.text, s.status, s.feedback) for s in signals]


def list_signals_for_triage(session: Session, mediator: User) -> list[Signal]:
    """List the open signals for mediators: received ones first, oldest first."""
    if mediator.role != Role.MEDIATOR:
        raise Forbidden("Only a mediator may triage signals.")
    received_first = case((Signal.status == SignalStatus.RECEIVED, 0), else_=1)
    return list(
        session.scalars(
            select(Signal)
            .where(Signal.status != SignalStatus.CLOSED)
            .order_by(received_first, Signal.created_at, Signal.id)
        )
    )


def _clean(value: str, what: str, max_length: int) -> str:
    # PostgreSQL refuses NUL in text; refuse it here so nothing is half-saved.
    if "\x00" in value:
        raise ValidationError("%(what)s contains a NUL character.", what=what)
    value = value.strip()
    if len(value) > max_length:
        raise ValidationError(
            "%(what)s is longer than %(max)s characters.", what=what, max=f"{max_length:,}"
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
