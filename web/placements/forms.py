"""Forms after approval: the employer's invitation or decline, and the placement follow-up."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, RadioField, SelectField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, InputRequired, Length, Optional
from wtforms.widgets import HiddenInput

from matcher.matching.cards import NOTE_MAX
from web.forms import AppForm, strip_text
from web.names import DECLINE_REASON_NAMES, NOT_HIRED_REASON_NAMES


def _note(label: Any) -> TextAreaField:
    return TextAreaField(label, validators=[Length(max=NOTE_MAX)], filters=[strip_text])


def _version() -> IntegerField:
    # The version the page showed: a second submit of the same page is told it came too late.
    return IntegerField(widget=HiddenInput(), validators=[InputRequired()])


class InviteForm(AppForm):
    interview_on = DateField(_l("Interview date (optional)"), validators=[Optional()])
    note = _note(_l("Message for the job coach and the mediator (optional)"))
    version = _version()
    submit = SubmitField(_l("Invite to an interview"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, prefix="invite", **kwargs)


class DeclineForm(AppForm):
    reason = SelectField(
        _l("Reason"),
        choices=[SelectChoice("", _l("Choose a reason"))]
        + [SelectChoice(r.value, name) for r, name in DECLINE_REASON_NAMES.items()],
        validators=[InputRequired(_l("Choose why you decline."))],
    )
    note = _note(_l("Explanation (needed for another reason)"))
    version = _version()
    submit = SubmitField(_l("Decline"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, prefix="decline", **kwargs)


class OutcomeForm(AppForm):
    outcome = RadioField(
        _l("Outcome of the interview"),
        choices=[SelectChoice("hired", _l("Hired")), SelectChoice("not_hired", _l("Not hired"))],
        validators=[InputRequired(_l("Choose whether the client was hired."))],
    )
    start_date = DateField(_l("Start date (when hired)"), validators=[Optional()])
    reason = SelectField(
        _l("Reason (when not hired)"),
        choices=[SelectChoice("", _l("Choose a reason"))]
        + [SelectChoice(r.value, name) for r, name in NOT_HIRED_REASON_NAMES.items()],
        validate_choice=False,  # the service checks the reason, and needs it only when not hired
    )
    note = _note(_l("Note (needed for another reason)"))
    version = _version()
    submit = SubmitField(_l("Record the outcome"))

    def __init__(self, placement_id: int, *args, **kwargs) -> None:
        # One form per placement on a page: the prefix keeps their fields and ids apart.
        super().__init__(*args, prefix=f"outcome-{placement_id}", **kwargs)

    def service_fields(self) -> dict[str, Any]:
        return {
            "hired": self.outcome.data == "hired",
            "start_date": self.start_date.data,
            "reason": self.reason.data or None,
            "note": self.note.data or "",
            "version": self.version.data,
        }


class CheckForm(AppForm):
    months = IntegerField(widget=HiddenInput(), validators=[InputRequired(), AnyOf([3, 6])])
    working = RadioField(
        _l("Is the client still working there?"),
        choices=[SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))],
        validators=[InputRequired(_l("Choose yes or no."))],
    )
    version = _version()
    submit = SubmitField(_l("Record the check"))

    def __init__(self, placement_id: int, *args, **kwargs) -> None:
        super().__init__(*args, prefix=f"check-{placement_id}", **kwargs)

    def service_fields(self) -> dict[str, Any]:
        return {
            "months": self.months.data,
            "working": self.working.data == "yes",
            "version": self.version.data,
        }
