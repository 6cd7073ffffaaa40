"""Use cases of the audit log: recording an event (there is deliberately no update or delete)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from matcher.accounts.models import User
from matcher.audit.models import AuditEvent


def record_event(
    session: Session,
    actor: User | None,
    action: str,
    obj_type: str,
    obj_id: int,
    *,
    from_state: str | None = None,
    to_state: str | None = None,
    reason: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the audit log."""
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        action=action,
        object_type=obj_type,
        object_id=obj_id,
        from_state=str(from_state) if from_state is not None else None,
        to_state=str(to_state) if to_state is not None else None,
        reason=reason,
        details=details or {},
    )
    session.add(event)
    session.flush()
    return event
