"""/notifications: a user's own notifications; the unread count shown in every page's header."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required

from matcher.notifications.models import NotificationKind as K
from matcher.notifications.services import (
    count_unread,
    list_notifications,
    mark_all_read,
    mark_read,
)
from web.db import get_session
from web.notifications.forms import MarkAllReadForm, MarkReadForm

bp = Blueprint("notifications", __name__, template_folder="templates")

KIND_NAMES = {
    K.NEW_PROPOSALS: _l("New matches wait in the review queue"),
    K.PROPOSAL_DECIDED: _l("A mediator decided on a match"),
    K.CONSENT_NEEDED: _l("An approved match waits for the client's consent"),
    K.INVITATION: _l("An employer invited a candidate to an interview"),
    K.MATCH_DECLINED: _l("An employer declined a match"),
    K.SIGNAL_FEEDBACK: _l("Your signal was handled: read the feedback"),
    K.VETTING_DECIDED: _l("A decision on your checklist"),
    K.EXPIRY_WARNING: _l("An employer's approval expires soon"),
    K.PLACEMENT_DUE: _l("A placement needs follow-up"),
}


def kind_name(kind: str) -> str:
    return str(KIND_NAMES.get(kind, kind))


@bp.app_context_processor
def unread_notifications() -> dict:
    # One COUNT per rendered page, and only for someone signed in.
    if not current_user.is_authenticated:
        return {"unread_notifications": 0}
    return {"unread_notifications": count_unread(get_session(), current_user.user)}


@bp.get("/notifications")
@login_required
def index() -> ResponseReturnValue:
    notes = list_notifications(get_session(), current_user.user)
    return render_template(
        "notifications/index.html",
        notifications=notes,
        kind_name=kind_name,
        read_form=MarkReadForm(formdata=None),
        all_form=MarkAllReadForm(formdata=None),
    )


@bp.post("/notifications/<int:notification_id>/read")
@login_required
def read(notification_id: int) -> ResponseReturnValue:
    if not MarkReadForm().validate_on_submit():
        abort(400)
    mark_read(get_session(), current_user.user, notification_id)
    get_session().commit()
    return redirect(url_for(".index"))


@bp.post("/notifications/read")
@login_required
def read_all() -> ResponseReturnValue:
    if not MarkAllReadForm().validate_on_submit():
        abort(400)
    marked = mark_all_read(get_session(), current_user.user)
    get_session().commit()
    flash(
        ngettext(
            "%(num)d notification marked as read.", "%(num)d notifications marked as read.", marked
        ),
        "info",
    )
    return redirect(url_for(".index"))
