"""Vacancies: employers post and keep them; mediators review the ones the rules held."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale, gettext
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from matcher.accounts.models import Role
from matcher.errors import DomainError, Forbidden, InvalidTransition, ValidationError
from matcher.vacancies.models import Vacancy, VacancyStatus
from matcher.vacancies.review import (
    get_vacancy_for_review,
    list_held_vacancies,
    publish_held_vacancy,
    refuse_held_vacancy,
)
from matcher.vacancies.services import (
    VacancyRefused,
    close_vacancy,
    create_vacancy,
    employer_may_post,
    get_own_vacancy,
    list_own_vacancies,
    stored_findings,
    update_vacancy,
)
from matcher.vacancies.skills import (
    SuggestedSkill,
    find_occupations,
    find_vacancy_skills,
    name_skills,
    suggest_vacancy_skills,
)
from web.access import roles_required
from web.db import get_session
from web.names import SHIFT_NAMES, SUPPORT_NAMES, error_message
from web.pagination import page_args
from web.vacancies.forms import (
    ESSENTIAL,
    OPTIONAL,
    ORIGIN_NAMES,
    CloseForm,
    ReviewForm,
    VacancyForm,
    new_vacancy_defaults,
    saved_skill_rows,
    vacancy_form_data,
)

bp = Blueprint(
    "vacancies",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/vacancies/static",
)


@bp.context_processor
def helpers() -> dict[str, Any]:
    return dict(
        finding_text=finding_text,
        origin_names=ORIGIN_NAMES,
        shift_names=SHIFT_NAMES,
        support_names=SUPPORT_NAMES,
    )


def finding_text(finding: dict[str, Any]) -> str:
    """A stored rule finding in the reader's language."""
    return error_message(DomainError(finding["message"], **finding.get("params", {})))


@bp.get("/employer/vacancies")
@roles_required(Role.EMPLOYER)
def index() -> ResponseReturnValue:
    session, user = get_session(), current_user.user
    vacancies = list_own_vacancies(session, user, **page_args())
    refusal = _posting_refusal()
    return render_template("vacancies/index.html", vacancies=vacancies, refusal=refusal)


@bp.route("/employer/vacancies/new", methods=["GET", "POST"])
@roles_required(Role.EMPLOYER)
def new() -> ResponseReturnValue:
    if refusal := _posting_refusal():
        flash(refusal, "error")
        return redirect(url_for(".index"))
    form = VacancyForm(**new_vacancy_defaults())
    user = current_user.user
    return _vacancy_form(form, lambda: create_vacancy(get_session(), user, form.draft()))


@bp.route("/employer/vacancies/<int:vacancy_id>/edit", methods=["GET", "POST"])
@roles_required(Role.EMPLOYER)
def edit(vacancy_id: int) -> ResponseReturnValue:
    session, user = get_session(), current_user.user
    vacancy = get_own_vacancy(session, user, vacancy_id)
    if vacancy.status == VacancyStatus.CLOSED:
        flash(gettext("A closed vacancy cannot be changed."), "error")
        return redirect(url_for(".detail", vacancy_id=vacancy_id))
    if request.method == "POST":
        form = VacancyForm()
    else:
        label = _names([vacancy.occupation_uri]).get(vacancy.occupation_uri or "", "")
        form = VacancyForm(formdata=None, data=vacancy_form_data(vacancy, label))
        form.set_skill_rows(saved_skill_rows(vacancy))

    def save() -> Vacancy:
        return update_vacancy(session, user, vacancy_id, form.draft(), form.version.data)

    return _vacancy_form(form, save, vacancy)


@bp.get("/employer/vacancies/<int:vacancy_id>")
@roles_required(Role.EMPLOYER)
def detail(vacancy_id: int) -> ResponseReturnValue:
    vacancy = get_own_vacancy(get_session(), current_user.user, vacancy_id)
    close_form = CloseForm(formdata=None, version=vacancy.version_id)
    return render_template(
        "vacancies/detail.html", vacancy=vacancy, names=_vacancy_names(vacancy),
        close_form=close_form,
    )  # fmt: skip


@bp.post("/employer/vacancies/<int:vacancy_id>/close")
@roles_required(Role.EMPLOYER)
def close(vacancy_id: int) -> ResponseReturnValue:
    session, form = get_session(), CloseForm()
    get_own_vacancy(session, current_user.user, vacancy_id)  # 404 before anything else
    try:
        if not form.validate_on_submit():
            raise ValidationError("The form was incomplete; please try again.")
        close_vacancy(session, current_user.user, vacancy_id, form.version.data)
    except (ValidationError, InvalidTransition) as error:
        session.rollback()
        flash(error_message(error), "error")
        return redirect(url_for(".detail", vacancy_id=vacancy_id))
    session.commit()
    flash(gettext("The vacancy has been closed."), "info")
    return redirect(url_for(".detail", vacancy_id=vacancy_id))


@bp.get("/mediator/vacancies")
@roles_required(Role.MEDIATOR)
def held() -> ResponseReturnValue:
    vacancies = list_held_vacancies(get_session(), current_user.user)
    return render_template("vacancies/held.html", vacancies=vacancies)


