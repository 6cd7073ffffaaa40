"""The scheduled jobs: each a plain function of a session and a clock, idempotent, returning counts.

The runner (matcher.jobs.runner) records each run and commits once; jobs only flush.
"""

from __future__ import annotations

import io
import logging
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from matcher.audit.services import record_event
from matcher.config import load_settings
from matcher.employers.evidence import evidence_expiry_dates
from matcher.employers.expiry import (
    expire_approvals,
    latest_decided_submission,
    suspend_overdue_conditions,
)
from matcher.employers.models import EmployerProfile, Signal, SignalStatus
from matcher.employers.states import MATCHABLE
from matcher.jobs.models import ExpiryWarning, JobRun, RunStatus
from matcher.matching.freeze import freeze_open_proposals
from matcher.matching.models import OPEN_STATUSES, Proposal
from matcher.matching.proposals import refresh_proposals
from matcher.matching.state import CLIENTS, bump, versions
from matcher.notifications.events import notify_expiry_warning
from matcher.notifications.mail import smtp_sender
from matcher.notifications.services import send_outbox
from matcher.profiles.consent import may_be_matched
from matcher.profiles.models import Client, Consent, ConsentPurpose
from matcher.profiles.services import anonymise_client
from matcher.vacancies.services import close_past_closing_date

log = logging.getLogger(__name__)
WARN_DAYS = (30, 7)  # days before an approval or a document ends, largest first
SIGNAL_TEXT_FIELDS = ("text", "vacancy_ref", "contact", "notes", "feedback")


def rerank_changed(session: Session, now: datetime) -> dict[str, Any]:
    """Re-rank when profiles, vacancies or vetting states changed since the last good run."""
    seen = versions(session)
    last = session.scalar(
        select(JobRun.counts)
        .where(JobRun.job == "rerank_changed", JobRun.status == RunStatus.SUCCEEDED)
        .order_by(JobRun.started_at.desc(), JobRun.id.desc())
        .limit(1)
    )
    if last is not None and last.get("versions") == seen:
        return {"versions": seen, "reranked": False, "proposals": 0}
    created = refresh_proposals(session, today=now.date(), progress=LogLines(log))
    log.info("rerank_changed: %d new proposals (versions %s)", created, seen)
    return {"versions": seen, "reranked": True, "proposals": created}


def rerank_all(session: Session, now: datetime) -> dict[str, Any]:
    """Re-rank every client nightly and propose the new best matches."""
    created = refresh_proposals(session, today=now.date(), progress=LogLines(log))
    log.info("rerank_all: %d new proposals", created)
    return {"proposals": created}


def check_vetting(session: Session, now: datetime) -> dict[str, Any]:
    """Expire approvals on the day, suspend overdue conditions, warn 30 and 7 days ahead."""
    today = now.date()
    expired = expire_approvals(session, today)
    suspended = suspend_overdue_conditions(session, today)
    warned = sum(_warn_employer(session, p, today, now) for p in _matchable(session))
    return {"expired": len(expired), "suspended": len(suspended), "warned": warned}


def close_vacancies(session: Session, now: datetime) -> dict[str, Any]:
    """Close the vacancies past their closing date (their open proposals freeze)."""
    return {"closed": close_past_closing_date(session, now.date())}


def end_consents(session: Session, now: datetime) -> dict[str, Any]:
    """Freeze the open proposals of clients whose consent to matching has ended."""
    today = now.date()
    ended = (
        select(Consent.client_id)
        .where(
            Consent.purpose == ConsentPurpose.MATCHING,
            Consent.withdrawn_at.is_(None),
            Consent.ends_on < today,
        )
        .distinct()
    )
    with_open = select(Proposal.client_id).where(Proposal.status.in_(OPEN_STATUSES))
    clients = session.scalars(
        select(Client).where(Client.id.in_(ended), Client.id.in_(with_open)).order_by(Client.id)
    ).all()
    frozen = sum(
        freeze_open_proposals(session, reason="consent_ended", client_id=client.id)
        for client in clients
        if not may_be_matched(session, client, today)  # a newer consent may be in force
    )
    if frozen:
        bump(session, CLIENTS)
    return {"frozen": frozen}


