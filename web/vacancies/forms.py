"""Forms of the vacancy pages: the one vacancy form (with its skills step), close, review."""

from __future__ import annotations

from typing import Any

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from matcher.profiles.models import Cefr, Shift
from matcher.vacancies.drafts import MAX_LANGUAGES, MAX_SKILLS, VacancyDraft
from matcher.vacancies.models import (
    DESCRIPTION_MAX,
    PLACE_MAX,
    TITLE_MAX,
    ContractType,
    Vacancy,
)
from matcher.vacancies.review import NOTE_MAX
from matcher.vacancies.rules import PayPeriod
from matcher.vacancies.skills import SkillOrigin
from web.clients.forms import MultiCheckboxField
from web.forms import AppForm, strip_text
from web.names import (
    CEFR_NAMES,
    CONTRACT_TYPE_NAMES,
    PAY_PERIOD_NAMES,
    SHIFT_NAMES,
    SUPPORT_NAMES,
)

LANGUAGE_ROWS = 3
QUERY_MAX = 200
ESSENTIAL, OPTIONAL = "essential", "optional"
ORIGIN_NAMES = {
    SkillOrigin.OCCUPATION_ESSENTIAL: _l("essential for the occupation in ESCO"),
    SkillOrigin.OCCUPATION_OPTIONAL: _l("optional for the occupation in ESCO"),
    SkillOrigin.DESCRIPTION: _l("found in your description"),
    SkillOrigin.SEARCH: _l("found by your search"),
}
REVIEW_DECISIONS = {
    "publish": _l("Publish the vacancy"),
    "refuse": _l("Refuse it: the employer must change it"),
}


class LanguageRowForm(Form):
    language = SelectField(_l("Language"), validate_choice=False)
    level = SelectField(
        _l("Lowest level that will do"),
        choices=[SelectChoice(level.value, CEFR_NAMES[level]) for level in Cefr],
        validate_choice=False,  # the service refuses an unknown level with its reason
    )


class SkillRowForm(Form):
    uri = HiddenField()
    origin = HiddenField()
    ticked = BooleanField(_l("Ask for this skill"))
    importance = RadioField(
        _l("Importance"),
        choices=[SelectChoice(ESSENTIAL, _l("essential")), SelectChoice(OPTIONAL, _l("optional"))],
        default=ESSENTIAL,
        validate_choice=False,
    )


