"""Forms of the client list and record: the record's fields, languages, wishes, erasure."""

from __future__ import annotations

from functools import cache
from typing import Any

from babel import Locale
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SearchField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget, Select, html_params

from matcher.profiles.models import NAME_MAX, NOTES_MAX, Cefr, Shift
from matcher.profiles.rules import REGION_MAX
from matcher.profiles.services import REASON_MAX
from web.forms import AppForm, strip_text
from web.i18n import language_name
from web.names import CEFR_NAMES, SHIFT_NAMES

# Fields of the edit form, in the order update_client takes them.
RECORD_FIELDS = (
    "first_name",
    "profile_language",
    "region",
    "max_travel_minutes",
    "hours_per_week",
    "earliest_start",
    "shifts_not_possible",
    "work_allowed_from",
    "permit_ends_on",
    "notes",
)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ClientForm(AppForm):
    first_name = StringField(
        _l("First name or initials (optional)"),
        validators=[Length(max=NAME_MAX)],
        filters=[strip_text],
    )
    profile_language = SelectField(_l("Language of the client's profile"))
    region = StringField(
        _l("Municipality or region"), validators=[Length(max=REGION_MAX)], filters=[strip_text]
    )
    max_travel_minutes = IntegerField(
        _l("Longest travel time, in minutes one way"),
        validators=[Optional(), NumberRange(0, 600)],
    )
    hours_per_week = IntegerField(_l("Hours per week"), validators=[Optional(), NumberRange(1, 60)])
    earliest_start = DateField(_l("Earliest start"), validators=[Optional()])
    shifts_not_possible = MultiCheckboxField(
        _l("Shifts that are not possible"),
        choices=[SelectChoice(shift.value, SHIFT_NAMES[shift]) for shift in Shift],
    )
    work_allowed_from = DateField(_l("Work allowed from"), validators=[Optional()])
    permit_ends_on = DateField(
        _l("Date the residence permit ends (never record the kind of permit)"),
        validators=[Optional()],
    )
    notes = TextAreaField(
        _l("Notes (seen only by your organisation)"), validators=[Length(max=NOTES_MAX)]
    )
    submit = SubmitField(_l("Save"))

    def set_languages(self, codes: list[str]) -> None:
        self.profile_language.choices = [
            SelectChoice(code, _language_name(code)) for code in sorted(set(codes) | {"en"})
        ]

    def service_fields(self) -> dict[str, Any]:
        """The keyword arguments of create_client and update_client."""
        return {name: self[name].data for name in RECORD_FIELDS}


class EditClientForm(ClientForm):
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


class LanguageSelect(Select):
    """The ~650 language options drawn once per locale; each row only marks its own choice.

    Drawn by WTForms, a client record with a few languages built over 2,000 options on every
    view: the costliest part of the page in the load bench."""

    def __call__(self, field: Any, **kwargs: Any) -> Markup:
        kwargs.setdefault("id", field.id)
        options = _language_options(str(get_locale()))
        if field.data:
            plain = Markup('<option value="%s">') % field.data
            options = options.replace(plain, Markup('<option selected value="%s">') % field.data, 1)
        placeholder = Markup('<option%s value="">%s</option>') % (
            "" if field.data else Markup(" selected"),
            _l("(choose a language)"),
        )
        params = Markup(html_params(name=field.name, **kwargs))
        return Markup("<select %s>%s%s</select>") % (params, placeholder, options)


class LanguageRowForm(Form):
    language = SelectField(_l("Language"), validate_choice=False, widget=LanguageSelect())
    level = SelectField(
        _l("Level"),
        choices=[SelectChoice(level.value, CEFR_NAMES[level]) for level in Cefr],
        validate_choice=False,  # set_languages checks the level of each row kept
    )
    remove = BooleanField(_l("Remove"))


@cache
def _language_choices(locale: str) -> tuple[SelectChoice, ...]:
    # Some 650 languages for each row of every client record: built once per locale and
    # process, not on every page (the load bench found the record page the costliest list).
    names = Locale.parse(locale).languages
    pairs = sorted(
        ((code, name) for code, name in names.items() if "_" not in code),
        key=lambda pair: pair[1].casefold(),
    )
    return tuple(SelectChoice(code, f"{name} ({code})") for code, name in pairs)


@cache
def _language_options(locale: str) -> Markup:
    return Markup("").join(
        Markup('<option value="%s">%s</option>') % (choice.value, choice.label)
        for choice in _language_choices(locale)
    )


class LanguagesForm(AppForm):
    rows = FieldList(FormField(LanguageRowForm), min_entries=1, max_entries=40)
    submit = SubmitField(_l("Save languages"))

    def set_choices(self) -> None:
        """Every language Babel knows, named in the reader's language."""
        choices = _language_choices(str(get_locale()))
        for row in self.rows:
            row.language.choices = [SelectChoice("", _l("(choose a language)")), *choices]

    def languages(self) -> list[tuple[str, str]]:
        """The rows kept: a language chosen and not marked for removal."""
        return [
            (row.language.data, row.level.data)
            for row in self.rows
            if row.language.data and not row.remove.data
        ]


class WishesForm(AppForm):
    occupations = MultiCheckboxField(_l("Occupations wanted"), validate_choice=False)
    sectors = TextAreaField(_l("Sectors wanted (one per line)"), validators=[Length(max=3000)])
    submit = SubmitField(_l("Save wishes"))

    def sector_lines(self) -> list[str]:
        return (self.sectors.data or "").splitlines()

    def occupation_uris(self) -> list[str]:
        # A POST without any field leaves the checkboxes at None, not at "none ticked".
        return self.occupations.data or []


class AddWishForm(AppForm):
    uri = HiddenField(validators=[DataRequired()])
    submit = SubmitField(_l("Add as a wish"))


class OccupationSearchForm(AppForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    q = SearchField(
        _l("Find an occupation the client would like to do"),
        validators=[Length(max=200)],
        filters=[strip_text],
    )


class EraseForm(AppForm):
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    confirm = BooleanField(
        _l("I understand that this erases the client's record for good."),
        validators=[DataRequired(message=_l("Tick the box to confirm."))],
    )
    reason = TextAreaField(
        _l("Reason"),
        validators=[
            DataRequired(message=_l("Give a reason.")),
            Length(max=REASON_MAX),
        ],
        filters=[strip_text],
    )
    submit = SubmitField(_l("Erase the client"))


def _language_name(code: str) -> str:
    name = language_name(code)
    return f"{name} ({code})" if name != code else code
