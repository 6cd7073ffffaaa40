"""Use cases of employers: registration, answering the checklist, vetting by mediators."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.accounts.models import OrganisationKind, Role, User
from matcher.accounts.services import create_organisation, create_user
from matcher.audit.services import record_event
from matcher.db import first_writer_wins, utcnow
from matcher.employers.checklist import AnswerType, Checklist, load_checklist
from matcher.employers.evidence import evidence_expiry as document_end
from matcher.employers.evidence import (
    evidence_expiry_dates,
    latest_evidence,
    missing_knock_out_evidence,
)
from matcher.employers.models import (
    ChecklistSubmission,
    Decision,
    EmployerKind,
    EmployerProfile,
    Signal,
    SignalStatus,
    SubmissionStatus,
)
from matcher.employers.scoring import ChecklistScore, approval_end_date, score_answers
from matcher.employers.states import (
    MATCHABLE,
    VettingStatus,
    check_decision,
    check_transition,
    may_be_matched,
)
from matcher.errors import N_, Forbidden, InvalidTransition, NotFound, ValidationError
from matcher.matching.freeze import freeze_open_proposals
from matcher.matching.state import EMPLOYERS, bump
from matcher.notifications.events import notify_vetting_decided

CHECKLIST_VERSION = "1"
KVK_PATTERN = re.compile(r"^\d{8}$")
NL_VAT_PATTERN = re.compile(r"^NL\d{9}B\d{2}$")
# An employer may change answers only while it has no decision pending.
EDITABLE = (SubmissionStatus.DRAFT, SubmissionStatus.RETURNED)
# What registration may fill in besides the numbers; never the status or the approval.
PROFILE_DETAILS = frozenset(
    {"trade_names", "provides_housing", "street", "postal_code", "city"}
    | {"contact_name", "contact_email", "contact_phone"}
)
LOST_RACE = N_("Another mediator decided this first; reload the submission.")
CHANGED_MEANWHILE = N_("Someone changed this employer's status first; reload the page.")
# Leaving the matching this way freezes the employer's open proposals, with this reason code.
FREEZE_REASONS = {
    VettingStatus.SUSPENDED: "employer_suspended",
    VettingStatus.EXPIRED: "employer_expired",
    VettingStatus.REJECTED: "employer_rejected",
}


def register_employer(
    session: Session,
    *,
    legal_name: str,
    kvk_number: str | None,
    vat_number: str,
    employer_kind: EmployerKind | str,
    sector: str,
    user_email: str,
    password: str,
    registration_country: str = "NL",
    registration_number: str | None = None,
    **details: Any,
) -> EmployerProfile:
    """Register an employer: its organisation, its profile and its first user."""
    if unknown := set(details) - PROFILE_DETAILS:
        raise TypeError(f"register_employer() got unexpected fields {sorted(unknown)}")
    country = registration_country.strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", country):
        raise ValidationError("The registration country is a two-letter code such as NL.")
    kvk, vat = _normalise_kvk(kvk_number, country), _normalise_vat(vat_number, country)
    if country != "NL" and not kvk and not (registration_number or "").strip():
        raise ValidationError("A business registration number is required.")
    try:
        kind = EmployerKind(employer_kind)
    except ValueError:
        raise ValidationError("Unknown employer kind %(kind)r.", kind=employer_kind) from None
    _refuse_known_registration(session, kvk, country, registration_number)
    # A savepoint, so a user refused after the organisation was created leaves nothing behind.
    with session.begin_nested():
        organisation = create_organisation(session, legal_name, OrganisationKind.EMPLOYER)
        profile = EmployerProfile(
            organisation=organisation,
            legal_name=organisation.name,
            registration_country=country,
            kvk_number=kvk,
            registration_number=(registration_number or "").strip() or None,
            vat_number=vat,
            employer_kind=kind,
            sector=sector.strip(),
            **details,
        )
        session.add(profile)
        user = create_user(
            session,
            email=user_email,
            password=password,
            role=Role.EMPLOYER,
            organisation=organisation,
        )
        session.flush()
        record_event(session, user, "register", "employer", profile.id, to_state=profile.status)
    return profile


def save_answers(
    session: Session, employer: User, answers: Mapping[str, Any]
) -> ChecklistSubmission:
    """Save (part of) an employer's answers to the checklist as a draft."""
    profile = _own_profile(session, employer)
    if profile.status not in (VettingStatus.PENDING, VettingStatus.NEEDS_INFORMATION):
        raise InvalidTransition(
            "The checklist is read-only while the status is %(status)s.", status=profile.status
        )
    submission = _open_submission(session, profile)
    if submission.status not in EDITABLE:
        raise InvalidTransition(
            "The checklist has been submitted and is read-only until a mediator returns it."
        )
    checklist = load_checklist(submission.checklist_version)
    merged = dict(submission.answers)
    for item_id, value in answers.items():
        if value is None:
            merged.pop(item_id, None)
        else:
            merged[item_id] = _stored_answer(checklist, item_id, value)
    submission.answers = merged
    session.flush()
    return submission


