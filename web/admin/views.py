"""/admin/users: who can sign in; /admin/outbox: the mail; /admin/jobs: the scheduled jobs."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from matcher.accounts.models import Role
from matcher.accounts.services import list_users
from matcher.jobs.catalog import JOBS
from matcher.jobs.models import RunStatus
from matcher.jobs.runner import last_runs, run_job_now
from matcher.notifications.services import list_outbox
from web.access import roles_required
from web.admin.forms import RunJobForm
from web.db import get_session, session_factory

bp = Blueprint("admin", __name__, template_folder="templates", url_prefix="/admin")


@bp.get("/users")
@roles_required(Role.ADMIN)
def users() -> ResponseReturnValue:
    return render_template("admin/users.html", users=list_users(get_session()))


@bp.get("/outbox")
@roles_required(Role.ADMIN)
def outbox() -> ResponseReturnValue:
    return render_template("admin/outbox.html", mails=list_outbox(get_session(), current_user.user))


# What each job does and when, in words (the catalogue holds the trigger in APScheduler's terms).
JOB_TITLES = {
    "rerank_changed": _l("Re-rank what changed"),
    "rerank_all": _l("Re-rank everyone"),
    "vetting": _l("Vetting: expiry warnings and expiries"),
    "close_vacancies": _l("Close vacancies past their closing date"),
    "end_consents": _l("End consents past their end date"),
    "retention": _l("Retention: anonymise inactive clients, clear old signals"),
    "send_outbox": _l("Send the e-mail outbox"),
}
JOB_SCHEDULES = {
    "rerank_changed": _l("every 15 minutes"),
    "rerank_all": _l("daily at 02:30 UTC"),
    "vetting": _l("daily at 01:00 UTC"),
    "close_vacancies": _l("daily at 00:15 UTC"),
    "end_consents": _l("daily at 00:20 UTC"),
    "retention": _l("daily at 03:30 UTC"),
    "send_outbox": _l("every 5 minutes"),
}
RUN_STATUS_NAMES = {
    RunStatus.RUNNING: _l("running"),
    RunStatus.SUCCEEDED: _l("succeeded"),
    RunStatus.FAILED: _l("failed"),
}


@bp.get("/jobs")
@roles_required(Role.ADMIN)
def jobs() -> ResponseReturnValue:
    runs = {name: last_runs(get_session(), name, limit=5) for name in JOBS}
    return render_template(
        "admin/jobs.html", jobs=JOBS, runs=runs, titles=JOB_TITLES, schedules=JOB_SCHEDULES,
        status_names=RUN_STATUS_NAMES, form=RunJobForm(formdata=None),
    )  # fmt: skip


@bp.post("/jobs/<name>/run")
@roles_required(Role.ADMIN)
def run_job(name: str) -> ResponseReturnValue:
    if not RunJobForm().validate_on_submit():
        abort(400)
    admin = current_user.user
    # The job commits in transactions of its own; the request's ends first, holding nothing.
    get_session().commit()
    outcome = run_job_now(session_factory(), admin, name)
    title = JOB_TITLES.get(name, name)
    if outcome.held_by:
        flash(_("%(job)s is running elsewhere just now (%(holder)s): try again later.",
                job=title, holder=outcome.held_by), "error")  # fmt: skip
    elif outcome.status == RunStatus.FAILED:
        flash(_("%(job)s failed: %(error)s", job=title, error=outcome.error), "error")
    else:
        flash(_("%(job)s has run.", job=title), "info")
    return redirect(url_for(".jobs"))
