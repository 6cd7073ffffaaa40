"""The profile a client keeps: a printable page and a PDF in their language."""

from __future__ import annotations

import re

from flask import Blueprint, Response, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import Form, SelectField

from matcher.accounts.models import Role
from matcher.profiles.document import ProfileDocument, build_profile_document, profile_languages
from web.access import roles_required
from web.clients.pdf import heading_language, profile_lines, render_pdf
from web.db import get_session
from web.i18n import language_name

bp = Blueprint("client_profile", __name__, template_folder="templates", url_prefix="/coach/clients")


class ProfileLanguageForm(Form):
    """A GET form: choosing the language changes nothing, so it needs no CSRF token."""

    lang = SelectField(_l("Language of the profile"))


@bp.get("/<int:client_id>/profile")
@roles_required(Role.COACH, Role.MEDIATOR)
def show(client_id: int) -> ResponseReturnValue:
    session = get_session()
    document = build_profile_document(
        session, current_user.user, client_id, request.args.get("lang") or None
    )
    session.commit()  # the view is in the audit log
    form = ProfileLanguageForm(data={"lang": document.language})
    form.lang.choices = [
        (code, language_name(code)) for code in profile_languages(session, document.own_language)
    ]
    headings = heading_language(document.language)
    with force_locale(headings):
        lines = profile_lines(document)
    page = render_template(
        "clients/profile.html",
        client_id=client_id,
        document=document,
        lines=lines,
        headings=headings,
        form=form,
    )
    return Response(page, headers={"Cache-Control": "no-store"})


@bp.get("/<int:client_id>/profile.pdf")
@roles_required(Role.COACH, Role.MEDIATOR)
def pdf(client_id: int) -> ResponseReturnValue:
    session = get_session()
    document = build_profile_document(
        session, current_user.user, client_id, request.args.get("lang") or None
    )
    session.commit()  # the download is in the audit log
    with force_locale(heading_language(document.language)):
        body = render_pdf(
            profile_lines(document), title=gettext("Skills profile"), language=document.language
        )
    return Response(
        body,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{pdf_name(document)}"',
            "Cache-Control": "no-store",
        },
    )


def pdf_name(document: ProfileDocument) -> str:
    """profile-<code>.pdf, with nothing in the code that could break the header."""
    return f"profile-{re.sub(r'[^A-Za-z0-9_-]', '', document.code)}.pdf"
