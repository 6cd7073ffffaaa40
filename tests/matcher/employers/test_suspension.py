"""Suspension: an employer stopped at once, and the suspension lifted with a reason."""

import pytest
from sqlalchemy import select

from matcher.audit.models import AuditEvent
from matcher.employers.services import may_match_employer
from matcher.employers.signals import close_signal, mark_serious, report_signal, start_review
from matcher.employers.states import VettingStatus
from matcher.employers.suspension import lift_suspension, suspend_employer
from matcher.errors import Forbidden, InvalidTransition, NotFound, ValidationError
from tests.factories import make_user
from tests.matcher.employers.builders import approved, register


def employer_events(session, profile):
    return session.scalars(
        select(AuditEvent)
        .where(AuditEvent.object_type == "employer", AuditEvent.object_id == profile.id)
        .order_by(AuditEvent.id)
    ).all()


@pytest.mark.parametrize("decision", ["approved", "approved_with_conditions"])
def test_suspension_stops_matching_and_lifting_restores_the_status_before(session, decision):
    profile, _, mediator = approved(session, decision)

    suspend_employer(session, mediator, profile.id, "Passports kept by the manager.")
    assert profile.status == VettingStatus.SUSPENDED
    assert not may_match_employer(session, profile.organisation_id)

    lift_suspension(
        session, mediator, profile.id, "Inspectorate found nothing; passports returned."
    )
    assert profile.status == decision
    assert may_match_employer(session, profile.organisation_id)
    moves = [
        (e.action, e.from_state, e.to_state, e.actor_id) for e in employer_events(session, profile)
    ]
    assert moves[-2:] == [
        ("suspend", decision, "suspended", mediator.id),
        ("lift_suspension", "suspended", decision, mediator.id),
    ]
    assert employer_events(session, profile)[-1].reason.startswith("Inspectorate found nothing")


@pytest.mark.parametrize("reason", ["", "   "])
def test_suspension_and_lifting_need_a_reason(session, reason):
    profile, _, mediator = approved(session)
    with pytest.raises(ValidationError, match="reason"):
        suspend_employer(session, mediator, profile.id, reason)
    assert profile.status == VettingStatus.APPROVED

    suspend_employer(session, mediator, profile.id, "Wages unpaid.")
    with pytest.raises(ValidationError, match="reason"):
        lift_suspension(session, mediator, profile.id, reason)
    assert profile.status == VettingStatus.SUSPENDED
    assert not may_match_employer(session, profile.organisation_id)


@pytest.mark.parametrize("role", ["coach", "employer", "admin"])
def test_only_a_mediator_may_suspend_or_lift(session, role):
    profile, employer, mediator = approved(session)
    actor = employer if role == "employer" else make_user(session, role=role)
    with pytest.raises(InvalidTransition):
        suspend_employer(session, actor, profile.id, "I do not like them.")
    suspend_employer(session, mediator, profile.id, "Wages unpaid.")
    with pytest.raises(Forbidden):
        lift_suspension(session, actor, profile.id, "Let me match again.")
    assert profile.status == VettingStatus.SUSPENDED


def test_an_employer_not_yet_approved_cannot_be_suspended(session):
    profile = register(session)
    mediator = make_user(session, role="mediator")
    with pytest.raises(InvalidTransition, match="cannot move from pending to suspended"):
        suspend_employer(session, mediator, profile.id, "Wages unpaid.")
    assert profile.status == VettingStatus.PENDING


def test_lifting_needs_a_suspended_employer(session):
    profile, _, mediator = approved(session)
    with pytest.raises(InvalidTransition, match="not suspended"):
        lift_suspension(session, mediator, profile.id, "Nothing to lift.")
    with pytest.raises(NotFound):
        lift_suspension(session, mediator, profile.id + 1000, "No such employer.")


def test_lifting_is_refused_while_a_serious_signal_is_open(session):
    profile, _, mediator = approved(session)
    signal = report_signal(session, None, text="Passports kept.", employer_id=profile.id)
    mark_serious(session, mediator, signal.id, signal.version_id, "Passports withheld.")
    assert profile.status == VettingStatus.SUSPENDED

    with pytest.raises(InvalidTransition, match="marked serious is still open"):
        lift_suspension(session, mediator, profile.id, "The manager says all is well.")
    assert profile.status == VettingStatus.SUSPENDED

    start_review(session, mediator, signal.id, signal.version_id)
    close_signal(session, mediator, signal.id, signal.version_id, "action_taken")
    lift_suspension(session, mediator, profile.id, "Passports returned, inspectorate informed.")
    assert profile.status == VettingStatus.APPROVED
