"""Signals (the meldroute): reporting, the reporter's own signals, triage, personal links."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import current_user, login_required

from matcher.accounts.models import Role
from matcher.db import utcnow
from matcher.employers.links import (
    RateLimited,
    create_signal_link,
    find_signal_link,
    list_link_signals,
    list_signal_links,
    report_via_link,
    revoke_signal_link,
)
from matcher.employers.signals import (
    close_signal,
    get_signal_for_triage,
    link_signal_to_employer,
    list_closed_signals,
    list_own_signals,
    list_registered_employers,
    list_reportable_employers,
    list_signals_for_triage,
    mark_serious,
    report_signal,
    start_review,
)
from matcher.errors import InvalidTransition, NotFound, ValidationError
from web.access import roles_required
from web.db import get_session
from web.names import error_message
from web.signals.forms import (
    CloseForm,
    LinkEmployerForm,
    ReportForm,
    ReviewForm,
    RevokeLinkForm,
    SeriousForm,
    SignalForm,
    SignalLinkForm,
    optional_id,
)

bp = Blueprint("signals", __name__, template_folder="templates")


@bp.after_request
def keep_tokens_private(response: Response) -> Response:
    # The personal link's token is in the URL: no referrer may carry it off, no cache keep it.
    if request.endpoint in ("signals.public_report", "signals.create_link"):
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/signals/new", methods=["GET", "POST"])
@login_required
def new() -> ResponseReturnValue:
    session = get_session()
    form = SignalForm()
    form.set_employers(list_reportable_employers(session))
    if form.validate_on_submit():
        try:
            report_signal(
                session, current_user.user, employer_id=optional_id(form.employer.data),
                **_report_fields(form),
            )  # fmt: skip
        except ValidationError as error:
            flash(error_message(error), "error")
        else:
            session.commit()
            flash(_thank_you(), "info")
            return redirect(url_for("signals.own"))
    status = 400 if form.is_submitted() else 200
    return render_template("signals/new.html", form=form), status


@bp.get("/signals")
@login_required
def own() -> ResponseReturnValue:
    signals = list_own_signals(get_session(), current_user.user)
    return render_template("signals/own.html", signals=signals)


@bp.get("/mediator/signals")
@roles_required(Role.MEDIATOR)
def triage() -> ResponseReturnValue:
    session, mediator = get_session(), current_user.user
    return render_template(
        "signals/triage.html",
        open_signals=list_signals_for_triage(session, mediator),
        closed_signals=list_closed_signals(session, mediator),
    )


@bp.get("/mediator/signals/<int:signal_id>")
@roles_required(Role.MEDIATOR)
def detail(signal_id: int) -> ResponseReturnValue:
    return _detail_page(signal_id)


@bp.post("/mediator/signals/<int:signal_id>/review")
@roles_required(Role.MEDIATOR)
def review(signal_id: int) -> ResponseReturnValue:
    form = ReviewForm()
    if not form.validate_on_submit():
        return _detail_page(signal_id, 400, review_form=form)
    return _act(signal_id, gettext("The review has started."), start_review,
                form.version.data, form.notes.data)  # fmt: skip


@bp.post("/mediator/signals/<int:signal_id>/close")
@roles_required(Role.MEDIATOR)
def close(signal_id: int) -> ResponseReturnValue:
    form = CloseForm()
    if not form.validate_on_submit():
        return _detail_page(signal_id, 400, close_form=form)
    return _act(signal_id, gettext("The signal is closed. The reporter can read your feedback."),
                close_signal, form.version.data, form.outcome.data, form.feedback.data,
                form.notes.data)  # fmt: skip


@bp.post("/mediator/signals/<int:signal_id>/serious")
@roles_required(Role.MEDIATOR)
def serious(signal_id: int) -> ResponseReturnValue:
    form = SeriousForm()
    if not form.validate_on_submit():
        return _detail_page(signal_id, 400, serious_form=form)
    return _act(signal_id, gettext("The signal is marked serious."), mark_serious,
                form.version.data, form.reason.data)  # fmt: skip


@bp.post("/mediator/signals/<int:signal_id>/employer")
@roles_required(Role.MEDIATOR)
def link_employer(signal_id: int) -> ResponseReturnValue:
    form = LinkEmployerForm()
    form.set_employers(list_registered_employers(get_session(), current_user.user))
    if not form.validate_on_submit():
        return _detail_page(signal_id, 400, employer_form=form)
    return _act(signal_id, gettext("The signal is linked to the employer."),
                link_signal_to_employer, form.version.data, int(form.employer.data))  # fmt: skip


@bp.get("/coach/signal-links")
@roles_required(Role.COACH)
def links() -> ResponseReturnValue:
    return _links_page(SignalLinkForm())


@bp.post("/coach/signal-links")
@roles_required(Role.COACH)
def create_link() -> ResponseReturnValue:
    form = SignalLinkForm()
    if not form.validate_on_submit():
        return _links_page(form, status=400)
    session = get_session()
    try:
        _, token = create_signal_link(
            # A POST without the field gives None (was a 500): the label is optional.
            session,
            current_user.user,
            form.label.data or "",
            form.valid_days.data,
        )
    except ValidationError as error:
        flash(error_message(error), "error")
        return _links_page(form, status=400)
    session.commit()
    # Shown in this answer only, never redirected through a flash: the session cookie is
    # readable by the browser, and the token must exist nowhere but on this page.
    new_url = url_for("signals.public_report", token=token, _external=True)
    return _links_page(SignalLinkForm(formdata=None), new_url=new_url)


@bp.post("/coach/signal-links/<int:link_id>/revoke")
@roles_required(Role.COACH)
def revoke_link(link_id: int) -> ResponseReturnValue:
    if RevokeLinkForm().validate_on_submit():
        session = get_session()
        try:
            revoke_signal_link(session, current_user.user, link_id)
        except InvalidTransition as error:
            flash(error_message(error), "error")
        else:
            session.commit()
            flash(gettext("The link is revoked. It no longer works."), "info")
    return redirect(url_for("signals.links"))


@bp.route("/report/<token>", methods=["GET", "POST"])
def public_report(token: str) -> ResponseReturnValue:
    session, now = get_session(), utcnow()
    try:
        find_signal_link(session, token, now)
    except NotFound:
        return render_template("signals/link_invalid.html"), 404
    form, status = ReportForm(), 200
    if form.validate_on_submit():
        try:
            report_via_link(session, token, client_ip=request.remote_addr or "", now=now,
                            employer_id=None, **_report_fields(form))  # fmt: skip
        except ValidationError as error:
            flash(error_message(error), "error")
            status = 429 if isinstance(error, RateLimited) else 400
        else:
            session.commit()
            flash(_thank_you(), "info")
            return redirect(url_for("signals.public_report", token=token))
    elif form.is_submitted():
        status = 400
    signals = list_link_signals(session, token, now)
    return render_template("signals/public_report.html", form=form, signals=signals), status


def _report_fields(form: ReportForm) -> dict[str, str]:
    return {
        "text": form.text.data,
        "employer_name": form.employer_name.data or "",
        "vacancy_ref": form.vacancy_ref.data or "",
        "contact": form.contact.data or "",
    }


def _thank_you() -> str:
    return gettext(
        "Thank you for your report. A mediator will look at it."
        " Their feedback will appear with your report on this page."
    )


def _act(signal_id: int, done: str, action: Callable, *args: object) -> ResponseReturnValue:
    session = get_session()
    try:
        action(session, current_user.user, signal_id, *args)
    except (InvalidTransition, ValidationError) as error:
        # A lost race leaves the session unusable; what the page shows next is read afresh.
        session.rollback()
        flash(error_message(error), "error")
    else:
        session.commit()
        flash(done, "info")
    return redirect(url_for("signals.detail", signal_id=signal_id))


def _detail_page(signal_id: int, status: int = 200, **forms: object) -> ResponseReturnValue:
    session, mediator = get_session(), current_user.user
    triage = get_signal_for_triage(session, mediator, signal_id)
    version = triage.signal.version_id
    employer_form = LinkEmployerForm(formdata=None, version=version)
    employer_form.set_employers(list_registered_employers(session, mediator))
    forms = {
        "review_form": ReviewForm(formdata=None, version=version),
        "close_form": CloseForm(formdata=None, version=version),
        "serious_form": SeriousForm(formdata=None, version=version),
        "employer_form": employer_form,
    } | forms
    return render_template("signals/detail.html", triage=triage, **forms), status


def _links_page(
    form: SignalLinkForm, status: int = 200, new_url: str | None = None
) -> ResponseReturnValue:
    signal_links = list_signal_links(get_session(), current_user.user)
    return render_template(
        "signals/links.html",
        form=form,
        signal_links=signal_links,
        new_url=new_url,
        revoke_form=RevokeLinkForm(formdata=None),
        now=utcnow(),
    ), status
