"""The mediators' read side of vetting: the waiting list, one submission's review, employers."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.accounts.models import Role, User
from matcher.audit.models import AuditEvent
from matcher.db import utcnow
from matcher.employers.checklist import (
    AnswerType,
    Checklist,
    ChecklistItem,
    EvidenceRequirement,
    Text,
    load_checklist,
)
from matcher.employers.evidence import evidence_expiry, latest_evidence
from matcher.employers.models import (
    ChecklistSubmission,
    Decision,
    EmployerKind,
    EmployerProfile,
    EvidenceFile,
    Signal,
    SignalStatus,
    SubmissionStatus,
)
from matcher.employers.scoring import ChecklistScore
from matcher.employers.services import _scopes, _score, check_approval
from matcher.employers.states import VettingStatus, allowed_targets, check_decision
from matcher.errors import DomainError, Forbidden, NotFound


class Mark(enum.StrEnum):
    KNOCK_OUT = "knock_out"
    PASS = "pass"
    FAIL = "fail"
    ANSWERED = "answered"  # a routing question: it earns and loses nothing
    MISSING = "missing"


@dataclass(frozen=True)
class WaitingSubmission:
    submission_id: int
    employer_id: int
    employer_name: str
    employer_kind: EmployerKind
    submitted_at: datetime
    days_waiting: int
    score: float | None
    knock_outs: tuple[str, ...]


@dataclass(frozen=True)
class ReviewEvidence:
    id: int
    original_name: str
    content_type: str
    size_bytes: int
    uploaded_at: datetime
    ends_on: date | None  # the last day it counts
    expired: bool
    counts: bool  # False when a newer document for the same item replaced it


@dataclass(frozen=True)
class ReviewItem:
    item: ChecklistItem
    answer: Any
    mark: Mark
    evidence: tuple[ReviewEvidence, ...]
    evidence_missing: bool


@dataclass(frozen=True)
class ReviewSection:
    key: str
    title: Text
    items: tuple[ReviewItem, ...]


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    action: str
    from_state: str | None
    to_state: str | None
    reason: str
    actor_email: str | None  # None: the scheduler


@dataclass(frozen=True)
class SubmissionReview:
    profile: EmployerProfile
    submission: ChecklistSubmission
    sections: tuple[ReviewSection, ...]
    score: ChecklistScore
    open_signals: tuple[Signal, ...]
    history: tuple[HistoryEntry, ...]
    earlier_submissions: tuple[ChecklistSubmission, ...]
    decisions: tuple[Decision, ...]  # what a mediator may decide now
    approval_refusal: DomainError | None  # why approving is not offered, when it is not
    # Why only an approval with conditions is offered, when approving is possible at all.
    plain_approval_refusal: DomainError | None
    approval_end: date | None  # the end date an approval today would get
    conditions_due: date  # the default deadline for conditions

    @property
    def serious_signal(self) -> bool:
        """Whether an open signal about the employer is marked serious."""
        return any(signal.serious for signal in self.open_signals)


@dataclass(frozen=True)
class EmployerDetail:
    profile: EmployerProfile
    history: tuple[HistoryEntry, ...]
    submissions: tuple[ChecklistSubmission, ...]
    open_signals: tuple[Signal, ...]
    targets: tuple[VettingStatus, ...]  # statuses a mediator may move it to now

    @property
    def conditions(self) -> ChecklistSubmission | None:
        """The latest decision, when it approved with conditions."""
        decided = [s for s in self.submissions if s.decision is not None]
        latest = decided[-1] if decided else None
        return latest if latest and latest.decision == Decision.APPROVED_WITH_CONDITIONS else None


def list_waiting_submissions(
    session: Session, mediator: User, now: datetime | None = None
) -> list[WaitingSubmission]:
    """List the submitted checklists waiting for a decision, oldest submitted first."""
    _require_mediator(mediator)
    today = (now or utcnow()).date()
    rows = session.execute(
        select(ChecklistSubmission, EmployerProfile)
        .join(ChecklistSubmission.employer)
        .where(ChecklistSubmission.status == SubmissionStatus.SUBMITTED)
        .order_by(ChecklistSubmission.submitted_at, ChecklistSubmission.id)
    ).all()
    return [
        WaitingSubmission(
            submission_id=submission.id,
            employer_id=profile.id,
            employer_name=profile.legal_name,
            employer_kind=profile.employer_kind,
            submitted_at=submission.submitted_at,
            days_waiting=(today - submission.submitted_at.date()).days,
            score=submission.score,
            knock_outs=tuple(submission.knock_outs),
        )
        for submission, profile in rows
    ]


def get_submission_review(
    session: Session, mediator: User, submission_id: int, today: date | None = None
) -> SubmissionReview:
    """Gather what a mediator needs to decide one submission."""
    _require_mediator(mediator)
    today = today or date.today()
    submission = session.get(ChecklistSubmission, submission_id)
    if submission is None:
        raise NotFound("No checklist submission %(id)s.", id=submission_id)
    profile = submission.employer
    checklist = load_checklist(submission.checklist_version)
    refusal, plain_refusal, end = None, None, None
    score = _score(submission, profile)
    try:
        end = check_approval(session, submission, today)
        check_decision(VettingStatus.APPROVED, score)
    except DomainError as error:
        refusal, plain_refusal = (None, error) if end else (error, None)
    return SubmissionReview(
        profile=profile,
        submission=submission,
        sections=_sections(submission, profile, today),
        score=score,
        open_signals=_open_signals(session, profile),
        history=_history(session, profile),
        earlier_submissions=tuple(s for s in profile.submissions if s.id < submission.id),
        decisions=_decisions(submission, profile, refusal, plain_refusal),
        approval_refusal=refusal,
        plain_approval_refusal=plain_refusal,
        approval_end=end,
        conditions_due=today + timedelta(days=checklist.scoring.condition_deadline_days),
    )


def list_employers(
    session: Session, mediator: User, status: VettingStatus | str | None = None
) -> list[EmployerProfile]:
    """List the registered employers by name, optionally only those in one status."""
    _require_mediator(mediator)
    query = select(EmployerProfile).order_by(EmployerProfile.legal_name, EmployerProfile.id)
    if status:
        query = query.where(EmployerProfile.status == VettingStatus(status))
    return list(session.scalars(query))


def get_employer_detail(session: Session, mediator: User, profile_id: int) -> EmployerDetail:
    """Gather an employer's status, history, submissions and open signals for a mediator."""
    _require_mediator(mediator)
    profile = session.get(EmployerProfile, profile_id)
    if profile is None:
        raise NotFound("No employer %(id)s.", id=profile_id)
    return EmployerDetail(
        profile=profile,
        history=_history(session, profile),
        submissions=tuple(profile.submissions),
        open_signals=_open_signals(session, profile),
        targets=tuple(allowed_targets(profile.status, Role.MEDIATOR)),
    )


