"""The dashboard's filters: a GET form, so a filtered page can be bookmarked and shared."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, SubmitField
from wtforms.validators import Optional

from web.forms import AppForm


class DashboardForm(AppForm):
    # A GET form changes nothing, so it needs no CSRF token (and its URL stays clean).
    class Meta:
        csrf = False

    start = DateField(_l("First day"), name="from", validators=[Optional()])
    end = DateField(_l("Last day"), name="to", validators=[Optional()])
    organisation = SelectField(_l("Partner organisation"), validators=[Optional()])
    submit = SubmitField(_l("Show"), name="")
