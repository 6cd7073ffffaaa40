"""Employers in a given state, built through the real services, for the employer tests."""

from datetime import date
from uuid import uuid4

from sqlalchemy import select

from matcher.accounts.models import User
from matcher.employers.checklist import load_checklist
from matcher.employers.evidence import missing_knock_out_evidence
from matcher.employers.models import EvidenceFile
from matcher.employers.services import (
    _scopes,
    decide_vetting,
    register_employer,
    save_answers,
    submit_checklist,
)
from matcher.employers.suspension import suspend_employer
from tests.factories import PASSWORD, make_user

TODAY = date(2026, 11, 23)


def passing_answers() -> dict:
    """An answer to every item that applies to a Dutch direct employer, none a knock-out."""
    answers = {}
    for item in load_checklist("1").items:
        if item.routing or "AGENCY" in item.applies_to or "HOUSING" in item.applies_to:
            continue
        if "FI" in item.applies_to:
            continue
        if item.pass_values:
            answers[item.id] = item.pass_values[0]
        else:
            answers[item.id] = not item.knock_out_values[0]
    return answers


def register(session, kvk="12345678", vat="NL123456789B01", email="boss@bakery.example", **kw):
    fields = dict(
        legal_name=kw.pop("legal_name", f"Bakery {kvk}"),
        kvk_number=kvk,
        vat_number=vat,
        employer_kind="direct",
        sector="food",
        user_email=email,
        password=PASSWORD,
        city="Utrecht",
        contact_name="An de Vries",
    )
    return register_employer(session, **(fields | kw))


def employer_user(session, profile) -> User:
    return session.scalars(
        select(User).where(User.organisation_id == profile.organisation_id)
    ).one()


def submitted(session, answers=None):
    profile = register(session)
    employer = employer_user(session, profile)
    submission = save_answers(session, employer, answers or passing_answers())
    add_knock_out_evidence(session, submission)
    return profile, employer, submit_checklist(session, employer)


def add_knock_out_evidence(session, submission):
    """A document for every knock-out item that needs one: without them nothing is approved."""
    for item_id in missing_knock_out_evidence(submission, _scopes(submission.employer)):
        add_evidence(session, submission, item_id)
    session.refresh(submission)


def approved(session, decision="approved"):
    profile, employer, submission = submitted(session)
    mediator = make_user(session, role="mediator")
    extra = (
        {"conditions": "Show the new contracts.", "conditions_due": TODAY}
        if "with" in decision
        else {}
    )
    decide_vetting(
        session, mediator, submission.id, submission.version_id, decision, today=TODAY, **extra
    )
    return profile, employer, mediator


def add_evidence(session, submission, item_id="FE-01", issued_on=None, expires_on=None, **kw):
    """A stored evidence record (no bytes on disk) for one item of a submission."""
    evidence = EvidenceFile(
        submission=submission,
        item_id=item_id,
        stored_name=uuid4().hex,
        original_name=kw.pop("original_name", f"{item_id.lower()}.pdf"),
        content_type="application/pdf",
        size_bytes=1234,
        sha256="0" * 64,
        issued_on=issued_on,
        expires_on=expires_on,
        uploaded_by_id=kw.pop("uploaded_by_id", None)
        or employer_user(session, submission.employer).id,
        **kw,
    )
    session.add(evidence)
    session.flush()
    return evidence


def employer_in(session, status, kvk="12345678"):
    """An employer in any vetting status, reached through the services where one exists."""
    profile = register(session, kvk=kvk, vat=f"NL{kvk}0B01", email=f"boss{kvk}@bakery.example")
    if status == "pending":
        return profile
    employer = employer_user(session, profile)
    add_knock_out_evidence(session, save_answers(session, employer, passing_answers()))
    submission = submit_checklist(session, employer)
    mediator = make_user(session, role="mediator")
    decision = {"suspended": "approved", "expired": "approved"}.get(status, status)
    if decision != "submitted":
        extra = {"reason": "Not fair."} if decision == "rejected" else {}
        if decision == "approved_with_conditions":
            extra = {"conditions": "Show the new contracts.", "conditions_due": TODAY}
        decide_vetting(
            session, mediator, submission.id, submission.version_id, decision, today=TODAY, **extra
        )
    if status == "suspended":
        suspend_employer(session, mediator, profile.id, "A serious signal.")
    if status == "expired":
        # expire_approvals would expire every approved employer of the test at once.
        profile.status = "expired"
        session.flush()
    return profile
