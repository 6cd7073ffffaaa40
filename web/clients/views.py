"""The client list and record: create, edit, languages, wishes, export, erase."""

from __future__ import annotations

import json
from dataclasses import replace

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale, gettext
from flask_login import current_user

from matcher.accounts.models import Role
from matcher.errors import InvalidTransition, ValidationError
from matcher.profiles.access import client_for, view_client
from matcher.profiles.services import (
    add_occupation_wish,
    create_client,
    erase_client,
    export_client,
    get_client_record,
    list_clients,
    set_languages,
    set_wishes,
    update_client,
)
from matcher.skills.search import available_languages, search_concepts
from matcher.skills.services import name_concepts
from web.access import roles_required
from web.clients.forms import (
    AddWishForm,
    ClientForm,
    EditClientForm,
    EraseForm,
    LanguagesForm,
    OccupationSearchForm,
    WishesForm,
)
from web.db import get_session
from web.names import CEFR_NAMES, CONSENT_PURPOSE_NAMES, SHIFT_NAMES, error_message
from web.pagination import page_args

bp = Blueprint("clients", __name__, template_folder="templates", url_prefix="/coach/clients")

SEARCH_RESULTS = 15


@bp.get("")
@roles_required(Role.COACH, Role.MEDIATOR)
def index() -> ResponseReturnValue:
    rows = list_clients(get_session(), current_user.user, **page_args())
    return render_template("clients/list.html", rows=rows)


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.COACH)
def new() -> ResponseReturnValue:
    session = get_session()
    form = _with_languages(ClientForm())
    if not form.validate_on_submit():
        return render_template("clients/edit.html", form=form), 400 if form.errors else 200
    try:
        client = create_client(session, current_user.user, **form.service_fields())
    except ValidationError as error:
        session.rollback()
        flash(error_message(error), "error")
        return render_template("clients/edit.html", form=form), 400
    session.commit()
    flash(gettext("Client %(code)s has been created.", code=client.code), "info")
    return redirect(url_for("clients.record", client_id=client.id))


@bp.get("/<int:client_id>")
@roles_required(Role.COACH, Role.MEDIATOR)
def record(client_id: int) -> ResponseReturnValue:
    page = _record_page(client_id)
    get_session().commit()  # the view is in the audit log
    return page


@bp.route("/<int:client_id>/edit", methods=["GET", "POST"])
@roles_required(Role.COACH)
def edit(client_id: int) -> ResponseReturnValue:
    session, user = get_session(), current_user.user
    if request.method == "GET":
        client = view_client(session, user, client_id)
        form = _with_languages(EditClientForm(obj=client, version=client.version_id))
        session.commit()
        return render_template("clients/edit.html", form=form, client=client)
    client = client_for(session, user, client_id, change=True)
    form = _with_languages(EditClientForm())
    if form.validate_on_submit():
        try:
            update_client(session, user, client_id, form.version.data, **form.service_fields())
        except (ValidationError, InvalidTransition) as error:
            session.rollback()
            flash(error_message(error), "error")
        else:
            session.commit()
            flash(gettext("The record has been saved."), "info")
            return redirect(url_for("clients.record", client_id=client_id))
    return render_template("clients/edit.html", form=form, client=client), 400


@bp.post("/<int:client_id>/languages")
@roles_required(Role.COACH)
def languages(client_id: int) -> ResponseReturnValue:
    client_for(get_session(), current_user.user, client_id, change=True)
    form = LanguagesForm()
    form.set_choices()
    return _change(
        client_id,
        form,
        lambda: set_languages(get_session(), current_user.user, client_id, form.languages()),
        gettext("The languages have been saved."),
    )


@bp.post("/<int:client_id>/wishes")
@roles_required(Role.COACH)
def wishes(client_id: int) -> ResponseReturnValue:
    session, user = get_session(), current_user.user
    client_for(session, user, client_id, change=True)
    form = WishesForm()
    return _change(
        client_id,
        form,
        lambda: set_wishes(session, user, client_id, form.occupation_uris(), form.sector_lines()),
        gettext("The wishes have been saved."),
    )