@bp.route("/mediator/vacancies/<int:vacancy_id>", methods=["GET", "POST"])
@roles_required(Role.MEDIATOR)
def review(vacancy_id: int) -> ResponseReturnValue:
    session, user = get_session(), current_user.user
    vacancy = get_vacancy_for_review(session, user, vacancy_id)
    form = ReviewForm(version=vacancy.version_id)
    if not form.validate_on_submit():
        return _review_page(vacancy, form), 400 if form.is_submitted() else 200
    decide = publish_held_vacancy if form.decision.data == "publish" else refuse_held_vacancy
    try:
        decide(session, user, vacancy_id, form.version.data, form.note.data)
    except (ValidationError, InvalidTransition) as error:
        session.rollback()
        flash(error_message(error), "error")
        vacancy = get_vacancy_for_review(session, user, vacancy_id)
        return _review_page(vacancy, form), 409 if isinstance(error, InvalidTransition) else 400
    session.commit()
    published = form.decision.data == "publish"
    flash(gettext("The vacancy is published.") if published else gettext("The vacancy is refused."),
          "info")  # fmt: skip
    return redirect(url_for(".held"))


def _review_page(vacancy: Vacancy, form: ReviewForm) -> str:
    return render_template(
        "vacancies/review.html", vacancy=vacancy, names=_vacancy_names(vacancy), form=form
    )


# --- The vacancy form and its skills step ------------------------------------------------------


def _vacancy_form(
    form: VacancyForm, save: Callable[[], Vacancy], vacancy: Vacancy | None = None
) -> ResponseReturnValue:
    """Suggest or find skills (nothing saved), or save the vacancy through `save`."""
    form.set_language_choices()
    if form.is_submitted() and (form.suggest.data or form.find_skill.data):
        _refresh_skills(form)  # CSRF is checked for every POST by CSRFProtect
        return _form_page(form, vacancy)
    if not form.validate_on_submit():
        return _form_page(form, vacancy), 400 if form.is_submitted() else 200
    if form.occupation_q.data and form.occupation_uri.data is None:
        form.occupation_q.errors = [gettext("Press “Suggest skills” to choose the occupation.")]
        return _form_page(form, vacancy), 400
    session = get_session()
    try:
        saved = save()
    except VacancyRefused as refused:
        session.rollback()
        reasons = [finding_text(finding) for finding in stored_findings(refused.findings)]
        return _form_page(form, vacancy, refused=reasons), 400
    except (ValidationError, InvalidTransition, Forbidden) as error:
        session.rollback()
        flash(error_message(error), "error")
        return _form_page(form, vacancy), 400
    session.commit()
    flash(_saved_message(saved), "info")
    return redirect(url_for(".detail", vacancy_id=saved.id))


def _saved_message(vacancy: Vacancy) -> str:
    if vacancy.status == VacancyStatus.OPEN:
        return gettext("The vacancy is saved and open for matching.")
    return gettext("The vacancy is saved. A mediator reads it before it is published.")


def _refresh_skills(form: VacancyForm) -> None:
    session, lang = get_session(), _language()
    rows = form.skill_rows()
    try:
        if form.suggest.data:
            _choose_occupation(form)
            text = f"{form.title.data or ''}\n{form.description.data or ''}"
            found = suggest_vacancy_skills(session, form.occupation_uri.data, text, lang)
        else:
            found = find_vacancy_skills(session, form.skill_q.data or "", lang)
            form.skill_q.data = ""
    except ValidationError as error:
        flash(error_message(error), "error")
        return
    if not found:
        flash(gettext("No skills found. Choose an occupation, describe the work, or find a"
                      " skill by name."), "info")  # fmt: skip
    form.set_skill_rows(_merged(rows, found, keep_unticked=not form.suggest.data))


def _merged(
    rows: list[dict[str, Any]], found: list[SuggestedSkill], keep_unticked: bool
) -> list[dict[str, Any]]:
    """The employer's rows, then the new findings; on a new suggestion stale unticked go."""
    new = {skill.uri for skill in found}
    kept = [row for row in rows if row["ticked"] or keep_unticked or row["uri"] in new]
    present = {row["uri"] for row in kept}
    return kept + [
        {"uri": s.uri, "origin": s.origin.value, "ticked": s.ticked,
         "importance": ESSENTIAL if s.essential else OPTIONAL}
        for s in found
        if s.uri not in present
    ]  # fmt: skip


def _choose_occupation(form: VacancyForm) -> None:
    """The employer's words find occupations; the first is chosen unless one of them is."""
    if not form.occupation_q.data:
        return
    found = [uri for uri, _ in find_occupations(get_session(), form.occupation_q.data, _language())]
    if not found:
        flash(gettext("No occupation found for these words. Try other words."), "error")
    if form.occupation_uri.data not in found:
        form.occupation_uri.data = found[0] if found else ""


def _form_page(form: VacancyForm, vacancy: Vacancy | None, refused: list[str] | None = None) -> str:
    query, chosen = form.occupation_q.data, form.occupation_uri.data
    choices = find_occupations(get_session(), query, _language()) if query else []
    if chosen and chosen not in {uri for uri, _ in choices}:
        choices.insert(0, (chosen, _names([chosen]).get(chosen, chosen)))
    options = [*choices, ("", gettext("no occupation"))]
    form.occupation_uri.choices = [SelectChoice(uri, label) for uri, label in options]
    labels = _names([row["uri"] for row in form.skill_rows()])
    return render_template(
        "vacancies/form.html", form=form, vacancy=vacancy, labels=labels, refused=refused or []
    )


def _vacancy_names(vacancy: Vacancy) -> dict[str, str]:
    return _names([vacancy.occupation_uri, *(s.skill_uri for s in vacancy.skills)])


def _names(uris: list[str | None]) -> dict[str, str]:
    return name_skills(get_session(), [uri for uri in uris if uri], _language())


def _posting_refusal() -> str | None:
    """Why the signed-in employer may not post a vacancy now, or None when it may."""
    try:
        employer_may_post(get_session(), current_user.user)
    except Forbidden as error:
        return error_message(error)
    return None


def _language() -> str:
    return str(get_locale())