def submit_checklist(session: Session, employer: User) -> ChecklistSubmission:
    """Submit an employer's answered checklist for vetting."""
    profile = _own_profile(session, employer)
    submission = _open_submission(session, profile)
    if submission.status not in EDITABLE:
        raise InvalidTransition("This checklist has already been submitted.")
    check_transition(profile.status, VettingStatus.SUBMITTED, employer.role)
    score = _score(submission, profile)
    submission.status, submission.submitted_at = SubmissionStatus.SUBMITTED, utcnow()
    submission.score, submission.knock_outs = score.score, list(score.knock_outs)
    # A fresh round: the questions answered are kept in the audit log.
    submission.decision = submission.decided_by_id = submission.decided_at = None
    _move(session, employer, profile, VettingStatus.SUBMITTED, "submit")
    return submission


def decide_vetting(
    session: Session,
    mediator: User,
    submission_id: int,
    expected_version: int,
    decision: Decision | str,
    reason: str = "",
    conditions: str = "",
    conditions_due: date | None = None,
    evidence_expiry: list[date] | None = None,
    today: date | None = None,
) -> ChecklistSubmission:
    """Decide a submitted checklist: approve (with conditions), ask for information or reject."""
    if mediator.role != Role.MEDIATOR:
        raise Forbidden("Only a mediator may decide a vetting.")
    decision, today = Decision(decision), today or date.today()
    submission = session.get(ChecklistSubmission, submission_id)
    if submission is None:
        raise NotFound("No checklist submission %(id)s.", id=submission_id)
    if submission.version_id != expected_version or submission.status != SubmissionStatus.SUBMITTED:
        raise InvalidTransition(LOST_RACE)
    _check_decision_fields(decision, reason, conditions, conditions_due, today)
    profile, target = submission.employer, VettingStatus(decision.value)
    check_transition(profile.status, target, mediator.role)
    if target in MATCHABLE:
        profile.approved_until = check_approval(session, submission, today, evidence_expiry, target)
    returned = decision == Decision.NEEDS_INFORMATION
    submission.status = SubmissionStatus.RETURNED if returned else SubmissionStatus.DECIDED
    submission.decision, submission.decided_by_id, submission.decided_at = (
        decision,
        mediator.id,
        utcnow(),
    )
    submission.reason, submission.conditions, submission.conditions_due = (
        reason,
        conditions,
        conditions_due,
    )
    with first_writer_wins(LOST_RACE):
        _move(session, mediator, profile, target, "decide", reason=reason)
    notify_vetting_decided(session, profile, decision)
    return submission


