"""Placement follow-up after an invitation, and the coach's view of a client's proposals.

A coach of the client's organisation or a mediator records, in order: the interview's outcome
(hired from a start date, or not hired with a reason), then whether the client is still working
3 months after the start, then 6 months after it. Each step is refused before its time or out of
order, and written to the audit log.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager

from matcher.accounts.models import Role, User
from matcher.audit.services import record_event
from matcher.db import first_writer_wins, utcnow
from matcher.errors import N_, Forbidden, InvalidTransition, NotFound, ValidationError
from matcher.matching.cards import Card, build_card, sharing_in_force
from matcher.matching.models import (
    NotHiredReason,
    Placement,
    PlacementStage,
    Proposal,
    ProposalStatus,
)
from matcher.pagination import Page, fetch_page
from matcher.profiles.access import client_for, view_client
from matcher.profiles.models import Client
from matcher.vacancies.models import Vacancy

NOTE_MAX = 2000
CHANGED_MEANWHILE = N_("This placement was changed by someone else meanwhile; look at it again.")


@dataclass(frozen=True)
class Due:
    """What is to be recorded next, and from when: an outcome, or the 3- or 6-month check."""

    kind: str  # "outcome", "check_3" or "check_6"
    on: date | None  # the interview's date for an outcome (when known), else the check's date
    reached: bool


@dataclass(frozen=True)
class Check:
    months: int
    working: bool
    recorded_at: datetime | None
    recorded_by: str  # the e-mail address of who recorded it


@dataclass(frozen=True)
class PlacementEntry:
    id: int
    proposal_id: int
    client_id: int
    client_code: str
    vacancy_title: str
    employer_name: str
    stage: PlacementStage
    interview_on: date | None
    start_date: date | None
    not_hired_reason: NotHiredReason | None
    note: str
    checks: tuple[Check, ...]
    due: Due | None  # None: nothing more to record
    version: int


@dataclass(frozen=True)
class NextStep:
    """What happens next with a proposal, as a code the web layer puts in words."""

    code: str  # waiting_for_mediator, waiting_for_consent, introduced, invited, declined,
    # rejected, frozen, hired, not_hired, stopped (not working at a check), done
    on: date | None = None  # the interview's or the start date
    due: Due | None = None


@dataclass(frozen=True)
class ProposalEntry:
    proposal_id: int
    vacancy_title: str
    employer_id: int
    employer_name: str
    status: ProposalStatus
    created_at: datetime
    step: NextStep
    card: Card  # what the employer sees (or would see, once consent and approval are there)
    placement: PlacementEntry | None


def add_months(day: date, months: int) -> date:
    """The same day so many months later (the month's last day when it is shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def record_interview_outcome(
    session: Session,
    user: User,
    placement_id: int,
    *,
    hired: bool,
    start_date: date | None = None,
    reason: NotHiredReason | str | None = None,
    note: str = "",
    version: int | None = None,
) -> Placement:
    """Record the interview's outcome: hired from a start date, or not hired with a reason."""
    placement = _placement_for(session, user, placement_id, version)
    if placement.stage != PlacementStage.INTERVIEW:
        raise InvalidTransition("The interview's outcome has already been recorded.")
    note = _note(note)
    # Everything is checked before anything changes.
    if hired and start_date is None:
        raise ValidationError("Enter the date the client starts work.")
    if hired:
        placement.stage, placement.start_date = PlacementStage.HIRED, start_date
    else:
        reason = _not_hired_reason(reason, note)
        placement.stage, placement.not_hired_reason = PlacementStage.NOT_HIRED, reason
    placement.note, placement.updated_at = note, utcnow()
    with first_writer_wins(CHANGED_MEANWHILE):
        session.flush()
    record_event(session, user, "record_interview_outcome", "placement", placement.id,
                 from_state=PlacementStage.INTERVIEW, to_state=placement.stage,
                 reason=placement.not_hired_reason.value if placement.not_hired_reason else "",
                 details={"start_date": start_date.isoformat() if hired else None})  # fmt: skip
    return placement


