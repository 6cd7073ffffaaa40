"""Signals (the meldroute): reporting, triage by mediators, feedback to the reporter."""

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from matcher.accounts.models import User
from matcher.audit.models import AuditEvent
from matcher.employers.models import Signal, SignalOutcome, SignalStatus
from matcher.employers.services import may_match_employer
from matcher.employers.signals import (
    close_signal,
    get_signal_for_triage,
    link_signal_to_employer,
    list_closed_signals,
    list_own_signals,
    list_registered_employers,
    list_reportable_employers,
    list_signals_for_triage,
    mark_serious,
    report_signal,
    start_review,
)
from matcher.employers.states import VettingStatus
from matcher.employers.suspension import lift_suspension
from matcher.errors import Forbidden, InvalidTransition, NotFound, ValidationError
from tests.factories import make_user
from tests.matcher.employers.builders import approved, employer_in, register

TEXT = "They keep our passports and pay us half of what was promised."


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def signal_events(session, signal):
    return session.scalars(
        select(AuditEvent)
        .where(AuditEvent.object_type == "signal", AuditEvent.object_id == signal.id)
        .order_by(AuditEvent.id)
    ).all()


def in_review(session, mediator, **kw):
    signal = report_signal(session, make_user(session), text=TEXT, **kw)
    return start_review(session, mediator, signal.id, signal.version_id)


def test_report_signal_with_an_account_about_a_registered_employer(session):
    profile = register(session)
    coach = make_user(session, role="coach")

    signal = report_signal(
        session, coach, text=f"  {TEXT}\n", employer_id=profile.id, contact="06 12345678"
    )

    assert (signal.text, signal.status, signal.serious) == (TEXT, SignalStatus.RECEIVED, False)
    assert signal.reporter_id == coach.id and signal.employer_id == profile.id
    assert [(e.action, e.to_state, e.actor_id) for e in signal_events(session, signal)] == [
        ("report", "received", coach.id)
    ]


def test_report_signal_without_an_account_naming_only_a_vacancy(session):
    signal = report_signal(
        session, None, text=TEXT, employer_name="Kas BV", vacancy_ref="tomato picker, Westland"
    )

    assert signal.reporter_id is None and signal.employer_id is None
    assert (signal.employer_name, signal.vacancy_ref) == ("Kas BV", "tomato picker, Westland")
    assert signal_events(session, signal)[0].actor_id is None


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"text": ""}, "Describe what happened"),
        ({"text": " \n\t "}, "Describe what happened"),
        ({"text": "x" * 10_001}, "longer than 10000 characters"),
        ({"text": "They took my\x00 passport"}, "NUL"),
        ({"text": TEXT, "contact": "me\x00@example.org"}, "NUL"),
    ],
)
def test_report_signal_refuses_bad_text_and_writes_nothing(session, fields, message):
    with pytest.raises(ValidationError, match=message):
        report_signal(session, make_user(session), **fields)
    assert count(session, Signal) == 0 and count(session, AuditEvent) == 0


def test_report_signal_accepts_the_longest_text(session):
    assert len(report_signal(session, None, text="x" * 10_000).text) == 10_000


def test_report_signal_about_an_unknown_employer_is_not_found(session):
    with pytest.raises(NotFound):
        report_signal(session, None, text=TEXT, employer_id=999_999)
    assert count(session, Signal) == 0


def test_triage_moves_received_to_in_review_to_closed_and_audits_each_step(session):
    mediator = make_user(session, role="mediator")
    signal = report_signal(session, None, text=TEXT)

    start_review(session, mediator, signal.id, signal.version_id, notes="Call the reporter.")
    close_signal(
        session,
        mediator,
        signal.id,
        signal.version_id,
        "referred_to_inspectorate",
        feedback="We passed your report to the labour inspectorate.",
        notes="Inspectorate case 2026-118.",
    )

    assert signal.status == SignalStatus.CLOSED
    assert signal.outcome == SignalOutcome.REFERRED_TO_INSPECTORATE
    assert signal.closed_by_id == mediator.id and signal.closed_at is not None
    assert signal.notes == "Inspectorate case 2026-118."
    assert [(e.action, e.from_state, e.to_state) for e in signal_events(session, signal)] == [
        ("report", None, "received"),
        ("start_review", "received", "in_review"),
        ("close", "in_review", "closed"),
    ]


