"""Forms of the client's skills pages, and the names of skill levels and sources."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SearchField,
    SelectField,
    SelectMultipleField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from matcher.profiles.models import NOTES_MAX, SkillLevel
from web.forms import AppForm, strip_text
from web.names import SKILL_LEVEL_NAMES

URI_MAX = 255


class LevelMixin:
    level = SelectField(
        _l("Level"),
        choices=[SelectChoice(level.value, name) for level, name in SKILL_LEVEL_NAMES.items()],
        default=SkillLevel.SOME_EXPERIENCE.value,
    )
    informal = BooleanField(_l("Gained informally"))


class SearchForm(AppForm):
    """A plain GET search: ESCO skills or occupations by words in any language."""

    class Meta:
        csrf = False  # a search changes nothing

    q = SearchField(_l("Search"), validators=[Length(max=200)], filters=[strip_text])


class AddSkillForm(LevelMixin, AppForm):
    skill_uri = HiddenField(validators=[DataRequired(), Length(max=URI_MAX)])
    submit = SubmitField(_l("Add"))


class UpdateSkillForm(LevelMixin, AppForm):
    submit = SubmitField(_l("Save"))


class SkillActionForm(AppForm):
    """Remove or restore: a button, but still a form, for the CSRF token."""


class OccupationSkillsForm(LevelMixin, AppForm):
    occupation_uri = HiddenField(validators=[DataRequired(), Length(max=URI_MAX)])
    # The service checks that each one belongs to the occupation, and says so.
    skills = SelectMultipleField(_l("Skills"), choices=[], validate_choice=False)
    submit = SubmitField(_l("Add the ticked skills"))


class NotesForm(AppForm):
    notes = TextAreaField(
        _l("Intake notes"), validators=[DataRequired(), Length(max=NOTES_MAX)], filters=[strip_text]
    )
    language = SelectField(_l("Language of the notes"), choices=[])
    submit = SubmitField(_l("Suggest skills"))


class SuggestionForm(Form):
    ticked = BooleanField()
    uri = HiddenField(validators=[DataRequired(), Length(max=URI_MAX)])
    label = HiddenField(validators=[Length(max=512)])
    words = HiddenField(validators=[Length(max=500)])


class ConfirmSuggestionsForm(LevelMixin, AppForm):
    suggestions = FieldList(FormField(SuggestionForm), max_entries=50)
    submit = SubmitField(_l("Add the ticked skills"))

    def chosen(self) -> list[tuple[str, str]]:
        """The ticked suggestions as (skill URI, words of the notes)."""
        return [
            (entry.form.uri.data, entry.form.words.data or "")
            for entry in self.suggestions
            if entry.form.ticked.data
        ]