@bp.get("/<int:client_id>/wishes")
@roles_required(Role.COACH)
def find_occupation(client_id: int) -> ResponseReturnValue:
    session, lang = get_session(), str(get_locale())
    client = view_client(session, current_user.user, client_id)
    form = OccupationSearchForm(request.args)
    hits = []
    if form.q.data and form.validate():
        hits = search_concepts(session, form.q.data, kind="occupation", limit=SEARCH_RESULTS)
    picked = request.args.get("uri", "").strip()
    uris = [hit.uri for hit in hits] + ([picked] if picked else [])
    names = {uri: label for uri, (label, _) in name_concepts(session, uris, lang).items()}
    hits = [replace(hit, label=names.get(hit.uri, hit.label)) for hit in hits]
    session.commit()  # the view is in the audit log
    return render_template(
        "clients/wishes.html", client=client, form=form, hits=hits, names=names,
        picked=picked if picked in names else None, add_form=AddWishForm(formdata=None),
    ), 400 if form.errors else 200  # fmt: skip


@bp.post("/<int:client_id>/wishes/add")
@roles_required(Role.COACH)
def add_wish(client_id: int) -> ResponseReturnValue:
    session, user = get_session(), current_user.user
    client_for(session, user, client_id, change=True)
    form = AddWishForm()
    return _change(
        client_id,
        form,
        lambda: add_occupation_wish(session, user, client_id, form.uri.data),
        gettext("The occupation has been added to the wishes."),
    )


@bp.get("/<int:client_id>/export")
@roles_required(Role.COACH)
def export(client_id: int) -> ResponseReturnValue:
    session = get_session()
    data = export_client(session, current_user.user, client_id)
    session.commit()  # the export is in the audit log
    response = Response(json.dumps(data, ensure_ascii=False, indent=2), mimetype="application/json")
    filename = f"client-{data['client']['code']}.json"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/<int:client_id>/erase")
@roles_required(Role.COACH)
def erase(client_id: int) -> ResponseReturnValue:
    session, user = get_session(), current_user.user
    client_for(session, user, client_id, change=True)
    form = EraseForm()
    if not form.validate_on_submit():
        return _record_page(client_id, status=400, erase_form=form)
    try:
        erase_client(session, user, client_id, form.version.data, form.reason.data)
    except (ValidationError, InvalidTransition) as error:
        session.rollback()
        flash(error_message(error), "error")
        return redirect(url_for("clients.record", client_id=client_id))
    session.commit()
    flash(gettext("The client's record has been erased."), "info")
    return redirect(url_for("clients.index"))


def _change(client_id: int, form, change, done: str) -> ResponseReturnValue:
    """Validate one of the record page's forms, make the change, or show the page again."""
    session = get_session()
    if not form.validate_on_submit():
        return _record_page(client_id, status=400, **{_form_name(form): form})
    try:
        change()
    except (ValidationError, InvalidTransition) as error:
        session.rollback()
        flash(error_message(error), "error")
        return _record_page(client_id, status=400, **{_form_name(form): form})
    session.commit()
    flash(done, "info")
    return redirect(url_for("clients.record", client_id=client_id))


def _form_name(form) -> str:
    return {
        LanguagesForm: "languages_form",
        WishesForm: "wishes_form",
        AddWishForm: "add_form",
        EraseForm: "erase_form",
    }[type(form)]


def _record_page(client_id: int, status: int = 200, **forms) -> ResponseReturnValue:
    session = get_session()
    record = get_client_record(session, current_user.user, client_id, str(get_locale()))
    client = record.client
    if "languages_form" not in forms:
        rows = [{"language": r.language, "level": r.level.value} for r in client.languages]
        forms["languages_form"] = LanguagesForm(formdata=None, data={"rows": [*rows, {}]})
        forms["languages_form"].set_choices()
    if "wishes_form" not in forms:
        occupations = [w.occupation_uri for w in client.wishes if w.occupation_uri]
        sectors = "\n".join(w.sector for w in client.wishes if w.sector)
        forms["wishes_form"] = WishesForm(formdata=None, occupations=occupations,
                                          sectors=sectors)  # fmt: skip
    forms["wishes_form"].occupations.choices = list(record.wish_labels.items())
    forms.setdefault("erase_form", EraseForm(formdata=None, version=client.version_id))
    forms.setdefault("search_form", OccupationSearchForm(formdata=None))
    page = render_template(
        "clients/record.html", record=record, client=client, shift_names=SHIFT_NAMES,
        purpose_names=CONSENT_PURPOSE_NAMES, level_names=CEFR_NAMES,
        can_change=current_user.role == Role.COACH, **forms,
    )  # fmt: skip
    return page, status


def _with_languages(form: ClientForm) -> ClientForm:
    form.set_languages(available_languages(get_session()))
    return form