def record_still_working(
    session: Session,
    user: User,
    placement_id: int,
    *,
    months: int,
    working: bool,
    today: date | None = None,
    version: int | None = None,
) -> Placement:
    """Record whether a hired client is still working 3 (then 6) months after the start."""
    today = today or utcnow().date()
    placement = _placement_for(session, user, placement_id, version)
    if months not in (3, 6):
        raise ValidationError("Follow-up checks are at 3 and at 6 months.")
    if placement.stage != PlacementStage.HIRED or placement.start_date is None:
        raise InvalidTransition("Only a client who was hired is followed up.")
    if getattr(placement, f"working_after_{months}_months") is not None:
        raise InvalidTransition(
            "The %(months)d-month check has already been recorded.", months=months
        )
    if months == 6 and placement.working_after_3_months is None:
        raise InvalidTransition("Record the 3-month check first.")
    if months == 6 and placement.working_after_3_months is False:
        raise InvalidTransition(
            "The client had stopped working by the 3-month check; there is no 6-month check."
        )
    due_on = add_months(placement.start_date, months)
    if today < due_on:
        raise ValidationError(
            "The %(months)d-month check can be recorded from %(date)s.", months=months, date=due_on
        )
    setattr(placement, f"working_after_{months}_months", working)
    setattr(placement, f"recorded_{months}_months_at", utcnow())
    setattr(placement, f"recorded_{months}_months_by_id", user.id)
    placement.updated_at = utcnow()
    with first_writer_wins(CHANGED_MEANWHILE):
        session.flush()
    record_event(session, user, "record_still_working", "placement", placement.id,
                 details={"months": months, "working": working})  # fmt: skip
    return placement


def list_placements(
    session: Session,
    user: User,
    *,
    stage: PlacementStage | str | None = None,
    today: date | None = None,
    page: int | None = None,
    per_page: int | None = None,
) -> Page[PlacementEntry]:
    """List placements with what is due next: a mediator all, a coach its organisation's."""
    if user.role not in (Role.MEDIATOR, Role.COACH):
        raise Forbidden("Only mediators and job coaches follow placements.")
    query = (
        select(Placement)
        .join(Placement.proposal)
        .join(Proposal.client)
        # Each line names the client, vacancy and employer: read with the placements, not
        # three more queries per placement.
        .options(
            contains_eager(Placement.proposal).contains_eager(Proposal.client),
            contains_eager(Placement.proposal)
            .selectinload(Proposal.vacancy)
            .selectinload(Vacancy.employer),
        )
        .where(Client.erased_at.is_(None))
        .order_by(Placement.created_at.desc(), Placement.id.desc())
    )
    if user.role == Role.COACH:
        query = query.where(Client.organisation_id == user.organisation_id)
    if stage:
        try:
            query = query.where(Placement.stage == PlacementStage(stage))
        except ValueError:
            raise ValidationError("Choose a stage from the list.") from None
    today = today or utcnow().date()
    placements = fetch_page(session, query, page, per_page).map(lambda row: row[0])
    emails = _recorders(session, placements.items)
    return placements.map(lambda p: placement_entry(p, today, emails))


def get_placement(
    session: Session, user: User, placement_id: int, *, today: date | None = None
) -> PlacementEntry:
    """Open one placement (it shows the client's code, so the view is audited)."""
    placement = _placement_for(session, user, placement_id, None)
    view_client(session, user, placement.proposal.client_id)
    return placement_entry(placement, today or utcnow().date(), _recorders(session, [placement]))


def list_client_proposals(
    session: Session, user: User, client_id: int, *, lang: str = "en", today: date | None = None
) -> list[ProposalEntry]:
    """List every proposal of a client, newest first, with its next step and its card."""
    client = view_client(session, user, client_id)
    today = today or utcnow().date()
    proposals = session.scalars(
        select(Proposal)
        .where(Proposal.client_id == client.id)
        .order_by(Proposal.created_at.desc(), Proposal.id.desc())
    ).all()
    emails = _recorders(session, [p.placement for p in proposals if p.placement])
    entries = []
    for proposal in proposals:
        vacancy: Vacancy = proposal.vacancy
        placement = (
            placement_entry(proposal.placement, today, emails) if proposal.placement else None
        )
        entries.append(
            ProposalEntry(
                proposal_id=proposal.id,
                vacancy_title=vacancy.title,
                employer_id=vacancy.employer_id,
                employer_name=vacancy.employer.legal_name,
                status=proposal.status,
                created_at=proposal.created_at,
                step=_next_step(session, proposal, placement, today),
                card=build_card(session, proposal, lang, today),
                placement=placement,
            )
        )
    return entries


