"""Button-only forms of the admin pages (CSRF like every POST)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SubmitField


class RunJobForm(FlaskForm):
    submit = SubmitField(_l("Run now"))
