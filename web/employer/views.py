"""Employer pages: registration, the checklist with evidence, the status, the own users."""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import get_locale, gettext
from flask_login import current_user, login_user

from matcher.accounts.models import Role
from matcher.accounts.services import (
    add_organisation_user,
    deactivate_organisation_user,
    list_organisation_users,
)
from matcher.employers.evidence import open_evidence, remove_evidence, store_evidence
from matcher.employers.overview import (
    ChecklistIncomplete,
    EmployerOverview,
    get_employer_overview,
    start_new_checklist,
    submit_answers,
)
from matcher.employers.services import register_employer, save_answers
from matcher.errors import InvalidTransition, ValidationError
from matcher.ratelimit import allow_hit
from web.access import SignedInUser, roles_required
from web.db import get_session
from web.employer.forms import (
    AddUserForm,
    AnswersForm,
    DeactivateUserForm,
    EvidenceForm,
    RegistrationForm,
    RemoveEvidenceForm,
    RestartForm,
    answers_form,
    field_name,
    field_value,
    form_answer,
)
from web.names import error_message

bp = Blueprint("employer", __name__, template_folder="templates", url_prefix="/employer")

REGISTRATIONS_PER_HOUR = 10


@bp.route("/register", methods=["GET", "POST"])
def register() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = RegistrationForm()
    if not form.validate_on_submit():
        return render_template("employer/register.html", form=form), 400 if form.errors else 200
    session = get_session()
    limit = current_app.config.get("REGISTRATIONS_PER_HOUR", REGISTRATIONS_PER_HOUR)
    allowed = allow_hit(session, f"register:{request.remote_addr or ''}", limit=limit,
                        window_seconds=3600)  # fmt: skip
    session.commit()  # a refused registration counts towards the limit too
    if not allowed:
        flash(gettext("Too many registrations from your network. Try again in an hour."), "error")
        return render_template("employer/register.html", form=form), 429
    try:
        profile = register_employer(session, **form.service_fields())
    except ValidationError as error:
        session.rollback()
        flash(error_message(error), "error")
        return render_template("employer/register.html", form=form), 400
    session.commit()
    login_user(SignedInUser(profile.organisation.users[0]))
    flash(gettext("Your organisation is registered. Answer the checklist next."), "info")
    return redirect(url_for("employer.checklist"))


@bp.route("/checklist", methods=["GET", "POST"])
@roles_required(Role.EMPLOYER)
def checklist() -> ResponseReturnValue:
    session, user = get_session(), current_user.user
    overview = get_employer_overview(session, user)
    form = _answers_form(overview)
    if request.method == "POST" and not overview.editable:
        flash(gettext("The checklist is read-only now: it has been submitted or decided."), "error")
    if not overview.editable or not form.validate_on_submit():
        return _checklist_page(overview, form, 400 if request.method == "POST" else 200)
    answers = {
        i.item.id: form_answer(i.item, form[field_name(i.item.id)].data) for i in _items(overview)
    }
    try:
        if form.send.data:
            submit_answers(session, user, answers)
        else:
            save_answers(session, user, answers)
    except ChecklistIncomplete as error:
        session.commit()  # the answers are kept as a draft; only the submission is refused
        flash(incomplete_message(error), "error")
        return redirect(url_for("employer.checklist"))
    except (ValidationError, InvalidTransition) as error:
        session.rollback()
        flash(error_message(error), "error")
        return _checklist_page(get_employer_overview(session, user), form, 400)
    session.commit()
    flash(gettext("Submitted for vetting.") if form.send.data else gettext("Draft saved."), "info")
    return redirect(url_for("employer.checklist"))


@bp.post("/checklist/restart")
@roles_required(Role.EMPLOYER)
def restart() -> ResponseReturnValue:
    session = get_session()
    if RestartForm().validate_on_submit():
        try:
            start_new_checklist(session, current_user.user)
        except InvalidTransition as error:
            flash(error_message(error), "error")
            return redirect(url_for("employer.checklist"))
        session.commit()
        flash(gettext("A new checklist has been started from your last answers."), "info")
    return redirect(url_for("employer.checklist"))


@bp.post("/checklist/evidence/<item_id>")
@roles_required(Role.EMPLOYER)
def upload_evidence(item_id: str) -> ResponseReturnValue:
    session, user = get_session(), current_user.user
    form = EvidenceForm(prefix=item_id)
    try:
        if not form.validate_on_submit():
            raise ValidationError("Choose a PDF, JPEG or PNG file to upload; dates as YYYY-MM-DD.")
        file = form.file.data
        store_evidence(session, user, item_id, file.filename or "", file.stream, _upload_dir(),
                       form.issued_on.data, form.expires_on.data)  # fmt: skip
    except (ValidationError, InvalidTransition) as error:
        session.rollback()
        flash(error_message(error), "error")
        overview = get_employer_overview(session, user)
        return _checklist_page(overview, _answers_form(overview), 400)
    session.commit()
    flash(gettext("The document is uploaded."), "info")
    return redirect(url_for("employer.checklist", _anchor=f"item-{item_id}"))


