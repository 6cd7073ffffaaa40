"""Names of statuses and kinds in the reader's language, for pages and for error messages."""

from __future__ import annotations

import enum
import re
from typing import Any

from flask_babel import format_decimal, gettext
from flask_babel import lazy_gettext as _l

from matcher.accounts.models import Role
from matcher.employers.checklist import AnswerType
from matcher.employers.models import EmployerKind, SignalOutcome, SignalStatus
from matcher.employers.states import VettingStatus
from matcher.errors import DomainError
from matcher.matching import filters
from matcher.matching.models import (
    DeclineReason,
    NotHiredReason,
    PlacementStage,
    ProposalStatus,
    RejectReason,
)
from matcher.profiles.models import (
    Cefr,
    ConsentPurpose,
    EmployerRelation,
    LimitKind,
    Shift,
    SkillLevel,
    SkillSource,
)
from matcher.vacancies.models import ContractType, Support, VacancyStatus
from matcher.vacancies.rules import PayPeriod

VETTING_STATUS_NAMES = {
    VettingStatus.PENDING: _l("filling in the checklist"),
    VettingStatus.SUBMITTED: _l("submitted"),
    VettingStatus.NEEDS_INFORMATION: _l("needs information"),
    VettingStatus.APPROVED: _l("approved"),
    VettingStatus.APPROVED_WITH_CONDITIONS: _l("approved with conditions"),
    VettingStatus.REJECTED: _l("rejected"),
    VettingStatus.SUSPENDED: _l("suspended"),
    VettingStatus.EXPIRED: _l("expired"),
}
SIGNAL_STATUS_NAMES = {
    SignalStatus.RECEIVED: _l("received"),
    SignalStatus.IN_REVIEW: _l("being reviewed"),
    SignalStatus.CLOSED: _l("closed"),
}
SIGNAL_OUTCOME_NAMES = {
    SignalOutcome.ACTION_TAKEN: _l("action taken"),
    SignalOutcome.NO_ACTION: _l("no action"),
    SignalOutcome.REFERRED_TO_INSPECTORATE: _l("referred to the labour inspectorate"),
}
KIND_NAMES = {
    EmployerKind.DIRECT: _l("direct employer"),
    EmployerKind.AGENCY: _l("temporary work agency"),
}
ANSWER_TYPE_NAMES = {
    AnswerType.YES_NO: _l("yes or no"),
    AnswerType.DATE: _l("date"),
    AnswerType.NUMBER: _l("number"),
    AnswerType.TEXT: _l("text"),
    AnswerType.CHOICE: _l("choice"),
}
ROLE_NAMES = {
    Role.COACH: _l("job coach"),
    Role.EMPLOYER: _l("employer"),
    Role.MEDIATOR: _l("mediator"),
    Role.ADMIN: _l("administrator"),
}
CEFR_NAMES = {level: level.value for level in Cefr} | {Cefr.NATIVE: _l("mother tongue")}
SHIFT_NAMES = {
    Shift.EARLY: _l("early shifts (before 7:00)"),
    Shift.EVENING: _l("evening shifts"),
    Shift.NIGHT: _l("night shifts"),
    Shift.WEEKEND: _l("weekend shifts"),
}
CONSENT_PURPOSE_NAMES = {
    ConsentPurpose.MATCHING: _l("matching"),
    ConsentPurpose.SHARE_WITH_MEDIATORS: _l("sharing an anonymised profile with mediators"),
    ConsentPurpose.SHARE_WITH_EMPLOYER: _l("sharing the profile with one employer"),
}
SKILL_LEVEL_NAMES = {
    SkillLevel.SOME_EXPERIENCE: _l("some experience"),
    SkillLevel.EXPERIENCED: _l("experienced"),
    SkillLevel.CAN_TEACH: _l("can teach others"),
}
SKILL_SOURCE_NAMES = {
    SkillSource.TYPED: _l("found by typing"),
    SkillSource.OCCUPATION: _l("from an occupation"),
    SkillSource.NOTES: _l("from intake notes"),
}
RELATION_NAMES = {
    EmployerRelation.ITSELF: _l("the employer itself"),
    EmployerRelation.SAME_OWNERS: _l("a firm with the same owners"),
    EmployerRelation.TRADE_NAME: _l("a trade name of the employer"),
    EmployerRelation.AGENCY_OR_RECRUITER: _l("the agency or recruiter used"),
    EmployerRelation.HOUSING_PROVIDER: _l("the housing provider used"),
}
LIMIT_KIND_NAMES = {
    LimitKind.EMPLOYER: _l("employer"),
    LimitKind.SECTOR: _l("sector"),
    LimitKind.AREA: _l("municipality or area"),
}
VACANCY_STATUS_NAMES = {
    VacancyStatus.HELD: _l("waiting for a mediator"),
    VacancyStatus.OPEN: _l("open"),
    VacancyStatus.REFUSED: _l("refused"),
    VacancyStatus.CLOSED: _l("closed"),
}
CONTRACT_TYPE_NAMES = {
    ContractType.PERMANENT: _l("permanent contract"),
    ContractType.FIXED_TERM: _l("fixed-term contract"),
    ContractType.TEMPORARY_AGENCY: _l("through a temporary work agency"),
    ContractType.SEASONAL: _l("seasonal work"),
    ContractType.ON_CALL: _l("on-call contract"),
}
SUPPORT_NAMES = {
    Support.BUDDY: _l("a buddy at work"),
    Support.GRADUAL_START: _l("a gradual start"),
    Support.TRAINING: _l("training on the job"),
    Support.JOB_COACH_CONTACT: _l("contact with the job coach"),
}
PAY_PERIOD_NAMES = {
    PayPeriod.HOUR: _l("an hour"),
    PayPeriod.WEEK: _l("a week"),
    PayPeriod.MONTH: _l("a month"),
}
PROPOSAL_STATUS_NAMES = {
    ProposalStatus.PROPOSED: _l("waiting for review"),
    ProposalStatus.DEFERRED: _l("deferred"),
    ProposalStatus.WAITING_FOR_CONSENT: _l("approved, waiting for the client's consent"),
    ProposalStatus.APPROVED: _l("introduced to the employer"),
    ProposalStatus.REJECTED: _l("rejected"),
    ProposalStatus.FROZEN: _l("frozen"),
    ProposalStatus.INVITED: _l("invited to an interview"),
    ProposalStatus.DECLINED: _l("declined by the employer"),
}
REJECT_REASON_NAMES = {
    RejectReason.SKILLS: _l("the skills do not fit"),
    RejectReason.LANGUAGE: _l("the language needs do not fit"),
    RejectReason.PLACE_OR_TRAVEL: _l("the place or the travel does not fit"),
    RejectReason.HOURS_OR_SHIFTS: _l("the hours or shifts do not fit"),
    RejectReason.CLIENT_NOT_READY: _l("the client is not ready for this work"),
    RejectReason.EMPLOYER_CONCERN: _l("a concern about the employer"),
    RejectReason.SAFETY: _l("a risk to the client's safety"),
    RejectReason.OTHER: _l("another reason"),
}
DECLINE_REASON_NAMES = {
    DeclineReason.POSITION_FILLED: _l("the position has been filled"),
    DeclineReason.SKILLS: _l("the skills do not fit"),
    DeclineReason.LANGUAGE: _l("the language needs do not fit"),
    DeclineReason.AVAILABILITY: _l("the availability does not fit"),
    DeclineReason.OTHER: _l("another reason"),
}
PLACEMENT_STAGE_NAMES = {
    PlacementStage.INTERVIEW: _l("interview"),
    PlacementStage.HIRED: _l("hired"),
    PlacementStage.NOT_HIRED: _l("not hired"),
}
NOT_HIRED_REASON_NAMES = {
    NotHiredReason.EMPLOYER_CHOSE_ANOTHER: _l("the employer chose another candidate"),
    NotHiredReason.CLIENT_DECLINED: _l("the client declined"),
    NotHiredReason.TERMS_CHANGED: _l("the terms of the job changed"),
    NotHiredReason.NOT_READY: _l("the client was not ready yet"),
    NotHiredReason.OTHER: _l("another reason"),
}
# The hard filters a client and a vacancy passed (matcher.matching.filters.FILTER_CODES).
FILTER_NAMES = {
    filters.VACANCY_OPEN: _l("The vacancy is open"),
    filters.NOT_CLOSED: _l("Its closing date has not passed"),
    filters.EMPLOYER_VETTED: _l("The employer is approved and not suspended"),
    filters.CLIENT_CONSENT: _l("The client consents to matching"),
    filters.EMPLOYER_NOT_EXCLUDED: _l("Not an employer or related firm the client avoids"),
    filters.SECTOR_NOT_EXCLUDED: _l("Not a sector the client avoids"),
    filters.AREA_NOT_EXCLUDED: _l("Not an area the client avoids"),
    filters.HOUSING_INDEPENDENT: _l("Housing does not tie the client to the employer"),
    filters.SHIFTS_POSSIBLE: _l("No shift the client cannot work"),
    filters.WORK_ALLOWED: _l("The client may work by the closing date"),
}
# The other things weighed (matcher.matching.features.FIT_CODES): feature → code → words.
FIT_NAMES = {
    "language": {
        "meets": _l("Speaks every language needed at the level needed"),
        "below": _l("Speaks a language needed, below the level needed"),
        "missing": _l("Does not speak a language needed"),
    },
    "travel": {
        "same_place": _l("The work is in the client's own place"),
        "other_place": _l("The work is in another place (distance not known)"),
        "unknown": _l("The client's region is not recorded"),
    },
    "hours": {
        "fits": _l("The hours fit the client's wish"),
        "more": _l("More hours than the client wants"),
        "fewer": _l("Fewer hours than the client wants"),
    },
    "wish": {
        "occupation": _l("An occupation the client wishes for"),
        "isco_group": _l("Close to an occupation the client wishes for"),
        "sector": _l("A sector the client wishes for"),
        "none": _l("None of the client's wishes"),
    },
}
# Keyed by enum class, since different enums share values ("approved", "submitted").
NAMES: dict[type[enum.Enum], dict[Any, Any]] = {
    VettingStatus: VETTING_STATUS_NAMES,
    SignalStatus: SIGNAL_STATUS_NAMES,
    SignalOutcome: SIGNAL_OUTCOME_NAMES,
    EmployerKind: KIND_NAMES,
    AnswerType: ANSWER_TYPE_NAMES,
    Role: ROLE_NAMES,
    Cefr: CEFR_NAMES,
    Shift: SHIFT_NAMES,
    ConsentPurpose: CONSENT_PURPOSE_NAMES,
    SkillLevel: SKILL_LEVEL_NAMES,
    SkillSource: SKILL_SOURCE_NAMES,
    EmployerRelation: RELATION_NAMES,
    LimitKind: LIMIT_KIND_NAMES,
    VacancyStatus: VACANCY_STATUS_NAMES,
    ContractType: CONTRACT_TYPE_NAMES,
    Support: SUPPORT_NAMES,
    PayPeriod: PAY_PERIOD_NAMES,
    ProposalStatus: PROPOSAL_STATUS_NAMES,
    RejectReason: REJECT_REASON_NAMES,
    DeclineReason: DECLINE_REASON_NAMES,
    PlacementStage: PLACEMENT_STAGE_NAMES,
    NotHiredReason: NOT_HIRED_REASON_NAMES,
}


def name_of(value: Any) -> str:
    """A status, kind or role in the reader's language; anything else as it is."""
    names = NAMES.get(type(value), {})
    return str(names.get(value, value if value is not None else ""))


def error_message(error: DomainError) -> str:
    """A domain error's message in the reader's language, with its values in that language too."""
    if not error.message:
        return str(error)
    params = {key: _shown(error.message, key, value) for key, value in error.params.items()}
    return gettext(error.message, **params)


def _shown(message: str, key: str, value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return name_of(value)
    if isinstance(value, int) and not isinstance(value, bool):
        # "10.000" in Dutch; only where the message prints the value as text.
        return format_decimal(value) if re.search(rf"%\({key}\)s", message) else value
    if isinstance(value, str) and value:
        # Words the domain passes in ("The description") are msgids marked with N_.
        return gettext(value)
    return value
