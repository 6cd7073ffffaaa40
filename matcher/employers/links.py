"""Use cases of personal report links: a coach hands one to a client who has no account."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.accounts.models import Role, User
from matcher.audit.services import record_event
from matcher.db import utcnow
from matcher.employers.models import EmployerProfile, Signal, SignalLink
from matcher.employers.signals import REPORTABLE, OwnSignal, clean_text, report_signal
from matcher.errors import N_, Forbidden, InvalidTransition, NotFound, ValidationError
from matcher.ratelimit import allow_hit

LABEL_MAX = 100
VALID_DAYS_MAX = 365
# A client reports rarely; these stop a leaked link or one network from flooding the mediators.
PER_LINK_LIMIT, PER_LINK_WINDOW = 5, 24 * 60 * 60
PER_IP_LIMIT, PER_IP_WINDOW = 20, 60 * 60
# secrets.token_urlsafe(32) gives 43 characters; anything far longer is not a token of ours.
TOKEN_MAX = 128


class RateLimited(ValidationError):
    """Too many reports through one link or from one address; the web answers 429."""


def create_signal_link(
    session: Session, coach: User, label: str, valid_days: int = 90, now: datetime | None = None
) -> tuple[SignalLink, str]:
    """Make a personal report link for a client; the token is returned once and never stored."""
    if coach.role != Role.COACH:
        raise Forbidden("Only a job coach may hand out report links.")
    label = clean_text(label, N_("The label"), LABEL_MAX)
    if not 1 <= valid_days <= VALID_DAYS_MAX:
        raise ValidationError("A link is valid for 1 to %(max)s days.", max=VALID_DAYS_MAX)
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    link = SignalLink(
        token_hash=_hash(token),
        label=label,
        organisation_id=coach.organisation_id,
        created_by_id=coach.id,
        created_at=now,
        expires_at=now + timedelta(days=valid_days),
    )
    session.add(link)
    session.flush()
    record_event(session, coach, "create", "signal_link", link.id, to_state="active")
    return link, token


def list_signal_links(session: Session, coach: User) -> list[SignalLink]:
    """List the report links of the coach's own organisation, newest first."""
    if coach.role != Role.COACH:
        raise Forbidden("Only a job coach may see report links.")
    return list(
        session.scalars(
            select(SignalLink)
            .where(SignalLink.organisation_id == coach.organisation_id)
            .order_by(SignalLink.created_at.desc(), SignalLink.id.desc())
        )
    )


def revoke_signal_link(
    session: Session, coach: User, link_id: int, now: datetime | None = None
) -> SignalLink:
    """Revoke a report link of the coach's own organisation, so it stops working at once."""
    if coach.role != Role.COACH:
        raise Forbidden("Only a job coach may revoke report links.")
    link = session.get(SignalLink, link_id)
    if link is None:
        raise NotFound("No report link %(id)s.", id=link_id)
    if link.organisation_id != coach.organisation_id:
        raise Forbidden("This report link belongs to another organisation.")
    if link.revoked_at is not None:
        raise InvalidTransition("This link has already been revoked.")
    link.revoked_at = now or utcnow()
    session.flush()
    record_event(
        session, coach, "revoke", "signal_link", link.id, from_state="active", to_state="revoked"
    )
    return link


def find_signal_link(session: Session, token: str, now: datetime) -> SignalLink:
    """Find the working link for a token: NotFound when unknown, revoked or expired."""
    if not token or len(token) > TOKEN_MAX:
        raise NotFound("This link is not valid.")
    token_hash = _hash(token)
    link = session.scalar(select(SignalLink).where(SignalLink.token_hash == token_hash))
    # The lookup already matched the hash; comparing again in constant time costs nothing.
    if link is None or not hmac.compare_digest(link.token_hash, token_hash):
        raise NotFound("This link is not valid.")
    if link.revoked_at is not None or link.expires_at <= now:
        raise NotFound("This link is not valid.")
    return link


def report_via_link(
    session: Session,
    token: str,
    *,
    text: str,
    employer_id: int | None = None,
    employer_name: str = "",
    vacancy_ref: str = "",
    contact: str = "",
    client_ip: str,
    now: datetime,
) -> Signal:
    """Report a signal through a personal link, without an account; rate limited."""
    link = find_signal_link(session, token, now)
    if employer_id is not None:
        employer = session.get(EmployerProfile, employer_id)
        # The public must not learn which unvetted employers are registered.
        if employer is None or employer.status not in REPORTABLE:
            raise NotFound("No employer %(id)s.", id=employer_id)
    # The address first: a refused address then uses up none of the link's own quota.
    if not allow_hit(
        session, f"signal-ip:{client_ip}", limit=PER_IP_LIMIT, window_seconds=PER_IP_WINDOW,
        now=now,
    ):  # fmt: skip
        raise RateLimited("Too many reports were sent from your network. Try again in an hour.")
    if not allow_hit(
        session, f"signal-link:{link.id}", limit=PER_LINK_LIMIT, window_seconds=PER_LINK_WINDOW,
        now=now,
    ):  # fmt: skip
        raise RateLimited("Too many reports were sent through this link today. Try again tomorrow.")
    return report_signal(
        session,
        None,
        text=text,
        employer_id=employer_id,
        employer_name=employer_name,
        vacancy_ref=vacancy_ref,
        contact=contact,
        link_id=link.id,
    )


def list_link_signals(session: Session, token: str, now: datetime) -> list[OwnSignal]:
    """List the signals sent through a link with their status and feedback, never the notes."""
    link = find_signal_link(session, token, now)
    signals = session.scalars(
        select(Signal)
        .where(Signal.link_id == link.id)
        .order_by(Signal.created_at.desc(), Signal.id.desc())
    )
    return [OwnSignal.of(s) for s in signals]


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
