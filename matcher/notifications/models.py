"""In-app notifications per user, and the outbox of the e-mails that announce them."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matcher.db import Base, str_enum, utcnow


class NotificationKind(enum.StrEnum):
    NEW_PROPOSALS = "new_proposals"  # mediators: matches wait in the review queue
    PROPOSAL_DECIDED = "proposal_decided"  # coaches: a mediator approved or rejected a match
    CONSENT_NEEDED = "consent_needed"  # coaches: an approval waits for the client's consent
    INVITATION = "invitation"  # coaches, mediator: the employer invited the candidate
    MATCH_DECLINED = "match_declined"  # coaches, mediator: the employer declined
    SIGNAL_FEEDBACK = "signal_feedback"  # the reporter: their signal was closed with feedback
    VETTING_DECIDED = "vetting_decided"  # the employer's users: their checklist was decided
    EXPIRY_WARNING = "expiry_warning"  # employer and mediators: the approval ends soon
    PLACEMENT_DUE = "placement_due"  # mediators: a placement's follow-up is due


class Notification(Base):
    """One message for one user; params hold ids and non-personal values only."""

    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    kind: Mapped[NotificationKind] = mapped_column(str_enum(NotificationKind))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    link: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_notification_user_read", "user_id", "read_at"),)


class OutboxMail(Base):
    """An e-mail waiting to be sent (or sent): never more than the kind of news and a link."""

    __tablename__ = "outbox_mail"

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    notification_id: Mapped[int | None] = mapped_column(
        ForeignKey("notification.id", ondelete="SET NULL"), index=True
    )

    notification: Mapped[Notification | None] = relationship()

    __table_args__ = (
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        Index("ix_outbox_mail_sent_at", "sent_at"),
    )
