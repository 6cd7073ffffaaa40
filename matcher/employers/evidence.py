"""Evidence for checklist items: storing uploads safely, and when each document stops counting."""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import tempfile
import unicodedata
from datetime import date
from pathlib import Path
from typing import BinaryIO

from sqlalchemy.orm import Session

from matcher.accounts.models import Role, User
from matcher.audit.services import record_event
from matcher.employers.checklist import (
    Checklist,
    ChecklistItem,
    EvidenceRequirement,
    load_checklist,
)
from matcher.employers.models import (
    EVIDENCE_MAX_BYTES,
    ChecklistSubmission,
    EvidenceFile,
    SubmissionStatus,
)
from matcher.employers.scoring import add_months
from matcher.employers.states import VettingStatus
from matcher.errors import Forbidden, InvalidTransition, NotFound, ValidationError

# The same rule as save_answers: the employer edits only before submitting or when asked to.
EDITABLE_STATUSES = (VettingStatus.PENDING, VettingStatus.NEEDS_INFORMATION)
EDITABLE = (SubmissionStatus.DRAFT, SubmissionStatus.RETURNED)


def evidence_expiry(evidence: EvidenceFile, checklist: Checklist) -> date | None:
    """The last day a document counts: its age limit from the checklist or its own end date."""
    ends = []
    max_age = checklist.item(evidence.item_id).evidence.max_age_months
    if max_age and evidence.issued_on:
        ends.append(add_months(evidence.issued_on, max_age))
    if evidence.expires_on:
        ends.append(evidence.expires_on)
    return min(ends, default=None)


def latest_evidence(submission: ChecklistSubmission) -> dict[str, EvidenceFile]:
    """The newest document per item: a replaced one no longer counts."""
    return {evidence.item_id: evidence for evidence in submission.evidence}


def evidence_expiry_dates(submission: ChecklistSubmission) -> list[date]:
    """The end dates of the documents that count in a submission, for the approval's end date."""
    checklist = load_checklist(submission.checklist_version)
    ends = (evidence_expiry(e, checklist) for e in latest_evidence(submission).values())
    return sorted(end for end in ends if end is not None)


def missing_knock_out_evidence(submission: ChecklistSubmission, scopes: set[str]) -> list[str]:
    """Knock-out items without the document they require: such a checklist is on hold (§3.1)."""
    checklist = load_checklist(submission.checklist_version)
    current = latest_evidence(submission)
    return [
        item.id
        for item in checklist.items
        if item.knock_out
        and item.applies(scopes)
        and item.evidence.required == EvidenceRequirement.REQUIRED
        and item.id not in current
    ]


# --- Storing, removing and opening uploaded documents ------------------------------------------

# Magic bytes → detected type; nothing else is ever stored.
SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
EXTENSIONS = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
}
DEFAULT_EXTENSION = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}
MAX_NAME_LENGTH = 255


def store_evidence(
    session: Session,
    employer: User,
    item_id: str,
    filename: str,
    stream: BinaryIO,
    upload_dir: Path,
    issued_on: date | None = None,
    expires_on: date | None = None,
    today: date | None = None,
) -> EvidenceFile:
    """Store a document an employer uploads for one checklist item of its open submission."""
    submission = _editable_submission(session, employer)
    item = _evidence_item(submission, item_id, _scopes_of(submission))
    _check_dates(issued_on, expires_on, today or date.today())
    data = stream.read(EVIDENCE_MAX_BYTES + 1)
    content_type = _detect_type(data)
    name = clean_filename(filename, content_type)
    path = _write_file(Path(upload_dir), data)
    try:
        evidence = EvidenceFile(
            submission=submission,
            item_id=item.id,
            stored_name=path.name,
            original_name=name,
            content_type=content_type,
            size_bytes=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            issued_on=issued_on,
            expires_on=expires_on,
            uploaded_by_id=employer.id,
        )
        session.add(evidence)
        session.flush()
        record_event(session, employer, "upload", "evidence_file", evidence.id,
                     details={"item": item.id, "submission": submission.id})  # fmt: skip
    except BaseException:
        # Nothing half-saved: a file without its row would never be found or cleaned up.
        path.unlink(missing_ok=True)
        raise
    return evidence


