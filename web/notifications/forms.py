"""Button-only forms of the notifications page (CSRF like every POST)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SubmitField

from web.forms import AppForm


class MarkReadForm(AppForm):
    submit = SubmitField(_l("Mark as read"))


class MarkAllReadForm(AppForm):
    submit = SubmitField(_l("Mark all as read"))