def test_triage_refuses_moves_outside_the_order(session):
    mediator = make_user(session, role="mediator")
    signal = report_signal(session, None, text=TEXT)
    with pytest.raises(InvalidTransition, match="from received to closed"):
        close_signal(session, mediator, signal.id, signal.version_id, "no_action")
    start_review(session, mediator, signal.id, signal.version_id)
    with pytest.raises(InvalidTransition, match="from in_review to in_review"):
        start_review(session, mediator, signal.id, signal.version_id)
    close_signal(session, mediator, signal.id, signal.version_id, "no_action")
    with pytest.raises(InvalidTransition, match="from closed to in_review"):
        start_review(session, mediator, signal.id, signal.version_id)
    with pytest.raises(InvalidTransition):
        mark_serious(session, mediator, signal.id, signal.version_id, "Too late.")
    assert signal.status == SignalStatus.CLOSED and not signal.serious


@pytest.mark.parametrize("outcome", [None, "", "forgotten"])
def test_closing_needs_an_outcome(session, outcome):
    mediator = make_user(session, role="mediator")
    signal = in_review(session, mediator)
    with pytest.raises(ValidationError, match="outcome"):
        close_signal(session, mediator, signal.id, signal.version_id, outcome, feedback="Done.")
    assert signal.status == SignalStatus.IN_REVIEW and signal.outcome is None


@pytest.mark.parametrize("role", ["coach", "employer", "admin"])
def test_only_a_mediator_may_triage(session, role):
    mediator = make_user(session, role="mediator")
    signal = report_signal(session, None, text=TEXT)
    reviewed = in_review(session, mediator, employer_id=register(session).id)
    other = make_user(session, role=role)
    with pytest.raises(Forbidden):
        start_review(session, other, signal.id, signal.version_id)
    with pytest.raises(Forbidden):
        close_signal(session, other, reviewed.id, reviewed.version_id, "no_action")
    with pytest.raises(Forbidden):
        mark_serious(session, other, reviewed.id, reviewed.version_id, "Looks bad.")
    with pytest.raises(Forbidden):
        list_signals_for_triage(session, other)
    assert (signal.status, reviewed.status) == (SignalStatus.RECEIVED, SignalStatus.IN_REVIEW)


def test_a_stale_version_is_told_another_mediator_changed_it_first(session):
    first, second = make_user(session, role="mediator"), make_user(session, role="mediator")
    signal = report_signal(session, None, text=TEXT)
    seen = signal.version_id
    start_review(session, first, signal.id, seen)
    with pytest.raises(InvalidTransition, match="Another mediator changed this signal first"):
        close_signal(session, second, signal.id, seen, "no_action")
    with pytest.raises(InvalidTransition, match="Another mediator changed this signal first"):
        mark_serious(session, second, signal.id, seen, "Looks bad.")
    assert signal.status == SignalStatus.IN_REVIEW and not signal.serious


def test_a_concurrent_change_is_told_another_mediator_changed_it_first(session_factory):
    setup = session_factory()
    signal = report_signal(setup, None, text=TEXT)
    first, second = make_user(setup, role="mediator"), make_user(setup, role="mediator")
    setup.commit()
    ids = signal.id, signal.version_id
    mine, theirs = session_factory(), session_factory()
    # Loaded before the other mediator acts, as by a triage page.
    assert mine.get(Signal, ids[0]).status == SignalStatus.RECEIVED

    start_review(theirs, theirs.get(User, second.id), *ids)
    theirs.commit()
    with pytest.raises(InvalidTransition, match="Another mediator changed this signal first"):
        start_review(mine, mine.get(User, first.id), *ids)
    for s in (setup, mine, theirs):
        s.close()


def test_the_schema_refuses_a_closed_signal_without_outcome_or_closer(session):
    signal = report_signal(session, None, text=TEXT)
    with pytest.raises(IntegrityError, match="closed_has_outcome"), session.begin_nested():
        signal.status = SignalStatus.CLOSED
        session.flush()


