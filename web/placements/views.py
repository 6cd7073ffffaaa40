"""After approval: the employer's anonymised cards, the coach's view, placement follow-up."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale, gettext
from flask_login import current_user
from flask_wtf import FlaskForm

from matcher.accounts.models import Role
from matcher.errors import InvalidTransition, NotFound, ValidationError
from matcher.matching.cards import (
    decline_match,
    employer_card,
    invite_to_interview,
    list_employer_matches,
)
from matcher.matching.models import Placement, PlacementStage
from matcher.matching.placements import (
    PlacementEntry,
    get_placement,
    list_client_proposals,
    list_placements,
    record_interview_outcome,
    record_still_working,
)
from web.access import roles_required
from web.db import get_session
from web.names import error_message
from web.pagination import page_args
from web.placements.forms import CheckForm, DeclineForm, InviteForm, OutcomeForm

bp = Blueprint("placements", __name__, template_folder="templates")


@bp.get("/employer/matches")
@roles_required(Role.EMPLOYER)
def employer_matches() -> ResponseReturnValue:
    vacancies = list_employer_matches(get_session(), current_user.user)
    return render_template("placements/employer_matches.html", vacancies=vacancies)


@bp.get("/employer/matches/<int:proposal_id>")
@roles_required(Role.EMPLOYER)
def card(proposal_id: int) -> ResponseReturnValue:
    return _card_page(proposal_id)


@bp.post("/employer/matches/<int:proposal_id>/invite")
@roles_required(Role.EMPLOYER)
def invite(proposal_id: int) -> ResponseReturnValue:
    form = InviteForm()
    done = gettext("The candidate is invited. The job coach and the mediator will be in touch.")
    return _answer(
        proposal_id, form, "invite_form", done,
        lambda s, u: invite_to_interview(s, u, proposal_id, interview_on=form.interview_on.data,
                                         note=form.note.data or "", version=form.version.data),
    )  # fmt: skip


@bp.post("/employer/matches/<int:proposal_id>/decline")
@roles_required(Role.EMPLOYER)
def decline(proposal_id: int) -> ResponseReturnValue:
    form = DeclineForm()
    done = gettext("The match is declined. Thank you for letting us know why.")
    return _answer(
        proposal_id, form, "decline_form", done,
        lambda s, u: decline_match(s, u, proposal_id, reason=form.reason.data,
                                   note=form.note.data or "", version=form.version.data),
    )  # fmt: skip


@bp.get("/coach/clients/<int:client_id>/proposals")
@roles_required(Role.COACH, Role.MEDIATOR)
def client_proposals(client_id: int) -> ResponseReturnValue:
    return _proposals_page(client_id)


@bp.post("/coach/clients/<int:client_id>/placements/<int:placement_id>")
@roles_required(Role.COACH, Role.MEDIATOR)
def record(client_id: int, placement_id: int) -> ResponseReturnValue:
    # The placement must be this client's: a missing one, or one that belongs to another
    # client, is 404 before its form is even read (the services check the organisation).
    placement = get_session().get(Placement, placement_id)
    if placement is None or placement.proposal.client_id != client_id:
        raise NotFound("No placement %(id)s.", id=placement_id)
    form = _submitted(placement_id)
    status = _record_follow_up(placement_id, form)
    if status is None:
        return redirect(url_for(".client_proposals", client_id=client_id))
    return _proposals_page(client_id, form), status


@bp.get("/mediator/placements")
@roles_required(Role.MEDIATOR)
def index() -> ResponseReturnValue:
    stage = request.args.get("stage", "")
    stage = stage if stage in {s.value for s in PlacementStage} else ""
    rows = list_placements(get_session(), current_user.user, stage=stage or None, **page_args())
    return render_template("placements/index.html", rows=rows, stage=stage, stages=PlacementStage)


@bp.route("/mediator/placements/<int:placement_id>", methods=["GET", "POST"])
@roles_required(Role.MEDIATOR)
def detail(placement_id: int) -> ResponseReturnValue:
    if request.method == "GET":
        return _detail_page(placement_id)
    form = _submitted(placement_id)
    status = _record_follow_up(placement_id, form)
    if status is None:
        return redirect(url_for(".detail", placement_id=placement_id))
    return _detail_page(placement_id, form), status


def _answer(
    proposal_id: int, form: FlaskForm, name: str, done: str, action: Callable
) -> ResponseReturnValue:
    """The employer's answer: validate, act once, commit, back to the card (or say why not)."""
    session = get_session()
    if not form.validate_on_submit():
        return _card_page(proposal_id, **{name: form}), 400
    try:
        action(session, current_user.user)
    except (ValidationError, InvalidTransition) as error:
        session.rollback()
        flash(error_message(error), "error")
        return _card_page(proposal_id, **{name: form}), _status_of(error)
    session.commit()
    flash(done, "info")
    return redirect(url_for(".card", proposal_id=proposal_id))


