"""Forms of the review queue, and the names of the codes its pages show."""

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import HiddenInput

from matcher.matching.proposals import NOTE_MAX
from matcher.matching.queue import QUEUE_ORDER
from web.forms import AppForm
from web.names import PROPOSAL_STATUS_NAMES, REJECT_REASON_NAMES

# The actions the audit log records about proposals (the employer's come from its own pages).
ACTION_NAMES = {
    "propose": _l("proposed by the matching"),
    "approve": _l("approved"),
    "reject": _l("rejected"),
    "defer": _l("deferred"),
    "undefer": _l("brought back to the queue"),
    "consent_recorded": _l("consent recorded: introduced to the employer"),
    "freeze_proposal": _l("frozen"),
    "view_card": _l("the employer viewed the card"),
    "invite_to_interview": _l("invited to an interview"),
    "decline_match": _l("declined by the employer"),
}
# Why a proposal was frozen (matcher.matching.freeze and the hooks that call it).
FROZEN_REASON_NAMES = {
    "employer_suspended": _l("the employer was suspended"),
    "employer_expired": _l("the employer's approval expired"),
    "employer_rejected": _l("the employer was rejected"),
    "consent_withdrawn": _l("the client withdrew consent"),
    "no_longer_matchable": _l("the pair no longer passed the hard filters"),
    "vacancy_closed": _l("the vacancy was closed"),
    "vacancy_held": _l("the vacancy went back to a mediator"),
}


def stripped(value: str | None) -> str:
    """Text as the services want it: never None, no surrounding blanks."""
    return (value or "").strip()


class QueueFilterForm(AppForm):
    """The status filter of the queue: a GET form, so no CSRF token."""

    class Meta:
        csrf = False

    status = SelectField(
        _l("Show"),
        choices=[
            SelectChoice("", _l("All open proposals")),
            *(SelectChoice(s, PROPOSAL_STATUS_NAMES[s]) for s in QUEUE_ORDER),
        ],
        validators=[Optional()],
    )
    submit = SubmitField(_l("Filter"))


class DecisionForm(AppForm):
    """One of the review page's forms; each has its own prefix, as they share one page."""

    PREFIX = ""
    # The version the page showed: a decision on anything newer is refused, never applied.
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, prefix=self.PREFIX, **kwargs)


class ApproveForm(DecisionForm):
    PREFIX = "approve"
    note = TextAreaField(
        _l("Note (optional)"), filters=[stripped], validators=[Length(max=NOTE_MAX)]
    )
    submit = SubmitField(_l("Approve"))


class RejectForm(DecisionForm):
    PREFIX = "reject"
    reason = SelectField(
        _l("Reason"),
        choices=[
            SelectChoice("", _l("Choose a reason")),
            *(SelectChoice(r, name) for r, name in REJECT_REASON_NAMES.items()),
        ],
        validators=[InputRequired(message=_l("Choose the reason for the rejection."))],
    )
    note = TextAreaField(
        _l("Note (needed for another reason)"),
        filters=[stripped],
        validators=[Length(max=NOTE_MAX)],
    )
    submit = SubmitField(_l("Reject"))


class DeferForm(DecisionForm):
    PREFIX = "defer"
    note = TextAreaField(
        _l("Note (optional)"), filters=[stripped], validators=[Length(max=NOTE_MAX)]
    )
    submit = SubmitField(_l("Defer"))


class UndeferForm(DecisionForm):
    PREFIX = "undefer"
    submit = SubmitField(_l("Back to the queue"))
