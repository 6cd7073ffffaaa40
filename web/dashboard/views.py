"""The programme dashboard for mediators and admins: figures, charts and CSV per table."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import format_date, format_decimal, gettext
from flask_login import current_user

from matcher.accounts.models import Role
from matcher.dashboard.results import Dashboard
from matcher.dashboard.services import (
    build_dashboard,
    last_twelve_months,
    list_support_organisations,
    record_dashboard_export,
)
from matcher.db import utcnow
from matcher.errors import NotFound, ValidationError
from web.access import roles_required
from web.dashboard.charts import bar_chart
from web.dashboard.forms import DashboardForm
from web.dashboard.tables import dashboard_tables, to_csv
from web.db import get_session
from web.names import error_message

bp = Blueprint("dashboard", __name__, template_folder="templates")


@bp.get("/dashboard")
@roles_required(Role.MEDIATOR, Role.ADMIN)
def index() -> ResponseReturnValue:
    form, board = _filtered_dashboard()
    charts = {
        name: bar_chart([(_month_label(m.month), m.count) for m in months])
        for name, months in (("new-clients", board.clients.new_per_month),
                             ("proposals", board.proposals.made_per_month))
    }  # fmt: skip
    return render_template("dashboard/index.html", form=form, board=board, charts=charts,
                           tables=dashboard_tables(board), filters=_filters(board),
                           format_date=format_date, format_decimal=format_decimal)  # fmt: skip


@bp.get("/dashboard/<name>.csv")
@roles_required(Role.MEDIATOR, Role.ADMIN)
def export(name: str) -> ResponseReturnValue:
    form, board = _filtered_dashboard()
    if form.errors:
        abort(400)
    table = dashboard_tables(board).get(name) or abort(404)
    session = get_session()
    record_dashboard_export(session, current_user.user, name, board)
    session.commit()
    period = f"{board.period.start.isoformat()}_{board.period.end.isoformat()}"
    return Response(
        to_csv(table),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="fairmatch-{name}-{period}.csv"'},
    )


def _filtered_dashboard() -> tuple[DashboardForm, Dashboard]:
    """The dashboard the query string asks for; on bad filters, the default one and the errors."""
    session, user = get_session(), current_user.user
    form = DashboardForm(formdata=request.args)
    form.organisation.choices = [("", gettext("All partner organisations"))] + [
        (str(o.id), o.name) for o in list_support_organisations(session, user)
    ]
    start, end = last_twelve_months(utcnow().date())
    board = None
    if form.validate():
        try:
            board = build_dashboard(
                session, user, period_start=form.start.data or start,
                period_end=form.end.data or end,
                organisation_id=int(form.organisation.data) if form.organisation.data else None,
            )  # fmt: skip
        except (ValidationError, NotFound) as error:
            form.form_errors.append(error_message(error))
    board = board or build_dashboard(session, user, period_start=start, period_end=end)
    _show_filters(form, board)
    return form, board


def _show_filters(form: DashboardForm, board: Dashboard) -> None:
    """Fill the empty filters in with the ones applied; wrong input stays, to be corrected."""
    if form.errors:
        return
    form.start.data, form.end.data = board.period.start, board.period.end
    form.start.raw_data = form.end.raw_data = None
    form.organisation.data = str(board.organisation_id or "")


def _filters(board: Dashboard) -> dict[str, str]:
    """The query string of the figures shown, for the CSV links."""
    filters = {"from": board.period.start.isoformat(), "to": board.period.end.isoformat()}
    if board.organisation_id is not None:
        filters["organisation"] = str(board.organisation_id)
    return filters


def _month_label(month: str) -> str:
    year, number = (int(part) for part in month.split("-"))
    return format_date(date(year, number, 1), "MMM yy")