def apply_retention(session: Session, now: datetime) -> dict[str, Any]:
    """Anonymise long-inactive clients and clear the text of long-closed signals; rows stay."""
    settings = load_settings()
    client_cutoff = now - timedelta(days=settings.retention_client_days)
    inactive = session.scalars(
        select(Client)
        .where(Client.erased_at.is_(None), Client.last_activity_at < client_cutoff)
        .order_by(Client.id)
    ).all()
    for client in inactive:
        reason = f"inactive since {client.last_activity_at.date().isoformat()}"
        record_event(session, None, "erase", "client", client.id, reason=reason)
        freeze_open_proposals(session, reason="client_erased", client_id=client.id)
        anonymise_client(client)  # the clients counter moves with it (profiles/models.py)
    signal_cutoff = now - timedelta(days=settings.retention_signal_days)
    old = session.scalars(
        select(Signal)
        .where(
            Signal.status == SignalStatus.CLOSED,
            Signal.closed_at < signal_cutoff,
            or_(*(getattr(Signal, name) != "" for name in SIGNAL_TEXT_FIELDS)),
        )
        .order_by(Signal.id)
    ).all()
    for signal in old:
        for name in SIGNAL_TEXT_FIELDS:
            setattr(signal, name, "")
        record_event(session, None, "clear_text", "signal", signal.id, reason="retention")
    session.flush()
    return {"clients_anonymised": len(inactive), "signals_cleared": len(old)}


def send_mail(session: Session, now: datetime) -> dict[str, Any]:
    """Send the notification outbox through SMTP, when configured."""
    report = send_outbox(session, sender=smtp_sender(load_settings()), now=now)
    return {"configured": report.configured, "sent": report.sent, "failed": report.failed}


class LogLines(io.TextIOBase):
    """A text stream that logs each whole line: the re-ranking's progress goes to the log."""

    def __init__(self, logger: logging.Logger) -> None:
        self._logger, self._buffer = logger, ""

    def write(self, text: str) -> int:
        self._buffer += text.replace("\r", "\n")
        *lines, self._buffer = self._buffer.split("\n")
        for line in lines:
            if line.strip():
                self._logger.info("%s", line.strip())
        return len(text)


def _matchable(session: Session) -> list[EmployerProfile]:
    query = select(EmployerProfile).where(EmployerProfile.status.in_(MATCHABLE))
    return list(session.scalars(query.order_by(EmployerProfile.id)))


def _warn_employer(session: Session, profile: EmployerProfile, today: date, now: datetime) -> int:
    warned = 0
    for ends_on in _end_dates(session, profile):
        days_left = (ends_on - today).days
        # The nearest threshold reached; a day missed is caught up, a warning never repeated.
        due = [days for days in WARN_DAYS if 0 <= days_left <= days]
        if not due or _warned(session, profile, ends_on, due[-1]):
            continue
        session.add(ExpiryWarning(employer_id=profile.id, ends_on=ends_on, days_before=due[-1],
                                  sent_at=now))  # fmt: skip
        notify_expiry_warning(session, profile, days_left)
        warned += 1
    session.flush()
    return warned


def _end_dates(session: Session, profile: EmployerProfile) -> list[date]:
    # The approval's end, and any document of the deciding checklist that stops counting sooner.
    submission = latest_decided_submission(session, profile.id)
    until = profile.approved_until
    documents = evidence_expiry_dates(submission) if submission is not None else []
    return sorted({until, *(d for d in documents if until is None or d < until)} - {None})


def _warned(session: Session, profile: EmployerProfile, ends_on: date, days: int) -> bool:
    query = select(ExpiryWarning.id).where(
        ExpiryWarning.employer_id == profile.id,
        ExpiryWarning.ends_on == ends_on,
        ExpiryWarning.days_before == days,
    )
    return session.scalar(query) is not None