def remove_evidence(session: Session, employer: User, evidence_id: int, upload_dir: Path) -> None:
    """Remove a document from the employer's checklist while it may still be edited."""
    evidence = session.get(EvidenceFile, evidence_id)
    # Missing or another employer's: 404 whatever the state of the own checklist.
    if evidence is None or evidence.submission.employer.organisation_id != employer.organisation_id:
        raise NotFound("No evidence file %(id)s in your open checklist.", id=evidence_id)
    submission = _editable_submission(session, employer)
    if evidence.submission_id != submission.id:
        raise NotFound("No evidence file %(id)s in your open checklist.", id=evidence_id)
    stored_name, item_id = evidence.stored_name, evidence.item_id
    session.delete(evidence)
    session.flush()
    record_event(session, employer, "remove", "evidence_file", evidence_id,
                 details={"item": item_id, "submission": submission.id})  # fmt: skip
    (Path(upload_dir) / stored_name).unlink(missing_ok=True)


def open_evidence(
    session: Session, user: User, evidence_id: int, upload_dir: Path
) -> tuple[EvidenceFile, Path]:
    """A stored document and its path, for the employer's own users and for mediators."""
    evidence = session.get(EvidenceFile, evidence_id)
    if evidence is None:
        raise NotFound("No evidence file %(id)s.", id=evidence_id)
    if user.role not in (Role.EMPLOYER, Role.MEDIATOR):
        raise Forbidden("Only the employer's own users and mediators may open its evidence.")
    # Another employer's document answers as a missing one: the refusal must not tell that
    # the number exists (the vacancies and match cards of other employers answer 404 too).
    if user.role == Role.EMPLOYER and (
        evidence.submission.employer.organisation_id != user.organisation_id
    ):
        raise NotFound("No evidence file %(id)s.", id=evidence_id)
    path = Path(upload_dir) / evidence.stored_name
    if not path.is_file():
        raise NotFound("The file of evidence %(id)s is missing.", id=evidence_id)
    return evidence, path


def clean_filename(filename: str, content_type: str) -> str:
    """The uploaded name for display only: no folders, no control characters, 255 at most.

    Refuses a name whose extension claims another type than the bytes."""
    name = re.split(r"[/\\]", filename or "")[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip(" .")
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    claimed = EXTENSIONS.get(f".{extension.lower()}") if extension else content_type
    if claimed != content_type:
        raise ValidationError(
            "The file %(name)s is not what its name says; upload a PDF, JPEG or PNG"
            " file with a matching name.",
            name=name,
        )
    suffix = f".{extension}" if extension else DEFAULT_EXTENSION[content_type]
    stem = (stem or "evidence")[: MAX_NAME_LENGTH - len(suffix)]
    return stem + suffix


def _detect_type(data: bytes) -> str:
    if not data:
        raise ValidationError("The file is empty.")
    if len(data) > EVIDENCE_MAX_BYTES:
        raise ValidationError("A file may be at most 10 MB.")
    for signature, content_type in SIGNATURES:
        if data.startswith(signature):
            return content_type
    raise ValidationError("Only PDF, JPEG and PNG files can be uploaded.")


def _check_dates(issued_on: date | None, expires_on: date | None, today: date) -> None:
    if issued_on and issued_on > today:
        raise ValidationError("The issue date of a document cannot be in the future.")
    if issued_on and expires_on and expires_on < issued_on:
        raise ValidationError("A document cannot expire before it was issued.")


def _write_file(upload_dir: Path, data: bytes) -> Path:
    if not upload_dir.is_dir():
        upload_dir.mkdir(mode=0o700, parents=True)
    # mkstemp creates the file with mode 0o600; os.replace makes it appear whole or not at all.
    handle, temporary = tempfile.mkstemp(dir=upload_dir, prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        path = upload_dir / secrets.token_hex(16)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def _editable_submission(session: Session, employer: User) -> ChecklistSubmission:
    # Imported here: services imports this module for the evidence expiry dates.
    from matcher.employers.services import _open_submission, _own_profile

    profile = _own_profile(session, employer)
    submission = profile.submissions[-1] if profile.submissions else None
    if profile.status not in EDITABLE_STATUSES or (
        submission is not None and submission.status not in EDITABLE
    ):
        raise InvalidTransition("The checklist is read-only now: it has been submitted or decided.")
    return _open_submission(session, profile)


def _scopes_of(submission: ChecklistSubmission) -> set[str]:
    from matcher.employers.services import _scopes  # see _editable_submission

    return _scopes(submission.employer)


def _evidence_item(
    submission: ChecklistSubmission, item_id: str, scopes: set[str]
) -> ChecklistItem:
    checklist = load_checklist(submission.checklist_version)
    try:
        item = checklist.item(item_id)
    except KeyError:
        raise ValidationError("The checklist has no item %(item)s.", item=item_id) from None
    if not item.applies(scopes):
        raise ValidationError("Item %(item)s does not apply to your organisation.", item=item_id)
    if item.evidence.required == EvidenceRequirement.NONE:
        raise ValidationError("Item %(item)s asks for no evidence.", item=item_id)
    return item
