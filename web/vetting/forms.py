"""Forms of the mediators' vetting pages, and the names of statuses and decisions they show."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, RadioField, SelectField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import HiddenInput

from matcher.employers.models import Decision
from matcher.employers.review import Mark
from matcher.employers.scoring import Outcome
from web.forms import AppForm
from web.names import VETTING_STATUS_NAMES

TEXT_MAX = 10_000

STATUS_NAMES = VETTING_STATUS_NAMES
DECISION_NAMES = {
    Decision.APPROVED: _l("Approve"),
    Decision.APPROVED_WITH_CONDITIONS: _l("Approve with conditions"),
    Decision.NEEDS_INFORMATION: _l("Ask the employer for more information"),
    Decision.REJECTED: _l("Reject"),
}
OUTCOME_NAMES = {
    Outcome.APPROVED: _l("approve"),
    Outcome.APPROVED_WITH_CONDITIONS: _l("approve with conditions"),
    Outcome.REJECTED: _l("reject"),
    Outcome.INCOMPLETE: _l("wait: knock-out items are unanswered"),
}
# The actions the audit log records about employers.
ACTION_NAMES = {
    "register": _l("registered"),
    "submit": _l("submitted the checklist"),
    "decide": _l("decided"),
    "suspend": _l("suspended"),
    "lift_suspension": _l("lifted the suspension"),
    "conditions_met": _l("confirmed the conditions met"),
    "expire": _l("expired"),
    "restart": _l("started a new checklist"),
}
MARK_NAMES = {
    Mark.KNOCK_OUT: _l("knock-out"),
    Mark.PASS: _l("pass"),
    Mark.FAIL: _l("fail"),
    Mark.ANSWERED: _l("answered"),
    Mark.MISSING: _l("not answered"),
}


def stripped(value: str | None) -> str:
    """Text as the services want it: never None, no surrounding blanks."""
    return (value or "").strip()


class DecisionForm(AppForm):
    # Every decision validates, so an approval the page did not offer reaches the service
    # and is refused with its reason rather than a bare "not a valid choice".
    decision = RadioField(
        _l("Decision"),
        choices=[SelectChoice(d, name) for d, name in DECISION_NAMES.items()],
        validators=[InputRequired()],
    )
    reason = TextAreaField(
        _l("Reason, or the questions for the employer"),
        filters=[stripped],
        validators=[Length(max=TEXT_MAX)],
    )
    conditions = TextAreaField(
        _l("Conditions"), filters=[stripped], validators=[Length(max=TEXT_MAX)]
    )
    conditions_due = DateField(_l("Conditions due by"), validators=[Optional()])
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    submit = SubmitField(_l("Record the decision"))


class ReasonForm(AppForm):
    reason = TextAreaField(
        _l("Reason"), filters=[stripped], validators=[DataRequired(), Length(max=TEXT_MAX)]
    )


class SuspendForm(ReasonForm):
    """Prefixed, like the other forms of the employer page, so their ids never clash."""

    submit = SubmitField(_l("Suspend the employer"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, prefix="suspend", **kwargs)


class LiftSuspensionForm(ReasonForm):
    submit = SubmitField(_l("Lift the suspension"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, prefix="lift", **kwargs)


class ConditionsMetForm(ReasonForm):
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    submit = SubmitField(_l("Confirm the conditions are met"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, prefix="conditions", **kwargs)


class EmployerFilterForm(AppForm):
    """The status filter of the employers list: a GET form, so no CSRF token."""

    class Meta:
        csrf = False

    status = SelectField(
        _l("Status"),
        choices=[
            SelectChoice("", _l("All statuses")),
            *(SelectChoice(status, name) for status, name in STATUS_NAMES.items()),
        ],
        validators=[Optional()],
    )
    submit = SubmitField(_l("Show"))
