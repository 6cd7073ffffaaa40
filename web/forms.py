"""The base of every form in the app, and the filters its fields share."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms.widgets import HiddenInput


def strip_text(value: Any) -> Any:
    """A field filter: typed text without the spaces around it; anything else as it came."""
    return value.strip() if isinstance(value, str) else value


class AppForm(FlaskForm):
    """A Flask-WTF form (CSRF token included) whose refused hidden fields say why."""

    def hidden_tag(self, *fields) -> Markup:
        """The hidden fields, and a visible reason when one was refused.

        A hidden field (the version a page showed) fails only when the page was tampered with or
        the form posted in a state that no longer offers it; its error has no field to stand next
        to, so it is shown once here instead of a bare 400 page.
        """
        html = super().hidden_tag(*fields)
        hidden = [f for f in (fields or self) if not isinstance(f, str)]
        if any(isinstance(f.widget, HiddenInput) and f.errors for f in hidden):
            message = gettext(
                "The form was out of date or incomplete. Reload the page and try again."
            )
            html += Markup('<p class="flash flash-error" role="alert">%s</p>') % message
        return html
