"""The audit log records who did what, from which state to which, and why."""

from matcher.audit.models import AuditEvent
from matcher.audit.services import record_event
from tests.factories import make_user


def test_record_event_keeps_actor_states_reason_and_details(session):
    mediator = make_user(session, role="mediator")

    event = record_event(
        session,
        mediator,
        "decide",
        "employer",
        7,
        from_state="submitted",
        to_state="approved",
        reason="all in order",
        details={"score": 90.0},
    )

    stored = session.get(AuditEvent, event.id)
    assert (stored.actor_id, stored.action, stored.object_type, stored.object_id) == (
        mediator.id,
        "decide",
        "employer",
        7,
    )
    assert (stored.from_state, stored.to_state, stored.reason) == (
        "submitted",
        "approved",
        "all in order",
    )
    assert stored.details == {"score": 90.0}
    assert stored.at is not None


def test_record_event_without_actor_is_the_scheduler(session):
    event = record_event(session, None, "expire", "employer", 1)

    assert event.actor_id is None
    assert event.from_state is None and event.reason == "" and event.details == {}
