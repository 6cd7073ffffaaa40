"""The explorer's search form, read from the query string by the page and the API alike."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import Field, IntegerField, SearchField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from web.forms import AppForm


def one_of_the_choices(form: AppForm, field: Field) -> None:
    allowed = [choice.value for choice in field.choices if choice.value]
    if field.data and field.data not in allowed:
        raise ValidationError(_l("Choose one of: %(choices)s.", choices=", ".join(allowed) or "-"))


class SearchForm(AppForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    q = SearchField(
        _l("Search skills and occupations"),
        validators=[Length(max=200)],
        filters=[lambda value: value.strip() if value else value],
    )
    kind = SelectField(
        _l("Kind"),
        choices=[
            SelectChoice("", _l("Skills and occupations")),
            SelectChoice("skill", _l("Skills")),
            SelectChoice("occupation", _l("Occupations")),
        ],
        validate_choice=False,
        validators=[one_of_the_choices],
    )
    lang = SelectField(_l("Language"), validate_choice=False, validators=[one_of_the_choices])

    def set_languages(self, languages: list[tuple[str, str]]) -> None:
        self.lang.choices = [
            SelectChoice("", _l("All languages")),
            *(SelectChoice(code, name) for code, name in languages),
        ]


class ApiSearchForm(SearchForm):
    """The type-ahead also says how many suggestions it wants."""

    limit = IntegerField(
        _l("Number of results"), default=10, validators=[Optional(), NumberRange(1, 50)]
    )
