"""Button-only forms of the admin pages (CSRF like every POST)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SubmitField

from web.forms import AppForm


class RunJobForm(AppForm):
    submit = SubmitField(_l("Run now"))
