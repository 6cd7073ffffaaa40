"""Who may reach a client: coaches of the client's own organisation; mediators only to read."""

from __future__ import annotations

from sqlalchemy.orm import Session

from matcher.accounts.models import Role, User
from matcher.audit.services import record_event
from matcher.db import utcnow
from matcher.errors import Forbidden, NotFound
from matcher.profiles.models import Client


def client_for(session: Session, user: User, client_id: int, *, change: bool = False) -> Client:
    """The client, when this user may read it (or, with change=True, change it)."""
    client = session.get(Client, client_id)
    if client is None or client.erased_at is not None:
        raise NotFound("No client %(id)s.", id=client_id)
    if user.role == Role.COACH and user.organisation_id == client.organisation_id:
        return client
    if user.role == Role.MEDIATOR and not change:
        return client
    raise Forbidden("This client is not one of your organisation's clients.")


def view_client(session: Session, user: User, client_id: int) -> Client:
    """Open a client's record for reading, and write that view to the audit log."""
    client = client_for(session, user, client_id)
    record_event(session, user, "view", "client", client.id)
    return client


def change_client(session: Session, user: User, client_id: int, action: str, **details) -> Client:
    """Open a client's record to change it: checked, audited and marked active."""
    client = client_for(session, user, client_id, change=True)
    client.last_activity_at = utcnow()
    record_event(session, user, action, "client", client.id, details=details or None)
    return client
