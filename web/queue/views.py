"""The mediators' review queue of proposed matches, and the coach's list of consents needed."""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale, gettext
from flask_login import current_user
from flask_wtf import FlaskForm

from matcher.accounts.models import Role
from matcher.errors import InvalidTransition, ValidationError
from matcher.matching.models import Proposal, ProposalStatus, RejectReason
from matcher.matching.proposals import (
    approve_proposal,
    defer_proposal,
    reject_proposal,
    undefer_proposal,
)
from matcher.matching.queue import (
    get_proposal_for_review,
    list_queue,
    list_waiting_for_consent,
)
from matcher.profiles.models import Shift
from web.access import roles_required
from web.db import get_session
from web.names import FILTER_NAMES, FIT_NAMES, error_message
from web.pagination import page_args
from web.queue.forms import (
    ACTION_NAMES,
    FROZEN_REASON_NAMES,
    ApproveForm,
    DeferForm,
    QueueFilterForm,
    RejectForm,
    UndeferForm,
)

bp = Blueprint("queue", __name__, template_folder="templates")


@bp.context_processor
def names() -> dict[str, Any]:
    return dict(
        action_names=ACTION_NAMES,
        filter_names=FILTER_NAMES,
        fit_names=FIT_NAMES,
        frozen_reason_names=FROZEN_REASON_NAMES,
        # Stored as plain strings (JSON, the audit log); as enums name_of names them.
        shift_of=_as(Shift),
        status_of=_as(ProposalStatus),
        reject_reason_of=_as(RejectReason),
    )


def _as(cls: type[enum.Enum]) -> Callable[[str], Any]:
    return lambda value: cls(value) if value in cls._value2member_map_ else value


@bp.get("/mediator/queue")
@roles_required(Role.MEDIATOR)
def index() -> ResponseReturnValue:
    form = QueueFilterForm(request.args)
    valid = form.validate()
    status = form.status.data if valid else None
    items = list_queue(get_session(), current_user.user, status=status or None, **page_args())
    return render_template("queue/index.html", form=form, items=items), 200 if valid else 400


@bp.get("/mediator/proposals/<int:proposal_id>")
@roles_required(Role.MEDIATOR)
def review(proposal_id: int) -> ResponseReturnValue:
    return review_page(proposal_id)


@bp.post("/mediator/proposals/<int:proposal_id>/approve")
@roles_required(Role.MEDIATOR)
def approve(proposal_id: int) -> ResponseReturnValue:
    form = ApproveForm()
    return decide(
        proposal_id, form, "approve_form",
        lambda s, u: approve_proposal(
            s, u, proposal_id, expected_version=form.version.data, note=form.note.data
        ),
    )  # fmt: skip


@bp.post("/mediator/proposals/<int:proposal_id>/reject")
@roles_required(Role.MEDIATOR)
def reject(proposal_id: int) -> ResponseReturnValue:
    form = RejectForm()
    return decide(
        proposal_id, form, "reject_form",
        lambda s, u: reject_proposal(
            s, u, proposal_id, reason=form.reason.data, note=form.note.data,
            expected_version=form.version.data,
        ),
    )  # fmt: skip


@bp.post("/mediator/proposals/<int:proposal_id>/defer")
@roles_required(Role.MEDIATOR)
def defer(proposal_id: int) -> ResponseReturnValue:
    form = DeferForm()
    return decide(
        proposal_id, form, "defer_form",
        lambda s, u: defer_proposal(
            s, u, proposal_id, expected_version=form.version.data, note=form.note.data
        ),
    )  # fmt: skip


@bp.post("/mediator/proposals/<int:proposal_id>/undefer")
@roles_required(Role.MEDIATOR)
def undefer(proposal_id: int) -> ResponseReturnValue:
    form = UndeferForm()
    return decide(
        proposal_id, form, "undefer_form",
        lambda s, u: undefer_proposal(s, u, proposal_id, expected_version=form.version.data),
    )  # fmt: skip


@bp.get("/coach/consent-needed")
@roles_required(Role.COACH)
def waiting_consent() -> ResponseReturnValue:
    items = list_waiting_for_consent(get_session(), current_user.user)
    return render_template("queue/waiting_consent.html", items=items)


def decide(
    proposal_id: int, form: FlaskForm, name: str, action: Callable[..., Proposal]
) -> ResponseReturnValue:
    """The shared steps of the review's forms: validate, decide once, commit, back to the queue."""
    session = get_session()
    if not form.validate_on_submit():
        return review_page(proposal_id, **{name: form}), 400
    try:
        proposal = action(session, current_user.user)
    except (ValidationError, InvalidTransition) as error:
        session.rollback()
        flash(error_message(error), "error")
        return review_page(proposal_id, **{name: form}), status_of(error)
    session.commit()
    flash(DONE[proposal.status](), "info")
    return redirect(url_for(".index"))


DONE: dict[ProposalStatus, Callable[[], str]] = {
    ProposalStatus.APPROVED: lambda: gettext(
        "Approved: the employer can now see the anonymised card."
    ),
    ProposalStatus.WAITING_FOR_CONSENT: lambda: gettext(
        "Approved, but the client has not consented to share with this employer:"
        " the coach must record that consent before it reaches the employer."
    ),
    ProposalStatus.REJECTED: lambda: gettext("The proposal has been rejected."),
    ProposalStatus.DEFERRED: lambda: gettext("The proposal has been deferred."),
    ProposalStatus.PROPOSED: lambda: gettext("The proposal is back in the queue."),
}


def review_page(proposal_id: int, **forms: FlaskForm) -> str:
    """The review page; opening it is a view of the client's record, so it is committed."""
    session = get_session()
    review = get_proposal_for_review(
        session, current_user.user, proposal_id, lang=get_locale().language
    )
    version = review.proposal.version_id
    shown = {
        "approve_form": ApproveForm, "reject_form": RejectForm,
        "defer_form": DeferForm, "undefer_form": UndeferForm,
    }  # fmt: skip
    for name, cls in shown.items():
        if name not in forms:
            forms[name] = cls(formdata=None)
        # Always the version on screen now: after a refusal the page shows the newer state.
        forms[name].version.data = version
    page = render_template("queue/review.html", review=review, **forms)
    session.commit()  # the view of the client is in the audit log
    return page


def status_of(error: ValidationError | InvalidTransition) -> int:
    # 409: the request was fine, but the proposal's state (or the pair's) refuses it.
    return 409 if isinstance(error, InvalidTransition) else 400
