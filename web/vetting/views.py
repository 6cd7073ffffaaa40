"""Mediator pages for vetting: the waiting submissions, the review and decision, suspensions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale, gettext
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from matcher.accounts.models import Role
from matcher.employers.review import (
    get_employer_detail,
    get_submission_review,
    list_employers,
    list_waiting_submissions,
)
from matcher.employers.services import confirm_conditions_met, decide_vetting
from matcher.employers.suspension import lift_suspension, suspend_employer
from matcher.errors import InvalidTransition, ValidationError
from web.access import roles_required
from web.db import get_session
from web.names import KIND_NAMES, error_message
from web.vetting.forms import (
    ACTION_NAMES,
    DECISION_NAMES,
    MARK_NAMES,
    OUTCOME_NAMES,
    STATUS_NAMES,
    ConditionsMetForm,
    DecisionForm,
    EmployerFilterForm,
    LiftSuspensionForm,
    SuspendForm,
)

bp = Blueprint("vetting", __name__, template_folder="templates", url_prefix="/mediator")


@bp.context_processor
def names() -> dict[str, Any]:
    # The checklist's own texts come in English and Dutch; pick the user's, else English.
    lang = "nl" if get_locale().language == "nl" else "en"
    return dict(
        action_names=ACTION_NAMES,
        status_names=STATUS_NAMES,
        decision_names=DECISION_NAMES,
        kind_names=KIND_NAMES,
        mark_names=MARK_NAMES,
        outcome_names=OUTCOME_NAMES,
        checklist_lang=lang,
    )


@bp.get("/vetting")
@roles_required(Role.MEDIATOR)
def waiting() -> ResponseReturnValue:
    submissions = list_waiting_submissions(get_session(), current_user.user)
    return render_template("vetting/waiting.html", submissions=submissions)


@bp.route("/vetting/<int:submission_id>", methods=["GET", "POST"])
@roles_required(Role.MEDIATOR)
def review(submission_id: int) -> ResponseReturnValue:
    form, session = DecisionForm(), get_session()
    if not form.validate_on_submit():
        return render_review(submission_id, form), 400 if form.errors else 200
    try:
        decide_vetting(
            session, current_user.user, submission_id, form.version.data, form.decision.data,
            reason=form.reason.data, conditions=form.conditions.data,
            conditions_due=form.conditions_due.data,
        )  # fmt: skip
    except (ValidationError, InvalidTransition) as error:
        session.rollback()
        flash(error_message(error), "error")
        return render_review(submission_id, form), status_of(error)
    session.commit()
    flash(gettext("The decision has been recorded."), "info")
    return redirect(url_for(".review", submission_id=submission_id))


@bp.get("/employers")
@roles_required(Role.MEDIATOR)
def employers() -> ResponseReturnValue:
    form = EmployerFilterForm(request.args)
    valid = form.validate()
    status = form.status.data if valid else None
    profiles = list_employers(get_session(), current_user.user, status or None)
    page = render_template("vetting/employers.html", form=form, profiles=profiles)
    return page, 200 if valid else 400


@bp.get("/employers/<int:profile_id>")
@roles_required(Role.MEDIATOR)
def employer(profile_id: int) -> ResponseReturnValue:
    return render_employer(profile_id)


@bp.post("/employers/<int:profile_id>/suspend")
@roles_required(Role.MEDIATOR)
def suspend(profile_id: int) -> ResponseReturnValue:
    form = SuspendForm()
    return act_on_employer(
        profile_id, form, "suspend_form",
        lambda s, u: suspend_employer(s, u, profile_id, form.reason.data),
        gettext("The employer has been suspended."),
    )  # fmt: skip


@bp.post("/employers/<int:profile_id>/lift")
@roles_required(Role.MEDIATOR)
def lift(profile_id: int) -> ResponseReturnValue:
    form = LiftSuspensionForm()
    return act_on_employer(
        profile_id, form, "lift_form",
        lambda s, u: lift_suspension(s, u, profile_id, form.reason.data),
        gettext("The suspension has been lifted."),
    )  # fmt: skip


@bp.post("/employers/<int:profile_id>/conditions-met")
@roles_required(Role.MEDIATOR)
def conditions_met(profile_id: int) -> ResponseReturnValue:
    form = ConditionsMetForm()
    return act_on_employer(
        profile_id, form, "conditions_form",
        lambda s, u: confirm_conditions_met(s, u, profile_id, form.version.data, form.reason.data),
        gettext("The conditions are confirmed as met: the employer is approved."),
    )  # fmt: skip


def act_on_employer(
    profile_id: int, form: FlaskForm, name: str, action: Callable, done: str
) -> ResponseReturnValue:
    """The shared steps of the employer page's forms: validate, act once, commit, redirect."""
    session = get_session()
    if not form.validate_on_submit():
        return render_employer(profile_id, **{name: form}), 400
    try:
        action(session, current_user.user)
    except (ValidationError, InvalidTransition) as error:
        session.rollback()
        flash(error_message(error), "error")
        return render_employer(profile_id, **{name: form}), status_of(error)
    session.commit()
    flash(done, "info")
    return redirect(url_for(".employer", profile_id=profile_id))


def render_review(submission_id: int, form: DecisionForm) -> str:
    review = get_submission_review(get_session(), current_user.user, submission_id)
    if not form.is_submitted():
        form.version.data = review.submission.version_id
        form.conditions_due.data = review.conditions_due
    # Only the decisions possible now are offered; the form still validates all of them.
    form.decision.choices = [SelectChoice(d, DECISION_NAMES[d]) for d in review.decisions]
    refusal, plain_refusal = review.approval_refusal, review.plain_approval_refusal
    return render_template(
        "vetting/review.html",
        review=review,
        form=form,
        refusal=error_message(refusal) if refusal else None,
        plain_refusal=error_message(plain_refusal) if plain_refusal else None,
    )


def render_employer(profile_id: int, **forms: FlaskForm) -> str:
    detail = get_employer_detail(get_session(), current_user.user, profile_id)
    conditions_form = forms.get("conditions_form") or ConditionsMetForm(formdata=None)
    conditions_form.version.data = detail.profile.version_id
    return render_template(
        "vetting/employer.html",
        detail=detail,
        suspend_form=forms.get("suspend_form") or SuspendForm(formdata=None),
        lift_form=forms.get("lift_form") or LiftSuspensionForm(formdata=None),
        conditions_form=conditions_form,
    )


def status_of(error: ValidationError | InvalidTransition) -> int:
    # 409: the request was fine, but the employer's or submission's state refuses it.
    return 409 if isinstance(error, InvalidTransition) else 400