def _require_mediator(user: User) -> None:
    if user.role != Role.MEDIATOR:
        raise Forbidden("Only a mediator may review employers.")


def _sections(
    submission: ChecklistSubmission, profile: EmployerProfile, today: date
) -> tuple[ReviewSection, ...]:
    checklist = load_checklist(submission.checklist_version)
    scopes, current = _scopes(profile), latest_evidence(submission)
    items: dict[str, list[ReviewItem]] = {key: [] for key in checklist.sections}
    for item in checklist.items:
        if not item.applies(scopes):
            continue
        files = tuple(
            _review_evidence(e, checklist, today, counts=current.get(item.id) is e)
            for e in submission.evidence
            if e.item_id == item.id
        )
        answer = _answer(item, submission.answers.get(item.id))
        required = item.evidence.required == EvidenceRequirement.REQUIRED
        missing = required and not any(f.counts for f in files)
        items[item.section].append(ReviewItem(item, answer, _mark(item, answer), files, missing))
    return tuple(
        ReviewSection(key, checklist.sections[key], tuple(found))
        for key, found in items.items()
        if found
    )


def _answer(item: ChecklistItem, stored: Any) -> Any:
    if stored is not None and item.answer_type is AnswerType.DATE:
        return date.fromisoformat(stored)
    return stored


def _mark(item: ChecklistItem, answer: Any) -> Mark:
    if answer is None:
        return Mark.MISSING
    if item.knocks_out(answer):
        return Mark.KNOCK_OUT
    if item.weight is not None:
        return Mark.PASS if item.passes(answer) else Mark.FAIL
    return Mark.PASS if item.knock_out else Mark.ANSWERED


def _review_evidence(
    evidence: EvidenceFile, checklist: Checklist, today: date, counts: bool
) -> ReviewEvidence:
    ends_on = evidence_expiry(evidence, checklist)
    return ReviewEvidence(
        id=evidence.id,
        original_name=evidence.original_name,
        content_type=evidence.content_type,
        size_bytes=evidence.size_bytes,
        uploaded_at=evidence.uploaded_at,
        ends_on=ends_on,
        expired=ends_on is not None and ends_on < today,
        counts=counts,
    )


def _decisions(
    submission: ChecklistSubmission,
    profile: EmployerProfile,
    refusal: DomainError | None,
    plain_refusal: DomainError | None,
) -> tuple[Decision, ...]:
    if submission.status != SubmissionStatus.SUBMITTED:
        return ()
    targets = allowed_targets(profile.status, Role.MEDIATOR)
    refused = set()
    if refusal or plain_refusal:
        refused.add(Decision.APPROVED)
    if refusal:
        refused.add(Decision.APPROVED_WITH_CONDITIONS)
    return tuple(
        decision
        for decision in Decision
        if VettingStatus(decision.value) in targets and decision not in refused
    )


def _open_signals(session: Session, profile: EmployerProfile) -> tuple[Signal, ...]:
    return tuple(
        session.scalars(
            select(Signal)
            .where(Signal.employer_id == profile.id, Signal.status != SignalStatus.CLOSED)
            .order_by(Signal.created_at, Signal.id)
        )
    )


def _history(session: Session, profile: EmployerProfile) -> tuple[HistoryEntry, ...]:
    rows = session.execute(
        select(AuditEvent, User.email)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .where(AuditEvent.object_type == "employer", AuditEvent.object_id == profile.id)
        .order_by(AuditEvent.at, AuditEvent.id)
    ).all()
    return tuple(
        HistoryEntry(e.at, e.action, e.from_state, e.to_state, e.reason, email) for e, email in rows
    )
