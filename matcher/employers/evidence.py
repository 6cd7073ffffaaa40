"""Evidence for checklist items: when each document stops counting."""

from __future__ import annotations

from datetime import date

from matcher.employers.checklist import Checklist, load_checklist
from matcher.employers.models import ChecklistSubmission, EvidenceFile
from matcher.employers.scoring import add_months


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