def confirm_conditions_met(
    session: Session, mediator: User, profile_id: int, expected_version: int, reason: str
) -> EmployerProfile:
    """Confirm an employer approved with conditions has met them: it becomes approved."""
    if mediator.role != Role.MEDIATOR:
        raise Forbidden("Only a mediator may confirm that conditions are met.")
    if not reason.strip():
        raise ValidationError("Say how the conditions were met.")
    profile = session.get(EmployerProfile, profile_id)
    if profile is None:
        raise NotFound("No employer %(id)s.", id=profile_id)
    if profile.version_id != expected_version:
        raise InvalidTransition(CHANGED_MEANWHILE)
    check_transition(profile.status, VettingStatus.APPROVED, mediator.role)
    with first_writer_wins(CHANGED_MEANWHILE):
        _move(session, mediator, profile, VettingStatus.APPROVED, "conditions_met", reason.strip())
    return profile


def check_approval(
    session: Session,
    submission: ChecklistSubmission,
    today: date,
    evidence_expiry: list[date] | None = None,
    target: VettingStatus = VettingStatus.APPROVED_WITH_CONDITIONS,
) -> date:
    """Raise InvalidTransition unless the submission may be approved today; else its end date."""
    profile = submission.employer
    check_decision(target, _score(submission, profile))
    if missing := missing_knock_out_evidence(submission, _scopes(profile)):
        raise InvalidTransition(
            "Documents for knock-out items are missing (%(items)s): it cannot be approved.",
            items=", ".join(missing),
        )
    if has_open_serious_signal(session, profile.id):
        raise InvalidTransition(
            "An open signal about this employer is marked serious: close it before approving."
        )
    checklist = load_checklist(submission.checklist_version)
    if evidence_expiry is None:
        evidence_expiry = evidence_expiry_dates(submission)
    end = approval_end_date(checklist, today, evidence_expiry)
    if end < today:
        raise InvalidTransition(
            "Evidence has expired (%(items)s): ask the employer for current documents.",
            items=", ".join(_expired_evidence(submission, today)),
        )
    return end


def has_open_serious_signal(session: Session, profile_id: int) -> bool:
    """Whether a signal about this employer is marked serious and not yet closed."""
    open_serious = select(Signal.id).where(
        Signal.employer_id == profile_id,
        Signal.serious.is_(True),
        Signal.status != SignalStatus.CLOSED,
    )
    return session.scalar(open_serious.limit(1)) is not None


def may_match_employer(session: Session, organisation_id: int) -> bool:
    """Whether this employer's vacancies may be matched now."""
    status = session.scalar(
        select(EmployerProfile.status).where(EmployerProfile.organisation_id == organisation_id)
    )
    return status is not None and may_be_matched(status)


def _normalise_kvk(kvk_number: str | None, country: str) -> str | None:
    kvk = re.sub(r"[\s.]", "", kvk_number or "")
    if (country == "NL" or kvk) and not KVK_PATTERN.match(kvk):
        raise ValidationError(
            "A KvK number has exactly 8 digits; %(value)r does not.", value=kvk_number
        )
    return kvk or None


def _normalise_vat(vat_number: str, country: str) -> str:
    vat = re.sub(r"[\s.]", "", vat_number or "").upper()
    if country == "NL" and not NL_VAT_PATTERN.match(vat):
        raise ValidationError(
            "A Dutch VAT number reads NL, 9 digits, B and 2 digits (NL123456789B01);"
            " %(value)r does not.",
            value=vat_number,
        )
    return vat


def _refuse_known_registration(
    session: Session, kvk: str | None, country: str, registration_number: str | None
) -> None:
    if kvk and session.scalar(select(EmployerProfile.id).where(EmployerProfile.kvk_number == kvk)):
        raise ValidationError(
            "An employer with KvK number %(number)s is already registered.", number=kvk
        )
    number = (registration_number or "").strip()
    known = select(EmployerProfile.id).where(
        EmployerProfile.registration_country == country,
        EmployerProfile.registration_number == number,
    )
    if number and session.scalar(known):
        raise ValidationError(
            "An employer with registration number %(number)s is already registered.",
            number=number,
        )


