"""/login and /logout."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext, ngettext
from flask_login import current_user, login_user, logout_user

from matcher.accounts.services import AccountInactive, LoginThrottled, authenticate
from matcher.db import utcnow
from matcher.errors import ValidationError
from web.access import SignedInUser
from web.auth.forms import LoginForm, LogoutForm
from web.db import get_session

bp = Blueprint("auth", __name__, template_folder="templates")


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form), 400 if form.errors else 200
    session = get_session()
    try:
        user = authenticate(
            session, form.email.data, form.password.data, request.remote_addr or "", utcnow(),
            max_failures=current_app.config["LOGIN_MAX_FAILURES"],
            window_seconds=current_app.config["LOGIN_WINDOW_SECONDS"],
        )  # fmt: skip
    except ValidationError as error:
        session.commit()  # the refused attempt counts towards throttling
        flash(login_error_message(error), "error")
        status = 429 if isinstance(error, LoginThrottled) else 200
        return render_template("auth/login.html", form=form), status
    session.commit()
    login_user(SignedInUser(user))
    return redirect(safe_next(request.args.get("next")))


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    if LogoutForm().validate_on_submit():
        logout_user()
        flash(gettext("You have signed out."), "info")
    return redirect(url_for("auth.login"))


def login_error_message(error: ValidationError) -> str:
    if isinstance(error, LoginThrottled):
        return ngettext(
            "Too many attempts, try again in %(num)d minute.",
            "Too many attempts, try again in %(num)d minutes.",
            error.minutes,
        )
    if isinstance(error, AccountInactive):
        return gettext("This account has been deactivated. Ask your administrator.")
    return gettext("Wrong e-mail address or password.")


def safe_next(target: str | None) -> str:
    """A local path to go to after signing in; anything pointing elsewhere goes home."""
    if not target or "\\" in target or not target.startswith("/") or target.startswith("//"):
        return url_for("main.home")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(c) < 32 for c in target):
        return url_for("main.home")
    return target