def _card_page(proposal_id: int, **forms: FlaskForm) -> str:
    session = get_session()
    shown = employer_card(session, current_user.user, proposal_id, lang=str(get_locale()))
    session.commit()  # the view is written to the audit log
    invite_form = forms.get("invite_form") or InviteForm(formdata=None)
    decline_form = forms.get("decline_form") or DeclineForm(formdata=None)
    for form in (invite_form, decline_form):
        form.version.data = shown.version
    return render_template("placements/card.html", card=shown, invite_form=invite_form,
                           decline_form=decline_form)  # fmt: skip


def _submitted(placement_id: int) -> FlaskForm:
    """The follow-up form that was sent: the outcome's or a check's (by its button)."""
    outcome = OutcomeForm(placement_id)
    return outcome if outcome.submit.data else CheckForm(placement_id)


def _record_follow_up(placement_id: int, form: FlaskForm) -> int | None:
    """Validate and record a follow-up step; None when done, else the page's status code."""
    session = get_session()
    if not form.validate_on_submit():
        return 400
    service = record_interview_outcome if isinstance(form, OutcomeForm) else record_still_working
    try:
        service(session, current_user.user, placement_id, **form.service_fields())
    except (ValidationError, InvalidTransition) as error:
        session.rollback()
        flash(error_message(error), "error")
        return _status_of(error)
    session.commit()
    flash(gettext("The follow-up has been recorded."), "info")
    return None


def _follow_up_forms(row: PlacementEntry, submitted: FlaskForm | None) -> dict[str, FlaskForm]:
    """The forms a placement needs now (the submitted one kept, with its errors)."""
    # A check is offered once its date has come; the outcome as soon as the interview is set.
    if row.due is None or (row.due.kind != "outcome" and not row.due.reached):
        return {}
    if row.due.kind == "outcome":
        form = OutcomeForm(row.id, formdata=None)
    else:
        form = CheckForm(row.id, formdata=None)
        form.months.data = 3 if row.due.kind == "check_3" else 6
    if submitted is not None and submitted._prefix == form._prefix:
        form = submitted
    form.version.data = row.version
    return {"form": form}


def _proposals_page(client_id: int, submitted: FlaskForm | None = None) -> str:
    session = get_session()
    entries = list_client_proposals(session, current_user.user, client_id, lang=str(get_locale()))
    session.commit()  # the view is written to the audit log
    placements = [e.placement for e in entries if e.placement is not None]
    forms = {p.id: _follow_up_forms(p, submitted) for p in placements}
    return render_template("placements/client_proposals.html", client_id=client_id,
                           entries=entries, forms=forms)  # fmt: skip


def _detail_page(placement_id: int, submitted: FlaskForm | None = None) -> str:
    session = get_session()
    row = get_placement(session, current_user.user, placement_id)
    session.commit()  # the view is written to the audit log
    forms = {row.id: _follow_up_forms(row, submitted)}
    return render_template("placements/detail.html", row=row, forms=forms)


def _status_of(error: ValidationError | InvalidTransition) -> int:
    # 409: the request was fine, but the match or placement is no longer in that state.
    return 409 if isinstance(error, InvalidTransition) else 400