def _own_profile(session: Session, employer: User) -> EmployerProfile:
    if employer.role != Role.EMPLOYER:
        raise Forbidden("Only the employer's own users may answer its checklist.")
    profile = session.scalar(
        select(EmployerProfile).where(EmployerProfile.organisation_id == employer.organisation_id)
    )
    if profile is None:
        raise NotFound("This organisation has no employer profile.")
    return profile


def _open_submission(session: Session, profile: EmployerProfile) -> ChecklistSubmission:
    """The latest undecided submission, or a new draft of the current checklist."""
    latest = profile.submissions[-1] if profile.submissions else None
    if latest is not None and latest.status != SubmissionStatus.DECIDED:
        return latest
    submission = ChecklistSubmission(
        employer=profile, checklist_version=CHECKLIST_VERSION, answers={}
    )
    session.add(submission)
    session.flush()
    return submission


def _stored_answer(checklist: Checklist, item_id: str, value: Any) -> Any:
    try:
        item = checklist.item(item_id)
    except KeyError:
        raise ValidationError("The checklist has no item %(item)s.", item=item_id) from None
    if item.answer_type is AnswerType.DATE and isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            raise ValidationError(
                "Answer to %(item)s: %(value)r is not a date.", item=item_id, value=value
            ) from None
    if not item.accepts(value):
        raise ValidationError(
            "Answer to %(item)s: %(value)r is not a valid %(type)s answer.",
            item=item_id,
            value=value,
            type=item.answer_type,
        )
    return value.isoformat() if isinstance(value, date) else value


def _score(submission: ChecklistSubmission, profile: EmployerProfile) -> ChecklistScore:
    checklist = load_checklist(submission.checklist_version)
    answers = {
        item_id: date.fromisoformat(value)
        if checklist.item(item_id).answer_type is AnswerType.DATE
        else value
        for item_id, value in submission.answers.items()
    }
    return score_answers(checklist, answers, _scopes(profile))


def _scopes(profile: EmployerProfile) -> set[str]:
    # Every Fairmatch employer hires survivors, so the SURVIVOR items always apply.
    scopes = {profile.registration_country, "SURVIVOR"}
    if profile.employer_kind == EmployerKind.AGENCY:
        scopes.add("AGENCY")
    if profile.provides_housing:
        scopes.add("HOUSING")
    return scopes


def _expired_evidence(submission: ChecklistSubmission, today: date) -> list[str]:
    checklist = load_checklist(submission.checklist_version)
    return [
        f"{item_id}: {evidence.original_name}, {end.isoformat()}"
        for item_id, evidence in latest_evidence(submission).items()
        if (end := document_end(evidence, checklist)) is not None and end < today
    ]


def _check_decision_fields(
    decision: Decision, reason: str, conditions: str, conditions_due: date | None, today: date
) -> None:
    if decision in (Decision.REJECTED, Decision.NEEDS_INFORMATION) and not reason.strip():
        raise ValidationError("Give a reason or the questions for the employer.")
    if decision == Decision.APPROVED_WITH_CONDITIONS and not (
        conditions.strip() and conditions_due
    ):
        raise ValidationError("An approval with conditions needs the conditions and a due date.")
    if decision == Decision.APPROVED_WITH_CONDITIONS and conditions_due < today:
        raise ValidationError("The conditions cannot be due before today.")


def _move(
    session: Session,
    actor: User | None,
    profile: EmployerProfile,
    target: VettingStatus,
    action: str,
    reason: str = "",
) -> None:
    source = profile.status
    profile.status, profile.status_changed_at = target, utcnow()
    session.flush()
    record_event(
        session,
        actor,
        action,
        "employer",
        profile.id,
        from_state=source,
        to_state=target,
        reason=reason,
    )
    # The one place an employer's status changes, so the matching follows every way out of it.
    if (source in MATCHABLE) != (target in MATCHABLE):
        bump(session, EMPLOYERS)
    if target in FREEZE_REASONS:
        freeze_open_proposals(
            session, reason=FREEZE_REASONS[target], employer_id=profile.id, actor=actor
        )
