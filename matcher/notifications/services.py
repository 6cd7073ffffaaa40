"""Use cases of notifications: notify users, read and mark them, and send the e-mail outbox.

Every notification is written in the caller's transaction, so it exists exactly when the change
it announces was committed. A mail is claimed by a conditional update in the sender's
transaction (PostgreSQL also skips rows another sender has locked), so no mail goes out twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import false, func, select, update
from sqlalchemy.orm import Session

from matcher.accounts.models import Role, User
from matcher.db import is_sqlite, utcnow
from matcher.errors import Forbidden, NotFound
from matcher.notifications.models import Notification, NotificationKind, OutboxMail
from matcher.notifications.texts import render_mail

Sender = Callable[[OutboxMail], None]
ERROR_MAX = 2000
OUTBOX_PAGE = 200


@dataclass(frozen=True)
class SendReport:
    configured: bool
    sent: int = 0
    failed: int = 0

    def __str__(self) -> str:
        if not self.configured:
            return "not configured: mail stays in the outbox"
        return f"sent {self.sent}, failed {self.failed}"


def notify(
    session: Session,
    users: Iterable[User],
    kind: NotificationKind | str,
    *,
    link: str,
    **params: Any,
) -> list[Notification]:
    """Notify each user (once) in the app, and by e-mail in their language."""
    kind = NotificationKind(kind)
    created, seen = [], set()
    for user in users:
        if user.id in seen or not user.active:
            continue
        seen.add(user.id)
        note = Notification(user_id=user.id, kind=kind, params=dict(params), link=link)
        session.add(note)
        created.append((user, note))
    session.flush()
    for user, note in created:
        if user.email:
            subject, body = render_mail(kind, link, user.language)
            session.add(
                OutboxMail(to_address=user.email, subject=subject, body=body, notification=note)
            )
    session.flush()
    return [note for _user, note in created]


def notify_role(
    session: Session,
    role: Role,
    kind: NotificationKind | str,
    *,
    link: str,
    **params: Any,
) -> list[Notification]:
    """Notify every active user of a role."""
    users = session.scalars(select(User).where(User.role == role, User.active.is_(True)))
    return notify(session, users, kind, link=link, **params)


def list_notifications(
    session: Session, user: User, *, unread_only: bool = False, limit: int = 200
) -> list[Notification]:
    """List a user's own notifications, newest first."""
    query = select(Notification).where(Notification.user_id == user.id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    order = (Notification.created_at.desc(), Notification.id.desc())
    return list(session.scalars(query.order_by(*order).limit(limit)))


def count_unread(session: Session, user: User) -> int:
    """Count a user's unread notifications."""
    return session.scalar(
        select(func.count(Notification.id)).where(
            Notification.user_id == user.id, Notification.read_at.is_(None)
        )
    )


def mark_read(session: Session, user: User, notification_id: int) -> Notification:
    """Mark one of the user's own notifications read."""
    note = session.get(Notification, notification_id)
    if note is None or note.user_id != user.id:
        raise NotFound("No notification %(id)s.", id=notification_id)
    if note.read_at is None:
        note.read_at = utcnow()
        session.flush()
    return note


def mark_all_read(session: Session, user: User) -> int:
    """Mark all of the user's notifications read; return how many were unread."""
    result = session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
    return result.rowcount


def list_outbox(session: Session, admin: User, limit: int = OUTBOX_PAGE) -> list[OutboxMail]:
    """List the outbox for an admin, newest first."""
    if admin.role != Role.ADMIN:
        raise Forbidden("Only an admin may read the outbox.")
    order = (OutboxMail.created_at.desc(), OutboxMail.id.desc())
    return list(session.scalars(select(OutboxMail).order_by(*order).limit(limit)))


def send_outbox(
    session: Session,
    *,
    sender: Sender | None,
    now: datetime | None = None,
    max_attempts: int = 5,
) -> SendReport:
    """Send the unsent mail through the sender; without one, mail stays in the outbox."""
    if sender is None:
        return SendReport(configured=False)
    now = now or utcnow()
    sent = failed = 0
    for mail in _claimable(session, max_attempts):
        if not _claim(session, mail.id, now):
            continue  # another sender took it first
        try:
            sender(mail)
        except Exception as exc:  # any failure of the transport is recorded, then retried
            _unclaim(session, mail, exc)
            failed += 1
        else:
            sent += 1
    session.flush()
    return SendReport(configured=True, sent=sent, failed=failed)


def _claimable(session: Session, max_attempts: int) -> list[OutboxMail]:
    if is_sqlite(session):
        # Take SQLite's write lock before reading, so a second sender waits for the first
        # one's commit instead of reading a snapshot it can no longer write from.
        session.execute(update(OutboxMail).where(false()).values(attempts=OutboxMail.attempts))
    query = (
        select(OutboxMail)
        .where(OutboxMail.sent_at.is_(None), OutboxMail.attempts < max_attempts)
        .order_by(OutboxMail.id)
        .with_for_update(skip_locked=True)
    )
    return list(session.scalars(query))


def _claim(session: Session, mail_id: int, now: datetime) -> bool:
    result = session.execute(
        update(OutboxMail)
        .where(OutboxMail.id == mail_id, OutboxMail.sent_at.is_(None))
        .values(sent_at=now, attempts=OutboxMail.attempts + 1)
        .execution_options(synchronize_session="fetch")
    )
    return result.rowcount == 1


def _unclaim(session: Session, mail: OutboxMail, exc: Exception) -> None:
    mail.sent_at = None
    mail.last_error = (f"{type(exc).__name__}: {exc}")[:ERROR_MAX]
    session.flush()