class VacancyForm(AppForm):
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])
    title = StringField(
        _l("Job title"), validators=[DataRequired(), Length(max=TITLE_MAX)], filters=[strip_text]
    )
    occupation_q = StringField(
        _l("Occupation (ESCO): type a few words"),
        validators=[Length(max=QUERY_MAX)],
        filters=[strip_text],
    )
    occupation_uri = RadioField(_l("Occupation"), choices=[], validate_choice=False)
    description = TextAreaField(
        _l("Description of the work"), validators=[Length(max=DESCRIPTION_MAX)]
    )
    place = StringField(
        _l("Place of work (municipality)"),
        validators=[DataRequired(), Length(max=PLACE_MAX)],
        filters=[strip_text],
    )
    hours_per_week = IntegerField(
        _l("Hours per week"), validators=[InputRequired(), NumberRange(min=1, max=60)]
    )
    shifts = MultiCheckboxField(
        _l("Shifts"), choices=[SelectChoice(s.value, SHIFT_NAMES[s]) for s in Shift]
    )
    contract_type = SelectField(
        _l("Contract"),
        choices=[SelectChoice(c.value, name) for c, name in CONTRACT_TYPE_NAMES.items()],
    )
    contract_months = IntegerField(
        _l("Length of the contract in months (for a fixed-term or seasonal contract)"),
        validators=[Optional(), NumberRange(min=1, max=120)],
    )
    wage_amount = DecimalField(
        _l("Gross wage in euros"),
        places=2,
        validators=[InputRequired(), NumberRange(min=0.01)],
    )
    wage_period = SelectField(
        _l("Wage per"),
        choices=[SelectChoice(p.value, name) for p, name in PAY_PERIOD_NAMES.items()],
    )
    housing_offered = BooleanField(_l("We offer housing"))
    housing_rent = DecimalField(
        _l("Rent in euros"), places=2, validators=[Optional(), NumberRange(min=0)]
    )
    housing_rent_period = SelectField(
        _l("Rent per"),
        choices=[SelectChoice("", "—")]
        + [SelectChoice(p.value, PAY_PERIOD_NAMES[p]) for p in (PayPeriod.WEEK, PayPeriod.MONTH)],
    )
    housing_deducted_from_pay = BooleanField(_l("The rent is deducted from pay"))
    housing_tied_to_contract = BooleanField(
        _l("The worker must leave the housing when the job ends")
    )
    worker_fees = RadioField(
        _l("Do workers pay any fee or deposit?"),
        choices=[SelectChoice("no", _l("No")), SelectChoice("yes", _l("Yes"))],
        validators=[InputRequired(message=_l("Answer this question."))],
    )
    languages = FieldList(
        FormField(LanguageRowForm), min_entries=LANGUAGE_ROWS, max_entries=MAX_LANGUAGES
    )
    support = MultiCheckboxField(
        _l("Support offered"),
        choices=[SelectChoice(s.value, name) for s, name in SUPPORT_NAMES.items()],
    )
    closing_date = DateField(_l("Closing date"), validators=[InputRequired()])
    skills = FieldList(FormField(SkillRowForm), max_entries=MAX_SKILLS * 2)
    skill_q = StringField(
        _l("Find another skill"), validators=[Length(max=QUERY_MAX)], filters=[strip_text]
    )
    suggest = SubmitField(_l("Suggest skills"))
    find_skill = SubmitField(_l("Find skill"))
    save = SubmitField(_l("Save the vacancy"))

    def set_language_choices(self) -> None:
        """Every language Babel knows, named in the reader's language."""
        names = get_locale().languages
        choices = sorted(
            ((code, name) for code, name in names.items() if "_" not in code),
            key=lambda pair: pair[1].casefold(),
        )
        for row in self.languages:
            row.language.choices = [SelectChoice("", _l("(no language)"))] + [
                SelectChoice(code, f"{name} ({code})") for code, name in choices
            ]

    def skill_rows(self) -> list[dict[str, Any]]:
        """The skill rows as posted: uri, origin, ticked, importance."""
        return [
            {
                "uri": row.uri.data,
                "origin": row.origin.data,
                "ticked": bool(row.ticked.data),
                "importance": OPTIONAL if row.importance.data == OPTIONAL else ESSENTIAL,
            }
            for row in self.skills
            if row.uri.data
        ]

    def set_skill_rows(self, rows: list[dict[str, Any]]) -> None:
        """Show these skill rows instead of the posted ones."""
        self.skills.entries, self.skills.last_index = [], -1
        for row in rows[: self.skills.max_entries]:
            self.skills.append_entry(row)

    def draft(self) -> VacancyDraft:
        """The vacancy as filled in, for create_vacancy and update_vacancy."""
        rows = [row for row in self.skill_rows() if row["ticked"]]
        return VacancyDraft(
            title=self.title.data,
            place=self.place.data,
            hours_per_week=self.hours_per_week.data,
            contract_type=self.contract_type.data,
            wage_amount=self.wage_amount.data,
            wage_period=self.wage_period.data,
            closing_date=self.closing_date.data,
            essential_skills=tuple(r["uri"] for r in rows if r["importance"] == ESSENTIAL),
            optional_skills=tuple(r["uri"] for r in rows if r["importance"] == OPTIONAL),
            occupation_uri=self.occupation_uri.data or None,
            description=self.description.data or "",
            shifts=tuple(self.shifts.data or ()),
            contract_months=self.contract_months.data,
            housing_offered=self.housing_offered.data,
            housing_rent=self.housing_rent.data,
            housing_rent_period=self.housing_rent_period.data or None,
            housing_deducted_from_pay=self.housing_deducted_from_pay.data,
            housing_tied_to_contract=self.housing_tied_to_contract.data,
            worker_fees=self.worker_fees.data == "yes",
            languages=tuple(
                (row.language.data, row.level.data) for row in self.languages if row.language.data
            ),
            support=tuple(self.support.data or ()),
        )


def vacancy_form_data(vacancy: Vacancy, occupation_label: str) -> dict[str, Any]:
    """The form's fields filled in from a saved vacancy, to edit it."""
    fields = {
        name: getattr(vacancy, name)
        for name in ("title", "description", "place", "hours_per_week", "contract_months",
                     "wage_amount", "housing_offered", "housing_rent",
                     "housing_deducted_from_pay", "housing_tied_to_contract", "closing_date",
                     "occupation_uri")
    }  # fmt: skip
    languages = [{"language": row.language, "level": row.level.value} for row in vacancy.languages]
    return fields | {
        "version": vacancy.version_id,
        "occupation_q": occupation_label,
        "contract_type": vacancy.contract_type.value,
        "wage_period": vacancy.wage_period.value,
        "housing_rent_period": vacancy.housing_rent_period or "",
        "worker_fees": "yes" if vacancy.worker_fees else "no",
        "shifts": list(vacancy.shifts),
        "support": list(vacancy.support),
        "languages": languages + [{}] * max(0, LANGUAGE_ROWS - len(languages)),
    }


def saved_skill_rows(vacancy: Vacancy) -> list[dict[str, Any]]:
    """A saved vacancy's skills as ticked rows of the form."""
    return [
        {"uri": row.skill_uri, "origin": "", "ticked": True,
         "importance": ESSENTIAL if row.essential else OPTIONAL}
        for row in vacancy.skills
    ]  # fmt: skip


def new_vacancy_defaults() -> dict[str, Any]:
    return {"contract_type": ContractType.PERMANENT.value, "wage_period": PayPeriod.HOUR.value}


class CloseForm(AppForm):
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    submit = SubmitField(_l("Close the vacancy"))


class ReviewForm(AppForm):
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    decision = RadioField(
        _l("Decision"),
        choices=[SelectChoice(value, name) for value, name in REVIEW_DECISIONS.items()],
        validators=[InputRequired(message=_l("Choose a decision."))],
    )
    note = TextAreaField(
        _l("Note (a refusal's reason is shown to the employer)"),
        validators=[Length(max=NOTE_MAX)],
        filters=[strip_text],
    )
    submit = SubmitField(_l("Record the decision"))
