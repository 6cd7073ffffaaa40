"""Employer use cases: registration, answering and submitting the checklist, vetting."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from matcher.accounts.models import Organisation, User
from matcher.audit.models import AuditEvent
from matcher.employers.models import EmployerProfile, SubmissionStatus
from matcher.employers.services import (
    confirm_conditions_met,
    decide_vetting,
    may_match_employer,
    save_answers,
    submit_checklist,
)
from matcher.employers.signals import close_signal, mark_serious, report_signal, start_review
from matcher.employers.states import VettingStatus
from matcher.errors import Forbidden, InvalidTransition, NotFound, ValidationError
from tests.factories import make_user
from tests.matcher.employers.builders import (
    TODAY,
    add_evidence,
    add_knock_out_evidence,
    approved,
    employer_user,
    passing_answers,
    register,
    submitted,
)


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_register_employer_creates_organisation_profile_and_first_user(session):
    profile = register(session, kvk="1234 5678", vat="nl 1234.56789 b01")

    assert profile.kvk_number == "12345678"
    assert profile.vat_number == "NL123456789B01"
    assert profile.status == VettingStatus.PENDING
    assert profile.organisation.kind == "employer"
    user = employer_user(session, profile)
    assert user.role == "employer" and user.email == "boss@bakery.example"
    assert not may_match_employer(session, profile.organisation_id)


@pytest.mark.parametrize(
    ("kvk", "vat", "message"),
    [
        ("1234567", "NL123456789B01", "8 digits"),
        ("123456789", "NL123456789B01", "8 digits"),
        ("1234567a", "NL123456789B01", "8 digits"),
        ("", "NL123456789B01", "8 digits"),
        ("12345678", "NL12345678B01", "VAT"),
        ("12345678", "DE123456789", "VAT"),
        ("12345678", "NL123456789X01", "VAT"),
        ("12345678", "NL123456789B1", "VAT"),
    ],
)
def test_register_employer_refuses_malformed_numbers_and_writes_nothing(session, kvk, vat, message):
    before = count(session, Organisation), count(session, EmployerProfile), count(session, User)

    with pytest.raises(ValidationError, match=message):
        register(session, kvk=kvk, vat=vat)

    assert (
        count(session, Organisation),
        count(session, EmployerProfile),
        count(session, User),
    ) == before


def test_register_employer_refuses_a_known_kvk_number(session):
    register(session)

    with pytest.raises(ValidationError, match="KvK number 12345678 is already registered"):
        register(session, legal_name="Other name", email="other@bakery.example")


def test_register_employer_with_a_bad_email_leaves_nothing_behind(session):
    before = count(session, Organisation), count(session, EmployerProfile)

    with pytest.raises(ValidationError, match="e-mail"):
        register(session, email="not-an-address")

    assert (count(session, Organisation), count(session, EmployerProfile)) == before


def test_register_employer_abroad_needs_a_registration_number_not_a_kvk_number(session):
    with pytest.raises(ValidationError, match="registration number is required"):
        register(session, kvk=None, vat="FI12345678", registration_country="FI")

    profile = register(
        session,
        kvk=None,
        vat="FI12345678",
        registration_country="fi",
        registration_number="1234567-8",
    )

    assert (profile.registration_country, profile.kvk_number) == ("FI", None)
    with pytest.raises(ValidationError, match="1234567-8 is already registered"):
        register(
            session,
            kvk=None,
            vat="FI1",
            registration_country="FI",
            registration_number="1234567-8",
            legal_name="Another Oy",
            email="other@oy.example",
        )


def test_register_employer_cannot_set_its_own_status(session):
    with pytest.raises(TypeError, match="status"):
        register(session, status="approved")


def test_save_answers_refuses_an_answer_of_the_wrong_type(session):
    profile = register(session)
    employer = employer_user(session, profile)

    with pytest.raises(ValidationError, match="FE-01"):
        save_answers(session, employer, {"FE-01": "no"})
    with pytest.raises(ValidationError, match="no item"):
        save_answers(session, employer, {"FE-99": True})


def test_approval_sets_the_end_date_and_writes_the_audit_log(session):
    profile, _, submission = submitted(session)
    mediator = make_user(session, role="mediator")
    assert profile.status == VettingStatus.SUBMITTED

    decide_vetting(
        session,
        mediator,
        submission.id,
        submission.version_id,
        "approved",
        evidence_expiry=[date(2027, 3, 1)],
        today=TODAY,
    )

    assert profile.status == VettingStatus.APPROVED
    assert profile.approved_until == date(2027, 3, 1)
    assert submission.status == SubmissionStatus.DECIDED and submission.decided_by_id == mediator.id
    assert may_match_employer(session, profile.organisation_id)
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.object_id == profile.id).order_by(AuditEvent.id)
    ).all()
    assert [(e.action, e.from_state, e.to_state) for e in events] == [
        ("register", None, "pending"),
        ("submit", "pending", "submitted"),
        ("decide", "submitted", "approved"),
    ]
    assert events[-1].actor_id == mediator.id


def test_approval_without_evidence_expiry_lasts_the_maximum_validity(session):
    profile, _, submission = submitted(session)
    mediator = make_user(session, role="mediator")

    decide_vetting(session, mediator, submission.id, submission.version_id, "approved", today=TODAY)

    assert profile.approved_until == date(2027, 11, 23)


def test_a_knock_out_can_never_be_approved_but_can_be_rejected(session):
    profile, _, submission = submitted(session, passing_answers() | {"FE-07": True})
    mediator = make_user(session, role="mediator")
    assert submission.knock_outs == ["FE-07"]

    with pytest.raises(InvalidTransition, match="knock-out"):
        decide_vetting(
            session, mediator, submission.id, submission.version_id, "approved", today=TODAY
        )
    decide_vetting(
        session,
        mediator,
        submission.id,
        submission.version_id,
        "rejected",
        reason="charges recruitment fees",
        today=TODAY,
    )

    assert profile.status == VettingStatus.REJECTED
    assert not may_match_employer(session, profile.organisation_id)


def test_needs_information_lets_the_employer_edit_and_resubmit(session):
    profile, employer, submission = submitted(session)
    mediator = make_user(session, role="mediator")

    decide_vetting(
        session,
        mediator,
        submission.id,
        submission.version_id,
        "needs_information",
        reason="Which collective agreement applies?",
        today=TODAY,
    )
    assert profile.status == VettingStatus.NEEDS_INFORMATION
    assert submission.status == SubmissionStatus.RETURNED
    add_knock_out_evidence(
        session, save_answers(session, employer, {"FE-10": "no_agreement_applies"})
    )
    again = submit_checklist(session, employer)

    assert again.id == submission.id and again.status == SubmissionStatus.SUBMITTED
    assert again.answers["FE-10"] == "no_agreement_applies"
    assert profile.status == VettingStatus.SUBMITTED


def test_a_submitted_checklist_is_read_only_for_the_employer(session):
    _, employer, _ = submitted(session)

    with pytest.raises(InvalidTransition, match="read-only"):
        save_answers(session, employer, {"FE-12": False})
    with pytest.raises(InvalidTransition):
        submit_checklist(session, employer)


def test_only_a_mediator_may_decide(session):
    _, employer, submission = submitted(session)
    coach = make_user(session, role="coach")

    for actor in (employer, coach):
        with pytest.raises(Forbidden):
            decide_vetting(
                session, actor, submission.id, submission.version_id, "approved", today=TODAY
            )


def test_a_stale_version_is_told_another_mediator_decided_first(session):
    _, _, submission = submitted(session)
    first, second = make_user(session, role="mediator"), make_user(session, role="mediator")
    seen = submission.version_id

    decide_vetting(session, first, submission.id, seen, "approved", today=TODAY)
    with pytest.raises(InvalidTransition, match="Another mediator decided this first"):
        decide_vetting(session, second, submission.id, seen, "rejected", reason="no", today=TODAY)


def test_approval_with_conditions_needs_conditions_and_a_due_date(session):
    profile, _, submission = submitted(session)
    mediator = make_user(session, role="mediator")

    with pytest.raises(ValidationError, match="conditions"):
        decide_vetting(
            session,
            mediator,
            submission.id,
            submission.version_id,
            "approved_with_conditions",
            today=TODAY,
        )
    decide_vetting(
        session,
        mediator,
        submission.id,
        submission.version_id,
        "approved_with_conditions",
        conditions="Update the risk assessment",
        conditions_due=date(2027, 1, 15),
        today=TODAY,
    )

    assert profile.status == VettingStatus.APPROVED_WITH_CONDITIONS
    assert submission.conditions_due == date(2027, 1, 15)


def test_a_concurrent_decision_is_told_another_mediator_decided_first(session_factory):
    setup = session_factory()
    _, _, submission = submitted(setup)
    first, second = make_user(setup, role="mediator"), make_user(setup, role="mediator")
    setup.commit()
    ids = submission.id, submission.version_id
    mine, theirs = session_factory(), session_factory()
    # Loaded (with its employer) before the other mediator decides, as by a review page.
    stale = mine.get(type(submission), ids[0])
    assert stale.employer.status == VettingStatus.SUBMITTED

    decide_vetting(theirs, theirs.get(User, second.id), *ids, "approved", today=TODAY)
    theirs.commit()
    with pytest.raises(InvalidTransition, match="Another mediator decided this first"):
        decide_vetting(mine, mine.get(User, first.id), *ids, "rejected", reason="no", today=TODAY)
    for s in (setup, mine, theirs):
        s.close()


def serious_signal(session, profile):
    mediator = make_user(session, role="mediator")
    signal = report_signal(session, None, text="Passports kept.", employer_id=profile.id)
    mark_serious(session, mediator, signal.id, signal.version_id, "Passports withheld.")
    return signal, mediator


def test_approval_takes_its_end_date_from_the_submissions_evidence(session):
    profile, _, submission = submitted(session)
    add_evidence(session, submission, "FE-01", issued_on=date(2026, 11, 1))  # 3 months
    add_evidence(session, submission, "FE-12", expires_on=date(2027, 6, 30))
    mediator = make_user(session, role="mediator")

    decide_vetting(session, mediator, submission.id, submission.version_id, "approved", today=TODAY)

    assert profile.approved_until == date(2027, 2, 1)


def test_approval_is_refused_while_a_serious_signal_is_open(session):
    profile, _, submission = submitted(session)
    signal, mediator = serious_signal(session, profile)

    for decision, extra in [
        ("approved", {}),
        ("approved_with_conditions", {"conditions": "New contracts.", "conditions_due": TODAY}),
    ]:
        with pytest.raises(InvalidTransition, match="marked serious"):
            decide_vetting(
                session, mediator, submission.id, submission.version_id, decision,
                today=TODAY, **extra,
            )  # fmt: skip
    assert profile.status == VettingStatus.SUBMITTED and submission.decision is None

    start_review(session, mediator, signal.id, signal.version_id)
    close_signal(session, mediator, signal.id, signal.version_id, "no_action")
    decide_vetting(session, mediator, submission.id, submission.version_id, "approved", today=TODAY)
    assert profile.status == VettingStatus.APPROVED


def test_a_serious_signal_does_not_stop_a_rejection(session):
    profile, _, submission = submitted(session)
    _, mediator = serious_signal(session, profile)

    decide_vetting(
        session, mediator, submission.id, submission.version_id, "rejected",
        reason="Passports withheld.", today=TODAY,
    )  # fmt: skip

    assert profile.status == VettingStatus.REJECTED


def test_approval_with_expired_evidence_is_refused_naming_the_evidence(session):
    profile, _, submission = submitted(session)
    add_evidence(session, submission, "FE-01", issued_on=date(2026, 6, 1), original_name="kvk.pdf")
    mediator = make_user(session, role="mediator")

    with pytest.raises(InvalidTransition, match=r"expired \(FE-01: kvk.pdf, 2026-09-01\)"):
        decide_vetting(
            session, mediator, submission.id, submission.version_id, "approved", today=TODAY
        )

    assert profile.status == VettingStatus.SUBMITTED and profile.approved_until is None


def test_evidence_ending_today_still_counts(session):
    profile, _, submission = submitted(session)
    add_evidence(session, submission, "FE-12", expires_on=TODAY)
    mediator = make_user(session, role="mediator")

    decide_vetting(session, mediator, submission.id, submission.version_id, "approved", today=TODAY)

    assert profile.approved_until == TODAY


def test_confirm_conditions_met_approves_and_writes_the_audit_log(session):
    profile, _, mediator = approved(session, "approved_with_conditions")
    until = profile.approved_until

    confirm_conditions_met(session, mediator, profile.id, profile.version_id, " Contracts seen. ")

    assert profile.status == VettingStatus.APPROVED and profile.approved_until == until
    event = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (event.action, event.from_state, event.to_state, event.reason, event.actor_id) == (
        "conditions_met",
        "approved_with_conditions",
        "approved",
        "Contracts seen.",
        mediator.id,
    )


def test_confirm_conditions_met_is_refused_when_not_applicable(session):
    profile, employer, mediator = approved(session, "approved_with_conditions")

    with pytest.raises(Forbidden):
        confirm_conditions_met(session, employer, profile.id, profile.version_id, "Done.")
    with pytest.raises(ValidationError, match="how the conditions were met"):
        confirm_conditions_met(session, mediator, profile.id, profile.version_id, "  ")
    with pytest.raises(InvalidTransition, match="changed this employer's status first"):
        confirm_conditions_met(session, mediator, profile.id, profile.version_id - 1, "Done.")
    with pytest.raises(NotFound):
        confirm_conditions_met(session, mediator, profile.id + 1000, 1, "Done.")
    assert profile.status == VettingStatus.APPROVED_WITH_CONDITIONS

    confirm_conditions_met(session, mediator, profile.id, profile.version_id, "Done.")
    with pytest.raises(InvalidTransition, match="cannot move from approved to approved"):
        confirm_conditions_met(session, mediator, profile.id, profile.version_id, "Again.")


def test_conditions_cannot_be_due_before_the_decision(session):
    profile, _, submission = submitted(session)
    mediator = make_user(session, role="mediator")

    with pytest.raises(ValidationError, match="cannot be due before today"):
        decide_vetting(
            session, mediator, submission.id, submission.version_id, "approved_with_conditions",
            conditions="New contracts.", conditions_due=TODAY - timedelta(days=1), today=TODAY,
        )  # fmt: skip

    assert profile.status == VettingStatus.SUBMITTED


@pytest.mark.parametrize(
    ("decision", "extra"),
    [
        ("approved", {}),
        ("approved_with_conditions", {"conditions": "Show them.", "conditions_due": TODAY}),
    ],
)
def test_approval_is_refused_while_knock_out_documents_are_missing(session, decision, extra):
    profile = register(session, kvk="34567890", email="boss@nodocs.example")
    employer = employer_user(session, profile)
    save_answers(session, employer, passing_answers())
    submission = submit_checklist(session, employer)
    mediator = make_user(session, role="mediator")

    with pytest.raises(InvalidTransition, match=r"knock-out items are missing \(FE-01"):
        decide_vetting(
            session, mediator, submission.id, submission.version_id, decision, today=TODAY, **extra
        )
    assert profile.status == VettingStatus.SUBMITTED and profile.approved_until is None
