"""Forms of the employer pages: registration, the checklist answers, evidence, own users."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    Field,
    FloatField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TelField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp

from matcher.accounts.services import MIN_PASSWORD_LENGTH
from matcher.employers.checklist import AnswerType, ChecklistItem
from web.forms import AppForm, strip_text


class PasswordTwiceMixin:
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=1024,
                message=_l("The password must be at least %(min)d characters long."),
            ),
        ],
    )
    password_again = PasswordField(
        _l("Password again"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )


class RegistrationForm(PasswordTwiceMixin, AppForm):
    legal_name = StringField(
        _l("Legal name"), validators=[DataRequired(), Length(max=200)], filters=[strip_text]
    )
    trade_names = StringField(
        _l("Trade names (comma separated)"), validators=[Length(max=1000)], filters=[strip_text]
    )
    registration_country = StringField(
        _l("Country of registration (two letters)"),
        default="NL",
        validators=[
            DataRequired(),
            Regexp(r"^[A-Za-z]{2}$", message=_l("Use a two-letter code such as NL.")),
        ],
        filters=[strip_text],
    )
    kvk_number = StringField(
        _l("KvK number (8 digits, for the Netherlands)"),
        validators=[Length(max=20)],
        filters=[strip_text],
    )
    registration_number = StringField(
        _l("Other business registration number (outside the Netherlands)"),
        validators=[Length(max=64)],
        filters=[strip_text],
    )
    vat_number = StringField(_l("VAT number"), validators=[Length(max=32)], filters=[strip_text])
    employer_kind = RadioField(
        _l("Kind of employer"),
        choices=[
            SelectChoice("direct", _l("Direct employer")),
            SelectChoice("agency", _l("Temporary work agency")),
        ],
        validators=[DataRequired(message=_l("Choose the kind of employer."))],
    )
    sector = StringField(_l("Sector"), validators=[Length(max=200)], filters=[strip_text])
    provides_housing = BooleanField(_l("We provide or arrange housing for workers"))
    street = StringField(
        _l("Street and number"), validators=[Length(max=200)], filters=[strip_text]
    )
    postal_code = StringField(_l("Postal code"), validators=[Length(max=16)], filters=[strip_text])
    city = StringField(_l("City"), validators=[Length(max=100)], filters=[strip_text])
    contact_name = StringField(
        _l("Contact person"), validators=[DataRequired(), Length(max=200)], filters=[strip_text]
    )
    contact_email = EmailField(
        _l("Contact e-mail address"), validators=[Length(max=254)], filters=[strip_text]
    )
    contact_phone = TelField(_l("Contact phone"), validators=[Length(max=32)], filters=[strip_text])
    email = EmailField(
        _l("Your e-mail address (to sign in)"),
        validators=[DataRequired(), Length(max=254)],
        filters=[strip_text],
    )
    submit = SubmitField(_l("Register"))

    def service_fields(self) -> dict[str, Any]:
        """The keyword arguments of register_employer."""
        trade_names = [n.strip() for n in (self.trade_names.data or "").split(",") if n.strip()]
        return {
            "legal_name": self.legal_name.data,
            "trade_names": trade_names,
            "registration_country": self.registration_country.data,
            "kvk_number": self.kvk_number.data or None,
            "registration_number": self.registration_number.data or None,
            "vat_number": self.vat_number.data or "",
            "employer_kind": self.employer_kind.data,
            "sector": self.sector.data or "",
            "provides_housing": self.provides_housing.data,
            "street": self.street.data or "",
            "postal_code": self.postal_code.data or "",
            "city": self.city.data or "",
            "contact_name": self.contact_name.data,
            "contact_email": self.contact_email.data or "",
            "contact_phone": self.contact_phone.data or "",
            "user_email": self.email.data,
            "password": self.password.data,
        }


class AnswersForm(AppForm):
    """The checklist's answers; one field per item is added by answers_form()."""

    save = SubmitField(_l("Save draft"))
    send = SubmitField(_l("Submit for vetting"))


def answers_form(items: list[ChecklistItem], lang: str, **kwargs: Any) -> AnswersForm:
    """An AnswersForm with a field for each item, named by its id, labelled in the language."""

    class Form(AnswersForm):
        pass

    for item in items:
        setattr(Form, field_name(item.id), _answer_field(item, lang))
    return Form(**kwargs)


def field_name(item_id: str) -> str:
    return "answer_" + item_id.replace("-", "_")


def _answer_field(item: ChecklistItem, lang: str) -> Field:
    label = getattr(item.question, lang)
    optional = [Optional()]
    if item.answer_type is AnswerType.YES_NO:
        return RadioField(
            label,
            choices=[SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))],
            validators=optional,
        )
    if item.answer_type is AnswerType.CHOICE:
        choices = [SelectChoice("", _l("(no answer yet)"))]
        choices += [SelectChoice(o.value, getattr(o.label, lang)) for o in item.options]
        return SelectField(label, choices=choices, validators=optional)
    if item.answer_type is AnswerType.DATE:
        return DateField(label, validators=optional)
    if item.answer_type is AnswerType.NUMBER:
        return FloatField(label, validators=optional)
    return TextAreaField(label, validators=[*optional, Length(max=5000)], filters=[strip_text])


def form_answer(item: ChecklistItem, data: Any) -> Any:
    """A field's value as the service stores it; None clears the answer."""
    if data in (None, ""):
        return None
    if item.answer_type is AnswerType.YES_NO:
        return data == "yes"
    if item.answer_type is AnswerType.NUMBER and float(data).is_integer():
        return int(data)
    return data


def field_value(item: ChecklistItem, answer: Any) -> Any:
    """A stored answer as the field shows it."""
    if answer is None:
        return None
    if item.answer_type is AnswerType.YES_NO:
        return "yes" if answer else "no"
    if item.answer_type is AnswerType.DATE:
        return date.fromisoformat(answer)
    return answer


class EvidenceForm(AppForm):
    """One item's upload; prefixed with the item id so every item's fields have their own ids."""

    file = FileField(
        _l("Document (PDF, JPEG or PNG, at most 10 MB)"),
        validators=[FileRequired(message=_l("Choose a file to upload."))],
    )
    issued_on = DateField(_l("Issued on"), validators=[Optional()])
    expires_on = DateField(_l("Valid until"), validators=[Optional()])
    upload = SubmitField(_l("Upload"))


class RestartForm(AppForm):
    submit = SubmitField(_l("Start a new checklist"))


class RemoveEvidenceForm(AppForm):
    submit = SubmitField(_l("Remove"))


class AddUserForm(PasswordTwiceMixin, AppForm):
    email = EmailField(
        _l("E-mail address"), validators=[DataRequired(), Length(max=254)], filters=[strip_text]
    )
    submit = SubmitField(_l("Add user"))


class DeactivateUserForm(AppForm):
    submit = SubmitField(_l("Deactivate"))
