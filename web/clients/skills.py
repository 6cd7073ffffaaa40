"""A client's skills: typed, ticked from an occupation, or confirmed from notes."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale, gettext, ngettext
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from matcher.accounts.models import Role
from matcher.errors import InvalidTransition, ValidationError
from matcher.profiles.access import client_for, view_client
from matcher.profiles.models import SkillLevel, SkillSource
from matcher.profiles.skill_lists import (
    list_client_skills,
    occupation_skills_for_client,
    search_concepts_for_client,
    skill_for_client,
)
from matcher.profiles.skills import (
    add_skill,
    add_skills_from_notes,
    add_skills_from_occupation,
    remove_skill,
    restore_skill,
    suggest_skills_from_notes,
    update_skill,
)
from matcher.skills.search import available_languages
from web.access import roles_required
from web.clients.skill_forms import (
    AddSkillForm,
    ConfirmSuggestionsForm,
    NotesForm,
    OccupationSkillsForm,
    SearchForm,
    SkillActionForm,
    UpdateSkillForm,
)
from web.db import get_session
from web.i18n import language_name
from web.names import SKILL_LEVEL_NAMES, SKILL_SOURCE_NAMES, error_message

# The suggestions page holds the pasted notes: no copy in the browser's cache or history.
NOT_STORED = {"Cache-Control": "no-store"}

bp = Blueprint("client_skills", __name__, template_folder="templates", url_prefix="/coach/clients")


@bp.get("/<int:client_id>/skills")
@roles_required(Role.COACH, Role.MEDIATOR)
def index(client_id: int) -> ResponseReturnValue:
    skills = list_client_skills(get_session(), current_user.user, client_id, _language())
    forms = {
        entry.id: UpdateSkillForm(
            formdata=None,
            prefix=f"skill-{entry.id}",
            level=entry.level.value,
            informal=entry.informal,
        )
        for group in skills.groups
        for entry in group.skills
    }
    return _audited(
        render_template(
            "clients/skills.html",
            skills=skills,
            client=skills.client,
            update_forms=forms,
            search_form=SearchForm(formdata=None),
            can_change=current_user.role == Role.COACH,
            level_names=SKILL_LEVEL_NAMES,
            source_names=SKILL_SOURCE_NAMES,
        )
    )


@bp.get("/<int:client_id>/skills/add")
@roles_required(Role.COACH)
def add(client_id: int) -> ResponseReturnValue:
    session, user = get_session(), current_user.user
    uri = request.args.get("uri", "").strip()
    if uri:
        client, skill = skill_for_client(session, user, client_id, uri, _language())
        page = render_template(
            "clients/skills_add.html",
            client=client,
            skill=skill,
            form=AddSkillForm(formdata=None, skill_uri=uri),
        )
        return _audited(page)
    return _audited(_search_page(client_id, "skill", "clients/skills_add.html"))


@bp.post("/<int:client_id>/skills/add")
@roles_required(Role.COACH)
def add_post(client_id: int) -> ResponseReturnValue:
    session, user = get_session(), current_user.user
    client_for(session, user, client_id, change=True)
    form = AddSkillForm()
    try:
        if not form.validate_on_submit():
            raise ValidationError("Choose a skill and a level.")
        add_skill(
            session,
            user,
            client_id,
            form.skill_uri.data,
            SkillSource.TYPED,
            level=SkillLevel(form.level.data),
            informal=form.informal.data,
        )
    except (ValidationError, InvalidTransition) as error:
        session.rollback()
        flash(error_message(error), "error")
        return _audited(_search_page(client_id, "skill", "clients/skills_add.html"), 400)
    session.commit()
    flash(gettext("The skill has been added."), "info")
    return redirect(url_for("client_skills.index", client_id=client_id))


@bp.get("/<int:client_id>/skills/occupation")
@roles_required(Role.COACH)
def occupation(client_id: int) -> ResponseReturnValue:
    uri = request.args.get("uri", "").strip()
    if uri:
        form = OccupationSkillsForm(formdata=None, occupation_uri=uri)
        return _audited(_occupation_page(client_id, uri, form))
    return _audited(_search_page(client_id, "occupation", "clients/skills_occupation.html"))


@bp.post("/<int:client_id>/skills/occupation")
@roles_required(Role.COACH)
def occupation_post(client_id: int) -> ResponseReturnValue:
    session, user = get_session(), current_user.user
    client_for(session, user, client_id, change=True)
    form = OccupationSkillsForm()
    try:
        if not form.validate_on_submit():
            raise ValidationError("Choose an occupation and a level.")
        added = add_skills_from_occupation(
            session,
            user,
            client_id,
            form.occupation_uri.data,
            form.skills.data,
            SkillLevel(form.level.data),
            form.informal.data,
        )
    except (ValidationError, InvalidTransition) as error:
        session.rollback()
        flash(error_message(error), "error")
        if not form.occupation_uri.data:
            return _audited(
                _search_page(client_id, "occupation", "clients/skills_occupation.html"), 400
            )
        return _audited(_occupation_page(client_id, form.occupation_uri.data, form), 400)
    session.commit()
    flash(_added_message(len(added)), "info")
    return redirect(url_for("client_skills.index", client_id=client_id))


@bp.get("/<int:client_id>/skills/notes")
@roles_required(Role.COACH)
def notes(client_id: int) -> ResponseReturnValue:
    return _audited(_notes_page(client_id, _notes_form(NotesForm(formdata=None))))


@bp.post("/<int:client_id>/skills/notes")
@roles_required(Role.COACH)
def suggest(client_id: int) -> ResponseReturnValue:
    session, user = get_session(), current_user.user
    client_for(session, user, client_id, change=True)
    form = _notes_form(NotesForm())
    if not form.validate_on_submit():
        return _audited(_notes_page(client_id, form), 400)
    found = suggest_skills_from_notes(session, user, client_id, form.notes.data, form.language.data)
    rows = [{"uri": s.uri, "label": s.label, "words": s.words} for s in found if not s.present]
    confirm = ConfirmSuggestionsForm(formdata=None, suggestions=rows)
    present = [s for s in found if s.present]
    page, status = _audited(_notes_page(client_id, form, confirm, present, suggested=True))
    return page, status, NOT_STORED


@bp.post("/<int:client_id>/skills/notes/add")
@roles_required(Role.COACH)
def add_from_notes(client_id: int) -> ResponseReturnValue:
    session, user = get_session(), current_user.user
    client_for(session, user, client_id, change=True)
    confirm = ConfirmSuggestionsForm()
    try:
        if not confirm.validate_on_submit():
            raise ValidationError("The suggestions could not be read. Please suggest them again.")
        added = add_skills_from_notes(
            session,
            user,
            client_id,
            confirm.chosen(),
            SkillLevel(confirm.level.data),
            confirm.informal.data,
        )
    except (ValidationError, InvalidTransition) as error:
        session.rollback()
        flash(error_message(error), "error")
        page = _notes_page(
            client_id, _notes_form(NotesForm(formdata=None)), confirm, suggested=True
        )
        return _audited(page, 400)
    session.commit()
    flash(_added_message(len(added)), "info")
    return redirect(url_for("client_skills.index", client_id=client_id))


@bp.post("/<int:client_id>/skills/<int:skill_id>")
@roles_required(Role.COACH)
def update(client_id: int, skill_id: int) -> ResponseReturnValue:
    form = UpdateSkillForm(prefix=f"skill-{skill_id}")
    return _change(
        client_id,
        form,
        lambda user: update_skill(
            get_session(),
            user,
            client_id,
            skill_id,
            SkillLevel(form.level.data),
            form.informal.data,
        ),
        gettext("The skill has been saved."),
    )


@bp.post("/<int:client_id>/skills/<int:skill_id>/remove")
@roles_required(Role.COACH)
def remove(client_id: int, skill_id: int) -> ResponseReturnValue:
    return _change(
        client_id,
        SkillActionForm(),
        lambda user: remove_skill(get_session(), user, client_id, skill_id),
        gettext("The skill has been removed. You can restore it under “Removed skills”."),
    )


@bp.post("/<int:client_id>/skills/<int:skill_id>/restore")
@roles_required(Role.COACH)
def restore(client_id: int, skill_id: int) -> ResponseReturnValue:
    return _change(
        client_id,
        SkillActionForm(),
        lambda user: restore_skill(get_session(), user, client_id, skill_id),
        gettext("The skill has been restored."),
    )


def _change(client_id: int, form, change, done: str) -> ResponseReturnValue:
    """Validate a button or row form, make the change, and go back to the list."""
    session, user = get_session(), current_user.user
    client_for(session, user, client_id, change=True)
    try:
        if not form.validate_on_submit():
            raise ValidationError("The form could not be read. Please try again.")
        change(user)
    except (ValidationError, InvalidTransition) as error:
        session.rollback()
        flash(error_message(error), "error")
        return redirect(url_for("client_skills.index", client_id=client_id))
    session.commit()
    flash(done, "info")
    return redirect(url_for("client_skills.index", client_id=client_id))


def _search_page(client_id: int, kind: str, template: str) -> str:
    form = SearchForm(request.args)
    found = None
    if form.q.data and form.validate():
        found = search_concepts_for_client(
            get_session(), current_user.user, client_id, form.q.data, kind, _language()
        )
        client = found.client
    else:
        client = view_client(get_session(), current_user.user, client_id)
    add_form = AddSkillForm(formdata=None)
    return render_template(
        template, client=client, search_form=form, found=found, add_form=add_form
    )


def _occupation_page(client_id: int, uri: str, form: OccupationSkillsForm) -> str:
    choices = occupation_skills_for_client(
        get_session(), current_user.user, client_id, uri, _language()
    )
    ticked = set(form.skills.data or [])
    return render_template(
        "clients/skills_occupation.html",
        client=choices.client,
        occupation=choices,
        form=form,
        ticked=ticked,
        search_form=SearchForm(formdata=None),
    )


def _notes_page(
    client_id: int, form: NotesForm, confirm=None, present=(), suggested: bool = False
) -> str:
    client = view_client(get_session(), current_user.user, client_id)
    return render_template(
        "clients/skills_notes.html",
        client=client,
        form=form,
        confirm=confirm,
        present=present,
        suggested=suggested,
    )


def _notes_form(form: NotesForm) -> NotesForm:
    languages = available_languages(get_session()) or ["en"]
    form.language.choices = [SelectChoice(code, language_name(code)) for code in languages]
    if not form.language.data:
        form.language.data = _language() if _language() in languages else languages[0]
    return form


def _audited(page: str, status: int = 200) -> ResponseReturnValue:
    get_session().commit()  # the view of the client is in the audit log
    return page, status


def _language() -> str:
    return str(get_locale())


def _added_message(count: int) -> str:
    if count == 0:
        return gettext("Those skills were already on the profile; nothing was added.")
    return ngettext("%(num)d skill has been added.", "%(num)d skills have been added.", count)
