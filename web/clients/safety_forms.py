"""Forms of the safety page: limits (employer, sector, area, housing) and consent."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from matcher.employers.signals import EmployerChoice
from matcher.profiles.models import ConsentPurpose
from matcher.profiles.safety import NAME_MAX, NUMBER_MAX, PLACE_MAX
from web.forms import AppForm, strip_text
from web.names import RELATION_NAMES

# Headings of the consent sections (capitalised, unlike the names in web/names.py).
PURPOSE_NAMES = {
    ConsentPurpose.MATCHING: _l("Matching"),
    ConsentPurpose.SHARE_WITH_MEDIATORS: _l("Sharing an anonymised profile with mediators"),
    ConsentPurpose.SHARE_WITH_EMPLOYER: _l("Sharing the profile with one employer"),
}
PURPOSE_DESCRIPTIONS = {
    ConsentPurpose.MATCHING: _l("The client may be matched with vacancies."),
    ConsentPurpose.SHARE_WITH_MEDIATORS: _l(
        "Mediators may see the profile without name or history, to review proposed matches."
    ),
    ConsentPurpose.SHARE_WITH_EMPLOYER: _l(
        "One named employer may see the profile, for one match."
    ),
}


def employer_id(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


class EmployerLimitForm(AppForm):
    # The service checks the employer exists, so a POST needs no list of employers to validate.
    employer = SelectField(_l("Registered employer"), choices=[], validate_choice=False)
    employer_name = StringField(
        _l("Or the firm's name"), validators=[Length(max=NAME_MAX)], filters=[strip_text]
    )
    registration_number = StringField(
        _l("Or its registration number (such as a KvK number)"),
        validators=[Length(max=NUMBER_MAX)],
        filters=[strip_text],
    )
    relation = SelectField(
        _l("How this firm is connected to the employer to avoid"),
        choices=[SelectChoice("", _l("Choose the relation"))]
        + [SelectChoice(r.value, name) for r, name in RELATION_NAMES.items()],
        validators=[InputRequired(_l("Choose how the firm relates to the employer."))],
    )
    submit = SubmitField(_l("Avoid this employer"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, prefix="employer_limit", **kwargs)

    def set_employers(self, employers: list[EmployerChoice]) -> None:
        self.employer.choices = [
            SelectChoice("", _l("Not registered: enter the name or number below")),
            *(SelectChoice(str(e.id), e.name) for e in employers),
        ]

    def validate_employer_name(self, field: StringField) -> None:
        if not (self.employer.data or field.data or self.registration_number.data):
            raise ValidationError(
                _l("Choose a registered employer, or enter a name or a registration number.")
            )

    def service_fields(self) -> dict:
        return {
            "employer_id": employer_id(self.employer.data),
            "employer_name": self.employer_name.data or "",
            "registration_number": self.registration_number.data or "",
            "relation": self.relation.data,
        }


class SectorLimitForm(AppForm):
    sector = StringField(
        _l("Sector to avoid"),
        validators=[InputRequired(_l("Enter the sector to avoid.")), Length(max=PLACE_MAX)],
        filters=[strip_text],
    )
    submit = SubmitField(_l("Avoid this sector"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, prefix="sector_limit", **kwargs)


class AreaLimitForm(AppForm):
    area = StringField(
        _l("Municipality or area to avoid"),
        validators=[
            InputRequired(_l("Enter the municipality or area to avoid.")),
            Length(max=PLACE_MAX),
        ],
        filters=[strip_text],
    )
    submit = SubmitField(_l("Avoid this area"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, prefix="area_limit", **kwargs)


class RemoveLimitForm(AppForm):
    submit = SubmitField(_l("Remove"))

    def __init__(self, limit_id: int, *args, **kwargs) -> None:
        super().__init__(*args, prefix=f"remove_{limit_id}", **kwargs)


class HousingForm(AppForm):
    housing_independent = BooleanField(_l("Housing must not depend on the employer"))
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, prefix="housing", **kwargs)


class GiveConsentForm(AppForm):
    ends_on = DateField(_l("Until (optional)"), validators=[Optional()])
    submit = SubmitField(_l("Record consent given"))

    def __init__(self, purpose: ConsentPurpose, *args, **kwargs) -> None:
        super().__init__(*args, prefix=f"give_{purpose.value}", **kwargs)


class GiveEmployerConsentForm(GiveConsentForm):
    employer = SelectField(
        _l("Employer"),
        choices=[],
        validate_choice=False,
        validators=[InputRequired(_l("Choose the employer."))],
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(ConsentPurpose.SHARE_WITH_EMPLOYER, *args, **kwargs)

    def set_employers(self, employers: list[EmployerChoice]) -> None:
        self.employer.choices = [
            SelectChoice("", _l("Choose an approved employer")),
            *(SelectChoice(str(e.id), e.name) for e in employers),
        ]


class WithdrawConsentForm(AppForm):
    submit = SubmitField(_l("Withdraw"))

    def __init__(self, consent_id: int, *args, **kwargs) -> None:
        super().__init__(*args, prefix=f"withdraw_{consent_id}", **kwargs)
