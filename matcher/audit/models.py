"""The append-only audit log: who changed what, when, from which state to which, and why."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, UOWTransaction, mapped_column

from matcher.db import Base, utcnow


class AuditEvent(Base):
    """One recorded action; rows are only ever inserted (matcher.audit.services.record_event)."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    # Nullable: the scheduler acts for nobody.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[int]
    from_state: Mapped[str | None] = mapped_column(String(32))
    to_state: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    __table_args__ = (Index("ix_audit_event_object", "object_type", "object_id", "at"),)


class AuditLogIsAppendOnly(RuntimeError):
    """A programming error: something tried to change or remove a recorded audit event."""


# The ORM refuses what the database triggers (migration 0009) refuse too: a bug that edits an
# event fails here with a clear name, before it ever reaches the database.
@event.listens_for(Session, "before_flush")
def _refuse_changed_audit_events(
    session: Session, flush_context: UOWTransaction, instances: object
) -> None:
    for obj in session.deleted:
        if isinstance(obj, AuditEvent):
            raise AuditLogIsAppendOnly(f"audit event {obj.id} cannot be deleted")
    for obj in session.dirty:
        if isinstance(obj, AuditEvent) and session.is_modified(obj):
            raise AuditLogIsAppendOnly(f"audit event {obj.id} cannot be changed")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_audit_changes(state: ORMExecuteState) -> None:
    changes = state.is_update or state.is_delete
    if changes and any(mapper.class_ is AuditEvent for mapper in state.all_mappers):
        raise AuditLogIsAppendOnly("audit events cannot be updated or deleted")
