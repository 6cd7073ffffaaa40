"""Use cases of the scheduler: approvals that end, conditions not met in time, coming expiries."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.audit.models import AuditEvent
from matcher.employers.models import ChecklistSubmission, Decision, EmployerProfile
from matcher.employers.services import _move
from matcher.employers.states import MATCHABLE, Actor, VettingStatus, check_transition

OVERDUE_REASON = "conditions not met by {due}"


def expire_approvals(session: Session, today: date) -> list[EmployerProfile]:
    """Expire the approvals whose last valid day is before today."""
    ended = session.scalars(
        select(EmployerProfile)
        .where(EmployerProfile.status.in_(MATCHABLE), EmployerProfile.approved_until < today)
        .order_by(EmployerProfile.approved_until, EmployerProfile.id)
    ).all()
    for profile in ended:
        reason = f"approval ended on {profile.approved_until.isoformat()}"
        _move_by_scheduler(session, profile, VettingStatus.EXPIRED, "expire", reason)
    return list(ended)


def suspend_overdue_conditions(session: Session, today: date) -> list[EmployerProfile]:
    """Suspend employers whose conditions were due before today and are not confirmed met."""
    candidates = session.scalars(
        select(EmployerProfile)
        .where(EmployerProfile.status == VettingStatus.APPROVED_WITH_CONDITIONS)
        .order_by(EmployerProfile.id)
    ).all()
    overdue = []
    for profile in candidates:
        due = _conditions_due(session, profile)
        if due is None or due >= today:
            continue
        reason = OVERDUE_REASON.format(due=due.isoformat())
        # Once per deadline: a mediator who lifted that suspension has weighed the conditions.
        if not _suspended_by_scheduler(session, profile, reason):
            _move_by_scheduler(session, profile, VettingStatus.SUSPENDED, "suspend", reason)
            overdue.append(profile)
    return overdue


def list_expiring(session: Session, today: date, days: int) -> list[EmployerProfile]:
    """List approved employers whose approval ends within the coming days, soonest first."""
    return list(
        session.scalars(
            select(EmployerProfile)
            .where(
                EmployerProfile.status.in_(MATCHABLE),
                EmployerProfile.approved_until >= today,
                EmployerProfile.approved_until <= today + timedelta(days=days),
            )
            .order_by(EmployerProfile.approved_until, EmployerProfile.id)
        )
    )


def latest_decided_submission(session: Session, profile_id: int) -> ChecklistSubmission | None:
    """The employer's most recently decided checklist: the one its current status rests on."""
    return session.scalar(
        select(ChecklistSubmission)
        .where(
            ChecklistSubmission.employer_id == profile_id,
            ChecklistSubmission.decision.is_not(None),
        )
        .order_by(ChecklistSubmission.decided_at.desc(), ChecklistSubmission.id.desc())
        .limit(1)
    )


def _conditions_due(session: Session, profile: EmployerProfile) -> date | None:
    # Only the latest decision counts: conditions of an earlier round were settled by a newer one.
    latest = latest_decided_submission(session, profile.id)
    if latest is None or latest.decision != Decision.APPROVED_WITH_CONDITIONS:
        return None
    return latest.conditions_due


def _suspended_by_scheduler(session: Session, profile: EmployerProfile, reason: str) -> bool:
    earlier = select(AuditEvent.id).where(
        AuditEvent.object_type == "employer",
        AuditEvent.object_id == profile.id,
        AuditEvent.action == "suspend",
        AuditEvent.actor_id.is_(None),
        AuditEvent.reason == reason,
    )
    return session.scalar(earlier.limit(1)) is not None


def _move_by_scheduler(
    session: Session, profile: EmployerProfile, target: VettingStatus, action: str, reason: str
) -> None:
    check_transition(profile.status, target, Actor.SCHEDULER)
    # The scheduler acts for nobody: the audit log records it with no actor.
    _move(session, None, profile, target, action, reason=reason)
