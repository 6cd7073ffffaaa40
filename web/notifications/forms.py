"""Button-only forms of the notifications page (CSRF like every POST)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SubmitField


class MarkReadForm(FlaskForm):
    submit = SubmitField(_l("Mark as read"))


class MarkAllReadForm(FlaskForm):
    submit = SubmitField(_l("Mark all as read"))
