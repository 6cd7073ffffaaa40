"""A client's safety limits and consent records."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import current_user
from flask_wtf import FlaskForm

from matcher.accounts.models import Role
from matcher.errors import InvalidTransition, ValidationError
from matcher.profiles import consent, safety
from matcher.profiles.models import ConsentPurpose
from web.access import roles_required
from web.clients.safety_forms import (
    PURPOSE_DESCRIPTIONS,
    PURPOSE_NAMES,
    AreaLimitForm,
    EmployerLimitForm,
    GiveConsentForm,
    GiveEmployerConsentForm,
    HousingForm,
    RemoveLimitForm,
    SectorLimitForm,
    WithdrawConsentForm,
    employer_id,
)
from web.db import get_session
from web.names import LIMIT_KIND_NAMES, RELATION_NAMES, error_message

bp = Blueprint("client_safety", __name__, template_folder="templates", url_prefix="/coach/clients")


@bp.get("/<int:client_id>/safety")
@roles_required(Role.COACH, Role.MEDIATOR)
def index(client_id: int) -> ResponseReturnValue:
    return _page(client_id)


@bp.post("/<int:client_id>/safety/limits/employer")
@roles_required(Role.COACH)
def add_employer_limit(client_id: int) -> ResponseReturnValue:
    form = EmployerLimitForm()
    done = gettext("The employer is on the client's limits.")
    return _change(client_id, form, done, safety.add_employer_limit, **form.service_fields())


@bp.post("/<int:client_id>/safety/limits/sector")
@roles_required(Role.COACH)
def add_sector_limit(client_id: int) -> ResponseReturnValue:
    form = SectorLimitForm()
    done = gettext("The sector is on the client's limits.")
    return _change(client_id, form, done, safety.add_sector_limit, sector=form.sector.data)


@bp.post("/<int:client_id>/safety/limits/area")
@roles_required(Role.COACH)
def add_area_limit(client_id: int) -> ResponseReturnValue:
    form = AreaLimitForm()
    done = gettext("The area is on the client's limits.")
    return _change(client_id, form, done, safety.add_area_limit, area=form.area.data)


@bp.post("/<int:client_id>/safety/limits/<int:limit_id>/remove")
@roles_required(Role.COACH)
def remove_limit(client_id: int, limit_id: int) -> ResponseReturnValue:
    done = gettext("The limit has been removed.")
    return _change(
        client_id, RemoveLimitForm(limit_id), done, safety.remove_limit, limit_id=limit_id
    )


@bp.post("/<int:client_id>/safety/housing")
@roles_required(Role.COACH)
def set_housing(client_id: int) -> ResponseReturnValue:
    form = HousingForm()
    done = gettext("The housing rule has been saved.")
    return _change(
        client_id, form, done, safety.set_housing_independent, value=form.housing_independent.data
    )


@bp.post("/<int:client_id>/safety/consent/<purpose>/give")
@roles_required(Role.COACH)
def give_consent(client_id: int, purpose: str) -> ResponseReturnValue:
    if purpose not in {p.value for p in ConsentPurpose}:
        abort(404)
    form = _consent_form(ConsentPurpose(purpose))
    employer = employer_id(form.employer.data) if hasattr(form, "employer") else None
    done = gettext("The consent has been recorded.")
    return _change(
        client_id,
        form,
        done,
        consent.give_consent,
        purpose=purpose,
        employer_id=employer,
        ends_on=form.ends_on.data,
    )


@bp.post("/<int:client_id>/safety/consent/<int:consent_id>/withdraw")
@roles_required(Role.COACH)
def withdraw_consent(client_id: int, consent_id: int) -> ResponseReturnValue:
    done = gettext("The withdrawal has been recorded.")
    return _change(
        client_id,
        WithdrawConsentForm(consent_id),
        done,
        consent.withdraw_consent,
        consent_id=consent_id,
    )


def _change(
    client_id: int, form: FlaskForm, done: str, service: Callable, **fields: Any
) -> ResponseReturnValue:
    """Validate the form, call one service, commit, and go back to the page (or show why not)."""
    session = get_session()
    if not form.validate_on_submit():
        return _page(client_id, 400, form)
    try:
        service(session, current_user.user, client_id, **fields)
    except (ValidationError, InvalidTransition) as error:
        session.rollback()
        flash(error_message(error), "error")
        return _page(client_id, 400, form)
    session.commit()
    flash(done, "info")
    return redirect(url_for(".index", client_id=client_id))


def _page(client_id: int, status: int = 200, submitted: FlaskForm | None = None):
    session = get_session()
    record = safety.view_safety(session, current_user.user, client_id)
    session.commit()  # the view itself is written to the audit log
    forms = {
        "employer_limit": EmployerLimitForm(formdata=None),
        "sector_limit": SectorLimitForm(formdata=None),
        "area_limit": AreaLimitForm(formdata=None),
        "housing": HousingForm(
            formdata=None, housing_independent=record.client.housing_independent
        ),
        **{f"give_{p.value}": _consent_form(p, formdata=None) for p in ConsentPurpose},
    }
    name = submitted._prefix.rstrip("-") if submitted is not None else None
    if name in forms:
        forms[name] = submitted
    for name in ("employer_limit", f"give_{ConsentPurpose.SHARE_WITH_EMPLOYER.value}"):
        employers = record.employers if name == "employer_limit" else record.approved_employers
        forms[name].set_employers(employers)
    return render_template(
        "clients/safety.html",
        record=record,
        forms=forms,
        remove_forms={e.id: RemoveLimitForm(e.id, formdata=None) for e in record.limits},
        withdraw_forms={c.id: WithdrawConsentForm(c.id, formdata=None) for c in record.consents},
        purposes=list(ConsentPurpose),
        purpose_names=PURPOSE_NAMES,
        purpose_descriptions=PURPOSE_DESCRIPTIONS,
        relation_names=RELATION_NAMES,
        kind_names=LIMIT_KIND_NAMES,
        can_change=current_user.role == Role.COACH,
    ), status


def _consent_form(purpose: ConsentPurpose, **kwargs) -> GiveConsentForm:
    if purpose == ConsentPurpose.SHARE_WITH_EMPLOYER:
        return GiveEmployerConsentForm(**kwargs)
    return GiveConsentForm(purpose, **kwargs)