def test_the_reporter_sees_status_and_feedback_never_the_notes(session):
    mediator, reporter = make_user(session, role="mediator"), make_user(session, role="coach")
    signal = report_signal(session, reporter, text=TEXT)
    report_signal(session, make_user(session), text="Someone else's report.")
    assert [(s.status, s.feedback) for s in list_own_signals(session, reporter)] == [
        (SignalStatus.RECEIVED, "")
    ]

    start_review(session, mediator, signal.id, signal.version_id, notes="Reporter seems afraid.")
    close_signal(
        session,
        mediator,
        signal.id,
        signal.version_id,
        "action_taken",
        feedback="Thank you: we have acted on your report.",
        notes="Employer suspended; reporter seems afraid.",
    )

    (own,) = list_own_signals(session, reporter)
    assert (own.id, own.status, own.feedback) == (
        signal.id,
        SignalStatus.CLOSED,
        "Thank you: we have acted on your report.",
    )
    assert not hasattr(own, "notes")
    assert "afraid" not in repr(own)


def test_triage_lists_open_signals_received_first_then_oldest_first(session):
    mediator = make_user(session, role="mediator")
    oldest = report_signal(session, None, text="first")
    reviewed = report_signal(session, None, text="second")
    newest = report_signal(session, None, text="third")
    closed = report_signal(session, None, text="fourth")
    start_review(session, mediator, reviewed.id, reviewed.version_id)
    start_review(session, mediator, closed.id, closed.version_id)
    close_signal(session, mediator, closed.id, closed.version_id, "no_action")

    assert list_signals_for_triage(session, mediator) == [oldest, newest, reviewed]


@pytest.mark.parametrize("decision", ["approved", "approved_with_conditions"])
def test_a_serious_signal_suspends_an_approved_employer_at_once(session, decision):
    profile, _, vetter = approved(session, decision)
    mediator = make_user(session, role="mediator")
    signal = report_signal(session, make_user(session), text=TEXT, employer_id=profile.id)
    assert may_match_employer(session, profile.organisation_id)

    mark_serious(session, mediator, signal.id, signal.version_id, "Passports withheld.")

    assert signal.serious and profile.status == VettingStatus.SUSPENDED
    assert not may_match_employer(session, profile.organisation_id)
    assert [(e.action, e.reason) for e in signal_events(session, signal)][-1] == (
        "mark_serious",
        "Passports withheld.",
    )
    suspension = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.object_type == "employer", AuditEvent.object_id == profile.id)
        .order_by(AuditEvent.id.desc())
    ).first()
    assert (suspension.action, suspension.from_state, suspension.to_state) == (
        "suspend",
        decision,
        "suspended",
    )
    assert suspension.actor_id == mediator.id and f"signal {signal.id}" in suspension.reason

    with pytest.raises(ValidationError, match="reason"):
        lift_suspension(session, vetter, profile.id, "")
    assert not may_match_employer(session, profile.organisation_id)
    start_review(session, mediator, signal.id, signal.version_id)
    close_signal(session, mediator, signal.id, signal.version_id, "action_taken")
    lift_suspension(session, vetter, profile.id, "Inspectorate found the passports returned.")
    assert profile.status == decision
    assert may_match_employer(session, profile.organisation_id)


def test_a_serious_signal_about_an_employer_not_yet_approved_flags_without_suspending(session):
    profile = register(session)
    mediator = make_user(session, role="mediator")
    signal = report_signal(session, None, text=TEXT, employer_id=profile.id)

    mark_serious(session, mediator, signal.id, signal.version_id, "Passports withheld.")

    assert signal.serious and profile.status == VettingStatus.PENDING
    assert not may_match_employer(session, profile.organisation_id)


def test_a_serious_signal_needs_a_reason_and_a_registered_employer(session):
    mediator = make_user(session, role="mediator")
    signal = report_signal(session, None, text=TEXT, employer_name="Kas BV")
    with pytest.raises(ValidationError, match="reason"):
        mark_serious(session, mediator, signal.id, signal.version_id, " ")
    with pytest.raises(ValidationError, match="no registered employer"):
        mark_serious(session, mediator, signal.id, signal.version_id, "Passports withheld.")
    assert not signal.serious


