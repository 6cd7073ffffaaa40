"""/ (each role's home) and the language switch."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, session
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_login import current_user, login_required

from matcher.accounts.services import set_user_language
from web.auth.forms import LogoutForm
from web.auth.views import safe_next
from web.db import get_session
from web.main.forms import LanguageForm

bp = Blueprint("main", __name__, template_folder="templates")


@bp.app_context_processor
def layout_forms() -> dict:
    return {
        "language_form": LanguageForm(
            formdata=None, language=str(get_locale()), next=request.full_path.rstrip("?")
        ),
        "logout_form": LogoutForm(formdata=None),
    }


@bp.get("/")
@login_required
def home() -> ResponseReturnValue:
    return render_template("main/home.html")


@bp.post("/language")
def set_language() -> ResponseReturnValue:
    form = LanguageForm()
    if not form.validate_on_submit():
        abort(400)
    if current_user.is_authenticated:
        set_user_language(get_session(), current_user.user, form.language.data)
        get_session().commit()
    else:
        session["language"] = form.language.data
    return redirect(safe_next(form.next.data))
