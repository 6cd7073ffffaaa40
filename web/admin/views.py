"""/admin/users: who can sign in, with their role and organisation; /admin/outbox: the mail."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from matcher.accounts.models import Role
from matcher.accounts.services import list_users
from matcher.notifications.services import list_outbox
from web.access import roles_required
from web.db import get_session

bp = Blueprint("admin", __name__, template_folder="templates", url_prefix="/admin")


@bp.get("/users")
@roles_required(Role.ADMIN)
def users() -> ResponseReturnValue:
    return render_template("admin/users.html", users=list_users(get_session()))


@bp.get("/outbox")
@roles_required(Role.ADMIN)
def outbox() -> ResponseReturnValue:
    return render_template("admin/outbox.html", mails=list_outbox(get_session(), current_user.user))