def test_closed_signals_are_listed_newest_closed_first_and_only_to_mediators(session):
    mediator = make_user(session, role="mediator")
    first, second = in_review(session, mediator), in_review(session, mediator)
    in_review(session, mediator)
    close_signal(session, mediator, second.id, second.version_id, "no_action")
    close_signal(session, mediator, first.id, first.version_id, "action_taken")

    assert list_closed_signals(session, mediator) == [first, second]
    assert list_closed_signals(session, mediator, limit=1) == [first]
    with pytest.raises(Forbidden):
        list_closed_signals(session, make_user(session, role="coach"))


def test_a_mediator_sees_the_reporters_account_and_notes(session):
    mediator, reporter = make_user(session, role="mediator"), make_user(session, role="employer")
    signal = report_signal(session, reporter, text=TEXT, contact="06 12345678")
    start_review(session, mediator, signal.id, signal.version_id, notes="Call back.")

    seen = get_signal_for_triage(session, mediator, signal.id)

    assert (seen.signal, seen.reporter_email, seen.link_organisation) == (
        signal,
        reporter.email,
        None,
    )
    assert seen.signal.notes == "Call back."
    assert get_signal_for_triage(session, mediator, report_signal(session, None, text=TEXT).id)
    with pytest.raises(NotFound):
        get_signal_for_triage(session, mediator, 999_999)
    with pytest.raises(Forbidden):
        get_signal_for_triage(session, reporter, signal.id)


def test_a_mediator_links_a_signal_to_the_registered_employer_it_names(session):
    mediator = make_user(session, role="mediator")
    profile = register(session)
    signal = report_signal(session, None, text=TEXT, employer_name="Bakkerij de Vries")

    link_signal_to_employer(session, mediator, signal.id, signal.version_id, profile.id)

    assert signal.employer is profile and signal.employer_name == "Bakkerij de Vries"
    event = signal_events(session, signal)[-1]
    assert (event.action, event.actor_id, event.details) == (
        "link_employer",
        mediator.id,
        {"from_employer_id": None, "to_employer_id": profile.id},
    )
    # Now it names a registered employer, so marking it serious can act on that employer.
    mark_serious(session, mediator, signal.id, signal.version_id, "Passports withheld.")
    assert signal.serious


def test_linking_refuses_unknown_employers_stale_versions_closed_signals_and_non_mediators(
    session,
):
    mediator = make_user(session, role="mediator")
    profile = register(session)
    signal = report_signal(session, None, text=TEXT)
    seen = signal.version_id
    with pytest.raises(NotFound):
        link_signal_to_employer(session, mediator, signal.id, seen, 999_999)
    with pytest.raises(Forbidden):
        link_signal_to_employer(session, make_user(session), signal.id, seen, profile.id)
    start_review(session, mediator, signal.id, seen)
    with pytest.raises(InvalidTransition, match="Another mediator changed this signal first"):
        link_signal_to_employer(session, mediator, signal.id, seen, profile.id)
    close_signal(session, mediator, signal.id, signal.version_id, "no_action")
    with pytest.raises(InvalidTransition, match="closed"):
        link_signal_to_employer(session, mediator, signal.id, signal.version_id, profile.id)
    assert signal.employer_id is None
    assert "link_employer" not in [e.action for e in signal_events(session, signal)]


def test_reporters_may_pick_only_employers_that_are_or_were_approved(session):
    approved_profile = approved(session)[0]
    with_conditions = employer_in(session, "approved_with_conditions", "22222222")
    suspended = employer_in(session, "suspended", "33333333")
    expired = employer_in(session, "expired", "44444444")
    employer_in(session, "pending", "55555555")
    employer_in(session, "submitted", "66666666")
    employer_in(session, "rejected", "77777777")
    with_conditions.trade_names = ["De Ovenbakker"]

    choices = list_reportable_employers(session)

    assert sorted(c.id for c in choices) == sorted(
        p.id for p in (approved_profile, with_conditions, suspended, expired)
    )
    assert (with_conditions.id, "Bakery 22222222 / De Ovenbakker") in choices
    mediator = make_user(session, role="mediator")
    assert len(list_registered_employers(session, mediator)) == 7
    with pytest.raises(Forbidden):
        list_registered_employers(session, make_user(session, role="coach"))
