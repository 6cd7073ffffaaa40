"""The scheduler's moves: approvals that end, conditions overdue, the coming expiries."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from matcher.audit.models import AuditEvent
from matcher.employers.expiry import (
    expire_approvals,
    list_expiring,
    suspend_overdue_conditions,
)
from matcher.employers.services import confirm_conditions_met, may_match_employer
from matcher.employers.states import VettingStatus
from matcher.employers.suspension import lift_suspension
from tests.matcher.employers.builders import TODAY, approved

END = date(2027, 11, 23)  # an approval decided on TODAY lasts 12 months


def last_event(session, profile):
    return session.scalars(
        select(AuditEvent)
        .where(AuditEvent.object_type == "employer", AuditEvent.object_id == profile.id)
        .order_by(AuditEvent.id.desc())
    ).first()


@pytest.mark.parametrize("decision", ["approved", "approved_with_conditions"])
def test_an_approval_expires_the_day_after_its_last_valid_day(session, decision):
    profile, _, _ = approved(session, decision)
    assert profile.approved_until == END

    assert expire_approvals(session, END) == []
    assert profile.status == decision

    assert expire_approvals(session, END + timedelta(days=1)) == [profile]
    assert profile.status == VettingStatus.EXPIRED
    assert not may_match_employer(session, profile.organisation_id)
    event = last_event(session, profile)
    assert (event.action, event.from_state, event.to_state, event.actor_id, event.reason) == (
        "expire",
        decision,
        "expired",
        None,
        "approval ended on 2027-11-23",
    )


def test_expiring_twice_changes_nothing_the_second_time(session):
    profile, _, _ = approved(session)
    later = END + timedelta(days=5)
    expire_approvals(session, later)
    event = last_event(session, profile)

    assert expire_approvals(session, later) == []
    assert last_event(session, profile) == event


def test_overdue_conditions_suspend_the_employer_once(session):
    profile, _, _ = approved(session, "approved_with_conditions")  # conditions due on TODAY

    assert suspend_overdue_conditions(session, TODAY) == []
    assert suspend_overdue_conditions(session, TODAY + timedelta(days=1)) == [profile]
    assert profile.status == VettingStatus.SUSPENDED
    event = last_event(session, profile)
    assert (event.action, event.from_state, event.to_state, event.actor_id, event.reason) == (
        "suspend",
        "approved_with_conditions",
        "suspended",
        None,
        "conditions not met by 2026-11-23",
    )

    assert suspend_overdue_conditions(session, TODAY + timedelta(days=2)) == []
    assert last_event(session, profile) == event


def test_conditions_confirmed_met_are_never_overdue(session):
    profile, _, mediator = approved(session, "approved_with_conditions")
    confirm_conditions_met(session, mediator, profile.id, profile.version_id, "Contracts seen.")

    assert suspend_overdue_conditions(session, TODAY + timedelta(days=30)) == []
    assert profile.status == VettingStatus.APPROVED


def test_an_approval_without_conditions_is_never_suspended_for_them(session):
    profile, _, _ = approved(session)

    assert suspend_overdue_conditions(session, TODAY + timedelta(days=30)) == []
    assert profile.status == VettingStatus.APPROVED


def test_list_expiring_gives_the_approvals_ending_within_the_days(session):
    profile, _, _ = approved(session)

    assert list_expiring(session, END - timedelta(days=31), 30) == []
    assert list_expiring(session, END - timedelta(days=30), 30) == [profile]
    assert list_expiring(session, END - timedelta(days=7), 7) == [profile]
    assert list_expiring(session, END, 7) == [profile]
    expire_approvals(session, END + timedelta(days=1))
    assert list_expiring(session, END + timedelta(days=1), 30) == []


def test_a_lifted_suspension_for_overdue_conditions_is_not_repeated(session):
    profile, _, mediator = approved(session, "approved_with_conditions")
    suspend_overdue_conditions(session, TODAY + timedelta(days=1))
    lift_suspension(session, mediator, profile.id, "Contracts are being rewritten; one week more.")
    assert profile.status == VettingStatus.APPROVED_WITH_CONDITIONS

    assert suspend_overdue_conditions(session, TODAY + timedelta(days=2)) == []
    assert profile.status == VettingStatus.APPROVED_WITH_CONDITIONS