def placement_entry(placement: Placement, today: date, emails: dict[int, str]) -> PlacementEntry:
    """A placement as the pages show it, with what is due next."""
    proposal = placement.proposal
    checks = tuple(
        Check(
            months,
            getattr(placement, f"working_after_{months}_months"),
            getattr(placement, f"recorded_{months}_months_at"),
            emails.get(getattr(placement, f"recorded_{months}_months_by_id"), ""),
        )
        for months in (3, 6)
        if getattr(placement, f"working_after_{months}_months") is not None
    )
    return PlacementEntry(
        id=placement.id,
        proposal_id=proposal.id,
        client_id=proposal.client_id,
        client_code=proposal.client.code,
        vacancy_title=proposal.vacancy.title,
        employer_name=proposal.vacancy.employer.legal_name,
        stage=placement.stage,
        interview_on=placement.interview_on,
        start_date=placement.start_date,
        not_hired_reason=placement.not_hired_reason,
        note=placement.note,
        checks=checks,
        due=due_next(placement, today),
        version=placement.version_id,
    )


def due_next(placement: Placement, today: date) -> Due | None:
    """What is to be recorded next for a placement, or None when its follow-up is over."""
    if placement.stage == PlacementStage.INTERVIEW:
        on = placement.interview_on
        return Due("outcome", on, on is None or on <= today)
    if placement.stage != PlacementStage.HIRED or placement.start_date is None:
        return None
    for months in (3, 6):
        working = getattr(placement, f"working_after_{months}_months")
        if working is None:
            on = add_months(placement.start_date, months)
            return Due(f"check_{months}", on, on <= today)
        if not working:
            return None
    return None


def _next_step(
    session: Session, proposal: Proposal, placement: PlacementEntry | None, today: date
) -> NextStep:
    status = proposal.status
    if status in (ProposalStatus.PROPOSED, ProposalStatus.DEFERRED):
        return NextStep("waiting_for_mediator")
    if status == ProposalStatus.WAITING_FOR_CONSENT or (
        status == ProposalStatus.APPROVED
        and not sharing_in_force(session, proposal.client, proposal.vacancy.employer_id, today)
    ):
        return NextStep("waiting_for_consent")
    if status == ProposalStatus.APPROVED:
        return NextStep("introduced")
    if status != ProposalStatus.INVITED or placement is None:
        return NextStep(status.value)  # declined, rejected, frozen
    if placement.stage == PlacementStage.INTERVIEW:
        return NextStep("invited", placement.interview_on, placement.due)
    if placement.stage == PlacementStage.NOT_HIRED:
        return NextStep("not_hired")
    if placement.due is not None:
        return NextStep("hired", placement.start_date, placement.due)
    stopped = any(not check.working for check in placement.checks)
    return NextStep("stopped" if stopped else "done", placement.start_date)


def _placement_for(
    session: Session, user: User, placement_id: int, version: int | None
) -> Placement:
    """The placement, when the user is a mediator or a coach of the client's organisation."""
    placement = session.get(Placement, placement_id)
    if placement is None:
        raise NotFound("No placement %(id)d.", id=placement_id)
    client_for(session, user, placement.proposal.client_id)
    if version is not None and version != placement.version_id:
        raise InvalidTransition(CHANGED_MEANWHILE)
    return placement


def _not_hired_reason(reason: NotHiredReason | str | None, note: str) -> NotHiredReason:
    try:
        value = NotHiredReason(reason)
    except ValueError:
        raise ValidationError("Choose why the client was not hired.") from None
    if value == NotHiredReason.OTHER and not note:
        raise ValidationError("Say in a few words why the client was not hired.")
    return value


def _note(note: str | None) -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError("A note can be at most %(max)d characters.", max=NOTE_MAX)
    return note


def _recorders(session: Session, placements: list[Placement]) -> dict[int, str]:
    ids = {
        uid
        for p in placements
        for uid in (p.recorded_3_months_by_id, p.recorded_6_months_by_id)
        if uid is not None
    }
    if not ids:
        return {}
    return dict(session.execute(select(User.id, User.email).where(User.id.in_(ids))).all())
