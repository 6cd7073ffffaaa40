"""Demo employers in every vetting state, with answers, evidence and signals."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.accounts.models import Organisation, User
from matcher.employers.checklist import AnswerType, Checklist, load_checklist
from matcher.employers.evidence import store_evidence
from matcher.employers.expiry import expire_approvals
from matcher.employers.models import EmployerKind, EmployerProfile
from matcher.employers.overview import get_employer_overview
from matcher.employers.services import (
    CHECKLIST_VERSION,
    _scopes,
    decide_vetting,
    register_employer,
    save_answers,
    submit_checklist,
)
from matcher.employers.signals import close_signal, mark_serious, report_signal, start_review
from matcher.employers.states import VettingStatus as S

# A one-page PDF: enough for the evidence list and the download to work.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/MediaBox[0 0 300 100]/Parent 2 0 R>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


@dataclass(frozen=True)
class DemoEmployer:
    name: str
    kvk: str
    email: str
    state: S
    sector: str
    city: str
    kind: EmployerKind = EmployerKind.DIRECT
    housing: bool = False
    # Answers that differ from a clean pass (a knock-out, a failed weighted item).
    answers: dict[str, Any] = field(default_factory=dict)


DEMO_EMPLOYERS = (
    DemoEmployer("Demo Greenhouse Growers", "90000001", "employer@demo.test", S.APPROVED,
                 "horticulture", "Westland", housing=True),
    DemoEmployer("Demo Harbour Logistics", "90000002", "logistics@demo.test", S.PENDING,
                 "logistics", "Rotterdam"),
    DemoEmployer("Demo Clean Office Services", "90000003", "cleaning@demo.test", S.SUBMITTED,
                 "cleaning", "Utrecht"),
    DemoEmployer("Demo Flex Staffing", "90000004", "flex@demo.test", S.NEEDS_INFORMATION,
                 "staffing", "Eindhoven", kind=EmployerKind.AGENCY),
    DemoEmployer("Demo City Bakery", "90000005", "bakery@demo.test", S.APPROVED_WITH_CONDITIONS,
                 "food production", "Amsterdam", answers={"FE-23": False, "FE-25": False}),
    DemoEmployer("Demo Quick Harvest", "90000006", "harvest@demo.test", S.REJECTED,
                 "agriculture", "Venlo", answers={"FE-08": "recruiter_charges_fees"}),
    DemoEmployer("Demo Meat Processing", "90000007", "meat@demo.test", S.SUSPENDED,
                 "meat processing", "Oss"),
    DemoEmployer("Demo Hotel Services", "90000008", "hotel@demo.test", S.EXPIRED,
                 "hospitality", "Den Haag"),
)  # fmt: skip


def seed_demo_employers(
    session: Session, coach: User, mediator: User, password: str, upload_dir: Path
) -> int:
    """Create the demo employers that are missing, each brought to its state; return how many."""
    known = set(session.scalars(select(EmployerProfile.kvk_number)))
    names = set(session.scalars(select(Organisation.name)))
    created = 0
    for spec in DEMO_EMPLOYERS:
        if spec.kvk in known or spec.name in names:
            continue
        profile = register_employer(
            session, legal_name=spec.name, kvk_number=spec.kvk,
            vat_number=f"NL{spec.kvk}0B01", employer_kind=spec.kind, sector=spec.sector,
            user_email=spec.email, password=password, provides_housing=spec.housing,
            city=spec.city, contact_name="Demo contact", contact_email=spec.email,
        )  # fmt: skip
        employer = session.scalars(
            select(User).where(User.organisation_id == profile.organisation_id)
        ).one()
        _bring_to_state(session, spec, profile, employer, mediator, upload_dir)
        if spec.state is S.SUSPENDED:
            _serious_signal(session, coach, mediator, profile)
        created += 1
    if created:
        _demo_signals(session, coach, mediator)
    return created


def _bring_to_state(
    session: Session,
    spec: DemoEmployer,
    profile: EmployerProfile,
    employer: User,
    mediator: User,
    upload_dir: Path,
) -> None:
    checklist = load_checklist(CHECKLIST_VERSION)
    answers = demo_answers(checklist, _scopes(profile)) | spec.answers
    if spec.state is S.PENDING:
        # Half-way through: the first section answered, the rest still open.
        save_answers(session, employer, {k: v for k, v in answers.items() if k < "FE-10"})
        return
    save_answers(session, employer, answers)
    # The expired employer was approved thirteen months ago, on documents of that time.
    decided_on = date.today() - timedelta(days=400 if spec.state is S.EXPIRED else 3)
    for entry in get_employer_overview(session, employer).missing:
        store_evidence(
            session, employer, entry.item.id, f"{entry.item.key}.pdf", io.BytesIO(DEMO_PDF),
            upload_dir, issued_on=decided_on - timedelta(days=10),
        )  # fmt: skip
    submission = submit_checklist(session, employer)
    if spec.state is S.SUBMITTED:
        return
    decision = {
        S.NEEDS_INFORMATION: ("needs_information", {"reason": NEEDS_INFORMATION_QUESTIONS}),
        S.APPROVED_WITH_CONDITIONS: ("approved_with_conditions", {
            "conditions": CONDITIONS, "conditions_due": date.today() + timedelta(days=30)}),
        S.REJECTED: ("rejected", {"reason": REJECTION_REASON}),
    }.get(spec.state, ("approved", {}))  # fmt: skip
    decide_vetting(
        session, mediator, submission.id, submission.version_id, decision[0],
        today=decided_on, **decision[1],
    )  # fmt: skip
    if spec.state is S.EXPIRED:
        expire_approvals(session, date.today())


def demo_answers(checklist: Checklist, scopes: set[str]) -> dict[str, Any]:
    """A clean pass on every item that applies: the answer a fair employer gives."""
    answers: dict[str, Any] = {}
    for item in checklist.items:
        if not item.applies(scopes):
            continue
        if item.routing:
            answers[item.id] = "AGENCY" in scopes
        elif item.pass_values:
            answers[item.id] = item.pass_values[0]
        elif item.answer_type is AnswerType.YES_NO:
            answers[item.id] = not item.knock_out_values[0]
    return answers


def _serious_signal(
    session: Session, coach: User, mediator: User, profile: EmployerProfile
) -> None:
    signal = report_signal(
        session, coach, employer_id=profile.id, text=SUSPENSION_SIGNAL,
        contact="coach@demo.test",
    )  # fmt: skip
    start_review(session, mediator, signal.id, signal.version_id, notes="Called the client.")
    mark_serious(session, mediator, signal.id, signal.version_id, reason=SERIOUS_REASON)


def _demo_signals(session: Session, coach: User, mediator: User) -> None:
    greenhouse = session.scalar(
        select(EmployerProfile).where(EmployerProfile.kvk_number == DEMO_EMPLOYERS[0].kvk)
    )
    closed = report_signal(
        session, coach, employer_id=greenhouse.id if greenhouse else None,
        employer_name="" if greenhouse else DEMO_EMPLOYERS[0].name, text=CLOSED_SIGNAL,
    )  # fmt: skip
    start_review(session, mediator, closed.id, closed.version_id)
    close_signal(
        session, mediator, closed.id, closed.version_id, "no_action",
        feedback=CLOSED_FEEDBACK, notes="Visited on site; dormitory within the limits.",
    )  # fmt: skip
    report_signal(
        session, coach, employer_name="Unknown recruiter in Venlo", vacancy_ref="Asparagus picking",
        text=RECEIVED_SIGNAL,
    )  # fmt: skip


NEEDS_INFORMATION_QUESTIONS = (
    "Please upload your SNA certificate and tell us which recruiters you work with abroad."
)
CONDITIONS = "Appoint a confidential adviser and tell workers how to reach them."
REJECTION_REASON = "A recruiter charges workers a fee: that is a knock-out (FE-08)."
SUSPENSION_SIGNAL = (
    "A client says her wages were paid in cash and her passport is kept in the office."
)
SERIOUS_REASON = "Passport retention reported by a client: a sign of forced labour."
CLOSED_SIGNAL = "A client says the dormitory was crowded during the harvest."
CLOSED_FEEDBACK = (
    "Thank you. We visited the employer: the housing meets the SNF standard. No action needed."
)
RECEIVED_SIGNAL = "Workers are asked to pay 300 euros for the job and the bus to the farm."
