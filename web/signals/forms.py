"""Forms of the meldroute: reporting, a mediator's triage actions, personal report links."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange
from wtforms.widgets import HiddenInput

from matcher.employers.links import LABEL_MAX, VALID_DAYS_MAX
from matcher.employers.models import SIGNAL_TEXT_MAX, SignalOutcome
from matcher.employers.signals import NOTES_MAX, EmployerChoice
from web.forms import AppForm, strip_text


class ReportForm(AppForm):
    """What anyone can tell about an employer; the public link form has no list of employers."""

    employer_name = StringField(
        _l("The employer's name (optional)"),
        description=_l("The name you know the employer by, if you know it."),
        validators=[Length(max=200)],
        filters=[strip_text],
    )
    vacancy_ref = StringField(
        _l("The job or vacancy (optional)"),
        description=_l("For example the job title, the place, or where you saw the vacancy."),
        validators=[Length(max=200)],
        filters=[strip_text],
    )
    text = TextAreaField(
        _l("What happened?"),
        description=_l("In your own words. You do not need to know any legal terms."),
        validators=[
            DataRequired(_l("Describe what happened.")),
            Length(max=SIGNAL_TEXT_MAX, message=_l("Write at most %(max)d characters.")),
        ],
        filters=[strip_text],
    )
    contact = StringField(
        _l("How can we reach you? (optional)"),
        description=_l("A phone number or e-mail address, if a mediator may contact you."),
        validators=[Length(max=254)],
        filters=[strip_text],
    )
    submit = SubmitField(_l("Send the report"))


class SignalForm(ReportForm):
    """The signed-in reporter's form: registered employers can be picked from a list."""

    employer = SelectField(_l("The employer"))

    def set_employers(self, employers: list[EmployerChoice]) -> None:
        self.employer.choices = [
            SelectChoice("", _l("Another employer, or I don't know")),
            *(SelectChoice(str(e.id), e.name) for e in employers),
        ]


class SignalActionForm(AppForm):
    """A mediator's action on one signal; the version seen guards against a second mediator."""

    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


class ReviewForm(SignalActionForm):
    notes = TextAreaField(
        _l("Notes (mediators only)"), validators=[Length(max=NOTES_MAX)], filters=[strip_text]
    )
    submit = SubmitField(_l("Start the review"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, prefix="review", **kwargs)


class CloseForm(SignalActionForm):
    outcome = SelectField(
        _l("Outcome"),
        choices=[
            SelectChoice("", _l("Choose the outcome")),
            SelectChoice(SignalOutcome.ACTION_TAKEN.value, _l("Action taken")),
            SelectChoice(SignalOutcome.NO_ACTION.value, _l("No action")),
            SelectChoice(
                SignalOutcome.REFERRED_TO_INSPECTORATE.value,
                _l("Referred to the labour inspectorate"),
            ),
        ],
        validators=[InputRequired(_l("Choose the outcome of the review."))],
    )
    feedback = TextAreaField(
        _l("Feedback for the reporter"),
        description=_l("The reporter sees this message with the signal. Write no internal notes."),
        validators=[
            DataRequired(_l("Tell the reporter what happened.")),
            Length(max=NOTES_MAX),
        ],
        filters=[strip_text],
    )
    notes = TextAreaField(
        _l("Notes (mediators only)"), validators=[Length(max=NOTES_MAX)], filters=[strip_text]
    )
    submit = SubmitField(_l("Close the signal"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, prefix="close", **kwargs)


class SeriousForm(SignalActionForm):
    reason = TextAreaField(
        _l("Why is this signal serious?"),
        validators=[
            DataRequired(_l("Give the reason this signal is serious.")),
            Length(max=NOTES_MAX),
        ],
        filters=[strip_text],
    )
    submit = SubmitField(_l("Mark serious and suspend the employer"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, prefix="serious", **kwargs)


class LinkEmployerForm(SignalActionForm):
    employer = SelectField(
        _l("Registered employer"), validators=[InputRequired(_l("Choose an employer."))]
    )
    submit = SubmitField(_l("Link the employer"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, prefix="employer", **kwargs)

    def set_employers(self, employers: list[EmployerChoice]) -> None:
        self.employer.choices = [
            SelectChoice("", _l("Choose an employer")),
            *(SelectChoice(str(e.id), e.name) for e in employers),
        ]


class SignalLinkForm(AppForm):
    label = StringField(
        _l("Your reference"),
        description=_l(
            "Something only you can place, such as a file number. Never put the client's name"
            " in it: nothing about the link may lead back to a person."
        ),
        validators=[Length(max=LABEL_MAX)],
        filters=[strip_text],
    )
    valid_days = IntegerField(
        _l("Valid for (days)"),
        default=90,
        validators=[
            InputRequired(_l("Say how many days the link stays valid.")),
            NumberRange(1, VALID_DAYS_MAX, _l("Choose from 1 to %(max)d days.")),
        ],
    )
    submit = SubmitField(_l("Create a link"))


class RevokeLinkForm(AppForm):
    """A button-only form; a POST still needs its CSRF token."""

    submit = SubmitField(_l("Revoke"))


def optional_id(value: str | None) -> int | None:
    """The id a select sent, or None for its empty choice."""
    return int(value) if value and value.isdigit() else None
