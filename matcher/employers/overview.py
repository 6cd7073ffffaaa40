"""What an employer sees of its own vetting: status, the checklist with answers, what is missing."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from matcher.accounts.models import User
from matcher.employers.checklist import (
    AnswerType,
    Checklist,
    ChecklistItem,
    EvidenceRequirement,
    Text,
    load_checklist,
)
from matcher.employers.evidence import (
    EDITABLE,
    EDITABLE_STATUSES,
    evidence_expiry_dates,
)
from matcher.employers.models import ChecklistSubmission, EmployerProfile, EvidenceFile
from matcher.employers.services import (
    CHECKLIST_VERSION,
    _move,
    _open_submission,
    _own_profile,
    _scopes,
    save_answers,
    submit_checklist,
)
from matcher.employers.states import VettingStatus, check_transition
from matcher.errors import InvalidTransition, ValidationError


@dataclass(frozen=True)
class ItemOverview:
    item: ChecklistItem
    answer: Any  # as stored: dates as ISO strings; None when unanswered
    evidence: tuple[EvidenceFile, ...]
    missing_answer: bool
    missing_evidence: bool

    @property
    def missing(self) -> bool:
        return self.missing_answer or self.missing_evidence


@dataclass(frozen=True)
class SectionOverview:
    key: str
    title: Text
    items: tuple[ItemOverview, ...]


@dataclass(frozen=True)
class EmployerOverview:
    profile: EmployerProfile
    status: VettingStatus
    submission: ChecklistSubmission | None  # the open one, else the latest decided one
    checklist: Checklist
    sections: tuple[SectionOverview, ...]
    questions: str  # the mediator's questions, while the status is needs_information
    conditions: str
    conditions_due: date | None
    approved_until: date | None
    evidence_expires_on: date | None  # the earliest end date of the documents that count
    editable: bool

    @property
    def missing(self) -> tuple[ItemOverview, ...]:
        return tuple(i for s in self.sections for i in s.items if i.missing)

    @property
    def can_submit(self) -> bool:
        return self.editable and not self.missing

    @property
    def revetting_due(self) -> date | None:
        """When the approval must be renewed: its end date, or earlier if a document runs out."""
        dates = [d for d in (self.approved_until, self.evidence_expires_on) if d is not None]
        return min(dates, default=None)


class ChecklistIncomplete(ValidationError):
    """Submitting was refused because answers or evidence are missing; the answers were saved."""

    def __init__(self, items: tuple[str, ...]) -> None:
        super().__init__(
            "Your answers are saved, but the checklist cannot be submitted yet: items"
            " %(items)s still need an answer or evidence.",
            items=", ".join(items),
        )
        self.items = items


def get_employer_overview(session: Session, employer: User) -> EmployerOverview:
    """The employer's own vetting status and checklist, with what is still missing."""
    profile = _own_profile(session, employer)
    submission = profile.submissions[-1] if profile.submissions else None
    checklist = load_checklist(submission.checklist_version if submission else CHECKLIST_VERSION)
    answers = submission.answers if submission else {}
    evidence = submission.evidence if submission else []
    scopes = _scopes(profile)
    sections = tuple(
        SectionOverview(key, title, items)
        for key, title in checklist.sections.items()
        if (items := _section_items(checklist, key, scopes, answers, evidence))
    )
    status = VettingStatus(profile.status)
    decided_with_conditions = status == VettingStatus.APPROVED_WITH_CONDITIONS and submission
    return EmployerOverview(
        profile=profile,
        status=status,
        submission=submission,
        checklist=checklist,
        sections=sections,
        questions=submission.reason
        if submission and status == VettingStatus.NEEDS_INFORMATION
        else "",
        conditions=submission.conditions if decided_with_conditions else "",
        conditions_due=submission.conditions_due if decided_with_conditions else None,
        approved_until=profile.approved_until,
        evidence_expires_on=min(evidence_expiry_dates(submission), default=None)
        if submission
        else None,
        editable=status in EDITABLE_STATUSES
        and (submission is None or submission.status in EDITABLE),
    )


def submit_answers(
    session: Session, employer: User, answers: Mapping[str, Any]
) -> ChecklistSubmission:
    """Save the employer's last answers and submit the checklist, unless something is missing."""
    save_answers(session, employer, answers)
    missing = get_employer_overview(session, employer).missing
    if missing:
        raise ChecklistIncomplete(tuple(i.item.id for i in missing))
    return submit_checklist(session, employer)


def start_new_checklist(session: Session, employer: User) -> ChecklistSubmission:
    """Start vetting again after a rejection or an expiry, from the last answers."""
    profile = _own_profile(session, employer)
    if profile.status not in (VettingStatus.REJECTED, VettingStatus.EXPIRED):
        raise InvalidTransition("Only a rejected or expired employer starts a new checklist.")
    check_transition(profile.status, VettingStatus.PENDING, employer.role)
    previous = profile.submissions[-1].answers if profile.submissions else {}
    _move(session, employer, profile, VettingStatus.PENDING, "restart")
    # Answers carry over as a draft to check; documents do not: they must be current.
    submission = _open_submission(session, profile)
    submission.answers = dict(previous)
    session.flush()
    return submission


def evidence_needed(item: ChecklistItem, answer: Any) -> bool:
    """Whether an answer must be backed by a document before the checklist can be submitted.

    Evidence backs a favourable answer; nobody can document a risk assessment they do not have."""
    if item.evidence.required != EvidenceRequirement.REQUIRED or answer is None:
        return False
    value = date.fromisoformat(answer) if item.answer_type is AnswerType.DATE else answer
    if item.knocks_out(value):
        return False
    return item.weight is None or item.passes(value)


def _section_items(
    checklist: Checklist,
    section: str,
    scopes: set[str],
    answers: Mapping[str, Any],
    evidence: list[EvidenceFile],
) -> tuple[ItemOverview, ...]:
    items = []
    for item in checklist.items:
        if item.section != section or not item.applies(scopes):
            continue
        answer = answers.get(item.id)
        files = tuple(e for e in evidence if e.item_id == item.id)
        items.append(
            ItemOverview(
                item=item,
                answer=answer,
                evidence=files,
                # A routing question only steers which items apply; leaving it open is fine.
                missing_answer=answer is None and not item.routing,
                missing_evidence=evidence_needed(item, answer) and not files,
            )
        )
    return tuple(items)
