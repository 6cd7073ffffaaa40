"""The programme dashboard: people helped, matches, placements, employers vetted, signals.

Every figure is one SQL aggregate over the existing tables for a period (both days included,
UTC) and, optionally, one support organisation's clients. Nothing is loaded row by row.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, Select, and_, case, exists, func, or_, select, true
from sqlalchemy.orm import Session

from matcher.accounts.models import Organisation, OrganisationKind, Role, User
from matcher.audit.services import record_event
from matcher.dashboard.results import (
    ClientFigures,
    Dashboard,
    FollowUp,
    MonthCount,
    PartnerRow,
    Period,
    PlacementFigures,
    ProposalFigures,
    SignalFigures,
)
from matcher.dashboard.sql import date_of, days_between_dates, days_between_times, month_of
from matcher.employers.models import EmployerProfile, Signal, SignalLink
from matcher.employers.states import VettingStatus
from matcher.errors import Forbidden, NotFound, ValidationError
from matcher.matching.models import (
    Placement,
    PlacementStage,
    Proposal,
    ProposalStatus,
    RejectReason,
)
from matcher.profiles.models import Client

MAX_YEARS = 10
# Approved with the client's consent: the employer has seen the anonymised card.
INTRODUCED = (ProposalStatus.APPROVED, ProposalStatus.INVITED, ProposalStatus.DECLINED)
NOT_DECIDED = (ProposalStatus.PROPOSED, ProposalStatus.DEFERRED)


def build_dashboard(
    session: Session,
    user: User,
    *,
    period_start: date,
    period_end: date,
    organisation_id: int | None = None,
) -> Dashboard:
    """Show the programme's figures for a period and, optionally, one partner organisation."""
    if user.role not in (Role.MEDIATOR, Role.ADMIN):
        raise Forbidden("Only mediators and admins may see the dashboard.")
    period = _period(period_start, period_end)
    if organisation_id is not None:
        _support_organisation(session, organisation_id)
    return Dashboard(
        period=period,
        organisation_id=organisation_id,
        clients=count_clients(session, period, organisation_id),
        proposals=count_proposals(session, period, organisation_id),
        placements=count_placements(session, period, organisation_id),
        employers_by_status=count_employers_by_status(session),
        signals=count_signals(session, period, organisation_id),
        partners=list_active_partners(session, period, organisation_id),
    )


def record_dashboard_export(session: Session, user: User, table: str, board: Dashboard) -> None:
    """Write a dashboard CSV download to the audit log: who took which figures, for when."""
    # Figures leave the system in the file; the object is the partner organisation filtered
    # on, 0 for the whole programme.
    record_event(session, user, "export_dashboard", "dashboard", board.organisation_id or 0,
                 details={"table": table, "start": board.period.start.isoformat(),
                          "end": board.period.end.isoformat()})  # fmt: skip