@bp.get("/evidence/<int:evidence_id>")
@roles_required(Role.EMPLOYER, Role.MEDIATOR)
def evidence(evidence_id: int) -> ResponseReturnValue:
    found, path = open_evidence(get_session(), current_user.user, evidence_id, _upload_dir())
    response = send_file(path, mimetype=found.content_type, as_attachment=True,
                         download_name=found.original_name, max_age=0)  # fmt: skip
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/evidence/<int:evidence_id>/remove")
@roles_required(Role.EMPLOYER)
def remove_evidence_file(evidence_id: int) -> ResponseReturnValue:
    if not RemoveEvidenceForm(prefix=f"remove-{evidence_id}").validate_on_submit():
        abort(400)
    session = get_session()
    try:
        remove_evidence(session, current_user.user, evidence_id, _upload_dir())
    except InvalidTransition as error:
        flash(error_message(error), "error")
        return redirect(url_for("employer.checklist"))
    session.commit()
    flash(gettext("The document is removed."), "info")
    return redirect(url_for("employer.checklist"))


@bp.route("/users", methods=["GET", "POST"])
@roles_required(Role.EMPLOYER)
def users() -> ResponseReturnValue:
    session, user = get_session(), current_user.user
    form = AddUserForm()
    if form.validate_on_submit():
        try:
            added = add_organisation_user(session, user, form.email.data, form.password.data)
        except ValidationError as error:
            session.rollback()
            flash(error_message(error), "error")
        else:
            session.commit()
            flash(gettext("%(email)s can now sign in.", email=added.email), "info")
            return redirect(url_for("employer.users"))
    status = 400 if request.method == "POST" else 200
    return _users_page(form, status)


@bp.post("/users/<int:user_id>/deactivate")
@roles_required(Role.EMPLOYER)
def deactivate_user(user_id: int) -> ResponseReturnValue:
    if not DeactivateUserForm(prefix=f"deactivate-{user_id}").validate_on_submit():
        abort(400)
    session = get_session()
    try:
        gone = deactivate_organisation_user(session, current_user.user, user_id)
    except (ValidationError, InvalidTransition) as error:
        session.rollback()
        flash(error_message(error), "error")
        return _users_page(AddUserForm(formdata=None), 400)
    session.commit()
    flash(gettext("%(email)s can no longer sign in.", email=gone.email), "info")
    return redirect(url_for("employer.users"))


def incomplete_message(error: ChecklistIncomplete) -> str:
    # Composed here: pybabel extracts ValidationError's own messages, not its subclasses'.
    return gettext(
        "Your answers are saved, but the checklist cannot be submitted yet: items"
        " %(items)s still need an answer or evidence.",
        items=", ".join(error.items),
    )


def _upload_dir() -> Path:
    return Path(current_app.config["UPLOAD_DIR"])


def page_language() -> str:
    """The language of checklist texts: Dutch on Dutch pages, else English."""
    return "nl" if str(get_locale()) == "nl" else "en"


def _items(overview: EmployerOverview) -> list:
    return [entry for section in overview.sections for entry in section.items]


def _answers_form(overview: EmployerOverview) -> AnswersForm:
    entries = _items(overview)
    stored = {field_name(e.item.id): field_value(e.item, e.answer) for e in entries}
    return answers_form([e.item for e in entries], page_language(), data=stored)


def _checklist_page(overview: EmployerOverview, form: AnswersForm, status: int):
    entries = _items(overview)
    uploads = {e.item.id: EvidenceForm(prefix=e.item.id, formdata=None) for e in entries}
    removals = {
        file.id: RemoveEvidenceForm(prefix=f"remove-{file.id}", formdata=None)
        for e in entries
        for file in e.evidence
    }
    return render_template(
        "employer/checklist.html", overview=overview, form=form, uploads=uploads,
        removals=removals, lang=page_language(), field_name=field_name,
        restart_form=RestartForm(formdata=None),
    ), status  # fmt: skip


def _users_page(form: AddUserForm, status: int):
    members = list_organisation_users(get_session(), current_user.user)
    deactivate = {
        m.id: DeactivateUserForm(prefix=f"deactivate-{m.id}", formdata=None) for m in members
    }
    return render_template(
        "employer/users.html", form=form, members=members, deactivate=deactivate
    ), status
