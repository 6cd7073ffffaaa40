"""Forms of the review queue, and the names of the codes its pages show."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import HiddenInput

from matcher.matching.proposals import NOTE_MAX
from matcher.matching.queue import QUEUE_ORDER
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
# The hard filters a pair passed (matcher.matching.filters.FILTER_CODES).
FILTER_NAMES = {
    "vacancy_open": _l("the vacancy is open"),
    "not_past_closing_date": _l("the closing date has not passed"),
    "employer_vetted": _l("the employer is vetted and not suspended"),
    "client_consent": _l("the client consents to matching"),
    "employer_not_excluded": _l("the employer is not on the client's limits"),
    "sector_not_excluded": _l("the sector is not on the client's limits"),
    "area_not_excluded": _l("the place is not on the client's limits"),
    "housing_independent": _l("no housing tied to the job, where the client needs that"),
    "shifts_possible": _l("no shifts the client cannot work"),
    "work_allowed": _l("the client may work by the closing date"),
}
# The other things weighed (matcher.matching.features.FIT_CODES): (feature, code) → words.
FIT_NAMES = {
    ("language", "meets"): _l("Languages: the client meets every level needed."),
    ("language", "below"): _l("Languages: the client speaks a needed language below the level."),
    ("language", "missing"): _l("Languages: the client does not speak a needed language."),
    ("travel", "same_place"): _l("Place: the work is in the client's own place."),
    ("travel", "other_place"): _l("Place: the work is elsewhere than the client's place."),
    ("travel", "unknown"): _l("Place: the client's region is not known."),
    ("hours", "fits"): _l("Hours: they fit the hours the client wants."),
    ("hours", "fewer"): _l("Hours: fewer than the client wants."),
    ("hours", "more"): _l("Hours: more than the client wants."),
    ("wish", "occupation"): _l("Wishes: the occupation the client wishes for."),
    ("wish", "isco_group"): _l("Wishes: close to an occupation the client wishes for."),
    ("wish", "sector"): _l("Wishes: a sector the client wishes for."),
    ("wish", "none"): _l("Wishes: none of the client's wishes."),
}


def stripped(value: str | None) -> str:
    """Text as the services want it: never None, no surrounding blanks."""
    return (value or "").strip()


class QueueFilterForm(FlaskForm):
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


class DecisionForm(FlaskForm):
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