def last_twelve_months(today: date) -> tuple[date, date]:
    """The default period: the current month and the eleven before it, up to today."""
    month = today.year * 12 + today.month - 1 - 11
    return date(month // 12, month % 12 + 1, 1), today


def list_support_organisations(session: Session, user: User) -> list[Organisation]:
    """List the partner (support) organisations the dashboard can be filtered by."""
    if user.role not in (Role.MEDIATOR, Role.ADMIN):
        raise Forbidden("Only mediators and admins may see the dashboard.")
    query = select(Organisation).where(Organisation.kind == OrganisationKind.SUPPORT)
    return list(session.scalars(query.order_by(Organisation.name)))


def count_clients(session: Session, period: Period, organisation_id: int | None) -> ClientFigures:
    """Clients whose profile was made in the period, and clients active in it."""
    mine = _own_clients(organisation_id)
    new = session.scalar(select(func.count()).where(mine, _new_client(period)))
    active = session.scalar(select(func.count()).where(mine, _active_client(period)))
    per_month = _per_month(
        session, Client.created_at, period, select().where(mine, _new_client(period))
    )
    return ClientFigures(new=new or 0, active=active or 0, new_per_month=per_month)


def count_proposals(
    session: Session, period: Period, organisation_id: int | None
) -> ProposalFigures:
    """Proposals made in the period, and the mediators' approvals and rejections in it."""
    mine = _own_proposals(organisation_id)
    made_in = _within(Proposal.created_at, period)
    decided_in = _within(Proposal.decided_at, period)
    row = session.execute(
        select(
            _count_if(made_in),
            _count_if(and_(decided_in, Proposal.reject_reason.is_(None),
                           Proposal.status.not_in(NOT_DECIDED))),
            _count_if(and_(decided_in, Proposal.status == ProposalStatus.REJECTED)),
        ).where(mine)
    ).one()  # fmt: skip
    by_reason = dict(
        session.execute(
            select(Proposal.reject_reason, func.count())
            .where(mine, decided_in, Proposal.status == ProposalStatus.REJECTED)
            .group_by(Proposal.reject_reason)
        ).all()
    )
    reasons = sorted(
        RejectReason, key=lambda r: (-by_reason.get(r, 0), list(RejectReason).index(r))
    )
    per_month = _per_month(session, Proposal.created_at, period, select().where(mine, made_in))
    return ProposalFigures(
        made=row[0] or 0,
        approved=row[1] or 0,
        rejected=row[2] or 0,
        rejected_by_reason=[(r, by_reason.get(r, 0)) for r in reasons],
        made_per_month=per_month,
    )


def count_placements(
    session: Session, period: Period, organisation_id: int | None
) -> PlacementFigures:
    """Introductions, interviews and hires in the period, and how the hires lasted."""
    introductions = session.scalar(
        select(func.count()).where(
            _own_proposals(organisation_id),
            Proposal.status.in_(INTRODUCED),
            _within(Proposal.approved_at, period),
        )
    )
    placements = _own_placements(organisation_id)
    interviews = session.scalar(placements.with_only_columns(func.count()).where(
        _within(Placement.created_at, period)))  # fmt: skip
    hired = _hired_in(period)
    hires = session.scalar(placements.with_only_columns(func.count()).where(hired))
    return PlacementFigures(
        introductions=introductions or 0,
        interviews=interviews or 0,
        hires=hires or 0,
        after_3_months=_follow_up(session, placements.where(hired),
                                  Placement.working_after_3_months),
        after_6_months=_follow_up(session, placements.where(hired),
                                  Placement.working_after_6_months),
        median_days_to_hire=_median(session, placements.where(hired).with_only_columns(
            days_between_dates(Placement.start_date, date_of(Client.created_at)))),
    )  # fmt: skip


def count_employers_by_status(session: Session) -> list[tuple[VettingStatus, int]]:
    """Employers in each vetting state now, every state listed."""
    counts = dict(
        session.execute(
            select(EmployerProfile.status, func.count()).group_by(EmployerProfile.status)
        ).all()
    )
    return [(status, counts.get(status, 0)) for status in VettingStatus]


def count_signals(session: Session, period: Period, organisation_id: int | None) -> SignalFigures:
    """Signals received and closed in the period, and the median days until the feedback."""
    mine = _own_signals(organisation_id)
    closed_in = _within(Signal.closed_at, period)
    row = session.execute(
        select(_count_if(_within(Signal.created_at, period)), _count_if(closed_in)).where(mine)
    ).one()
    days = select(days_between_times(Signal.closed_at, Signal.created_at)).where(mine, closed_in)
    return SignalFigures(
        received=row[0] or 0, closed=row[1] or 0, median_days_to_feedback=_median(session, days)
    )


def list_active_partners(
    session: Session, period: Period, organisation_id: int | None
) -> list[PartnerRow]:
    """Support organisations with clients new or active in the period, busiest first."""
    new, active = _new_client(period), _active_client(period)
    rows = session.execute(
        select(Organisation.id, Organisation.name, _count_if(new), _count_if(active))
        .join(Client, Client.organisation_id == Organisation.id)
        .where(Organisation.kind == OrganisationKind.SUPPORT, _own_clients(organisation_id),
               or_(new, active))
        .group_by(Organisation.id, Organisation.name)
    ).all()  # fmt: skip
    partners = [PartnerRow(*row) for row in rows]
    return sorted(partners, key=lambda p: (-p.active_clients, -p.new_clients, p.name))


def _period(start: date, end: date) -> Period:
    if start > end:
        raise ValidationError("The start of the period must not be after its end.")
    if end.year - start.year > MAX_YEARS:
        raise ValidationError("Choose a period of at most %(years)s years.", years=MAX_YEARS)
    return Period(start, end)


def _support_organisation(session: Session, organisation_id: int) -> Organisation:
    organisation = session.get(Organisation, organisation_id)
    if organisation is None or organisation.kind != OrganisationKind.SUPPORT:
        raise NotFound("No partner organisation %(id)s.", id=organisation_id)
    return organisation


def _within(column: ColumnElement, period: Period) -> ColumnElement[bool]:
    return and_(column >= period.starts_at, column < period.ends_before)


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _new_client(period: Period) -> ColumnElement[bool]:
    return _within(Client.created_at, period)


def _active_client(period: Period) -> ColumnElement[bool]:
    """Not erased, and created, changed or proposed for in the period.

    A client keeps only the time of its last change, so a change after the period hides earlier
    ones; a proposal in the period still counts the client as active then.
    """
    proposed = exists().where(Proposal.client_id == Client.id, _within(Proposal.created_at, period))
    return and_(
        Client.erased_at.is_(None),
        or_(_new_client(period), _within(Client.last_activity_at, period), proposed),
    )


def _own_clients(organisation_id: int | None) -> ColumnElement[bool]:
    return true() if organisation_id is None else Client.organisation_id == organisation_id


def _own_proposals(organisation_id: int | None) -> ColumnElement[bool]:
    if organisation_id is None:
        return true()
    return Proposal.client_id.in_(select(Client.id).where(_own_clients(organisation_id)))


def _own_placements(organisation_id: int | None) -> Select:
    return (
        select(Placement.id)
        .select_from(Placement)
        .join(Proposal, Proposal.id == Placement.proposal_id)
        .join(Client, Client.id == Proposal.client_id)
        .where(_own_clients(organisation_id))
    )


def _own_signals(organisation_id: int | None) -> ColumnElement[bool]:
    """Signals reported by the organisation's people or through its coaches' report links."""
    if organisation_id is None:
        return true()
    reporters = select(User.id).where(User.organisation_id == organisation_id)
    links = select(SignalLink.id).where(SignalLink.organisation_id == organisation_id)
    return or_(Signal.reporter_id.in_(reporters), Signal.link_id.in_(links))


def _hired_in(period: Period) -> ColumnElement[bool]:
    return and_(
        Placement.stage == PlacementStage.HIRED,
        Placement.start_date >= period.start,
        Placement.start_date <= period.end,
    )


def _follow_up(session: Session, hires: Select, column: ColumnElement) -> FollowUp:
    row = session.execute(
        hires.with_only_columns(
            _count_if(column.is_(True)), _count_if(column.is_(False)), _count_if(column.is_(None))
        )
    ).one()
    return FollowUp(working=row[0], not_working=row[1], unknown=row[2])


def _per_month(
    session: Session, column: ColumnElement, period: Period, rows: Select
) -> list[MonthCount]:
    """Count the rows per month of the column, every month of the period listed."""
    month = month_of(column)
    counts = dict(
        session.execute(rows.with_only_columns(month, func.count()).group_by(month)).all()
    )
    return [MonthCount(m, counts.get(m, 0)) for m in period.months()]


def _median(session: Session, values: Select) -> float | None:
    """The median of a one-column query, found in SQL: count, then read the middle one or two."""
    sub = values.subquery()
    (column,) = sub.c
    n = session.scalar(select(func.count()).select_from(sub)) or 0
    if n == 0:
        return None
    middle = session.scalars(
        select(column).order_by(column).offset((n - 1) // 2).limit(2 - n % 2)
    ).all()
    return round(sum(float(v) for v in middle) / len(middle), 1)
