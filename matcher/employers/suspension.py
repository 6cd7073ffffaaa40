"""Use cases of suspension: stopping an employer at once, and lifting that with a reason."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.accounts.models import Role, User
from matcher.audit.models import AuditEvent
from matcher.db import first_writer_wins
from matcher.employers.models import EmployerProfile
from matcher.employers.services import CHANGED_MEANWHILE, _move, has_open_serious_signal
from matcher.employers.states import VettingStatus, allowed_targets, check_transition
from matcher.errors import Forbidden, InvalidTransition, NotFound, ValidationError


def suspend_employer(
    session: Session, actor: User, profile_id: int, reason: str
) -> EmployerProfile:
    """Suspend an employer at once: its vacancies leave the matching until it is lifted."""
    if not reason.strip():
        raise ValidationError("Give the reason for the suspension.")
    profile = _profile(session, profile_id)
    check_transition(profile.status, VettingStatus.SUSPENDED, actor.role)
    with first_writer_wins(CHANGED_MEANWHILE):
        _move(session, actor, profile, VettingStatus.SUSPENDED, "suspend", reason=reason.strip())
    return profile


def lift_suspension(
    session: Session, mediator: User, profile_id: int, reason: str
) -> EmployerProfile:
    """Lift an employer's suspension, with a reason, back to the status it had before."""
    if mediator.role != Role.MEDIATOR:
        raise Forbidden("Only a mediator may lift a suspension.")
    if not reason.strip():
        raise ValidationError("Give the reason for lifting the suspension.")
    profile = _profile(session, profile_id)
    if profile.status != VettingStatus.SUSPENDED:
        raise InvalidTransition(
            "This employer is not suspended but %(status)s.", status=profile.status
        )
    if has_open_serious_signal(session, profile.id):
        raise InvalidTransition(
            "A signal about this employer marked serious is still open: close it first."
        )
    target = _status_before_suspension(session, profile)
    check_transition(profile.status, target, mediator.role)
    with first_writer_wins(CHANGED_MEANWHILE):
        _move(session, mediator, profile, target, "lift_suspension", reason=reason.strip())
    return profile


def _profile(session: Session, profile_id: int) -> EmployerProfile:
    profile = session.get(EmployerProfile, profile_id)
    if profile is None:
        raise NotFound("No employer %(id)s.", id=profile_id)
    return profile


def _status_before_suspension(session: Session, profile: EmployerProfile) -> VettingStatus:
    # The audit log is the one record of the status before; no column duplicates it.
    suspended = session.scalar(
        select(AuditEvent)
        .where(
            AuditEvent.object_type == "employer",
            AuditEvent.object_id == profile.id,
            AuditEvent.to_state == VettingStatus.SUSPENDED,
        )
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(1)
    )
    before = VettingStatus(suspended.from_state) if suspended and suspended.from_state else None
    # states.py suspends only approved employers, and lets a mediator return to either approval.
    # Anything else means a gap in the log: re-approving blindly could match an unvetted employer.
    if before not in allowed_targets(VettingStatus.SUSPENDED, Role.MEDIATOR):
        raise InvalidTransition(
            "The status before this suspension is unknown;"
            " reject the employer or have it vetted again."
        )
    return before
