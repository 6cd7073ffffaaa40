"""Forms every page carries."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from web.forms import AppForm
from web.i18n import LANGUAGE_NAMES


class LanguageForm(AppForm):
    """The language switch in every page's footer; prefixed so its ids never clash."""

    language = SelectField(
        _l("Language"),
        choices=[SelectChoice(code, name) for code, name in LANGUAGE_NAMES.items()],
    )
    next = HiddenField(validators=[InputRequired()])
    submit = SubmitField(_l("Change language"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, prefix="language", **kwargs)
