"""Personal report links: a coach hands one to a client, who reports without an account."""

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from matcher.audit.models import AuditEvent
from matcher.employers.links import (
    RateLimited,
    create_signal_link,
    find_signal_link,
    list_link_signals,
    list_signal_links,
    report_via_link,
    revoke_signal_link,
)
from matcher.employers.models import Signal, SignalLink, SignalStatus
from matcher.employers.signals import close_signal, start_review
from matcher.errors import Forbidden, InvalidTransition, NotFound, ValidationError
from tests.factories import make_user
from tests.matcher.employers.builders import employer_in

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TEXT = "The boss keeps our passports in his safe."


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def report(session, token, *, now=NOW, client_ip="192.0.2.1", **fields):
    fields = {"text": TEXT} | fields
    return report_via_link(session, token, client_ip=client_ip, now=now, **fields)


@pytest.fixture
def coach(session):
    return make_user(session, role="coach")


@pytest.fixture
def token(session, coach):
    return create_signal_link(session, coach, "client 17", now=NOW)[1]


def test_only_the_hash_of_the_token_is_stored(session, coach):
    link, token = create_signal_link(session, coach, "  client 17 ", now=NOW)

    assert len(token) >= 43
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = session.execute(select(SignalLink.__table__)).one()
    assert token not in [str(value) for value in stored]
    assert (link.label, link.organisation_id, link.created_by_id) == (
        "client 17",
        coach.organisation_id,
        coach.id,
    )
    assert link.expires_at == NOW + timedelta(days=90)
    assert find_signal_link(session, token, NOW) is link
    assert create_signal_link(session, coach, "client 18")[1] != token


@pytest.mark.parametrize(
    ("label", "valid_days", "message"),
    [
        ("x" * 101, 90, "longer than 100"),
        ("client\x00", 90, "NUL"),
        ("client 17", 0, "1 to 365 days"),
        ("client 17", 366, "1 to 365 days"),
    ],
)
def test_a_link_refuses_a_long_label_or_odd_validity(session, coach, label, valid_days, message):
    with pytest.raises(ValidationError, match=message):
        create_signal_link(session, coach, label, valid_days)
    assert count(session, SignalLink) == 0


@pytest.mark.parametrize("role", ["employer", "mediator", "admin"])
def test_only_coaches_hand_out_see_and_revoke_links(session, coach, role):
    link, _ = create_signal_link(session, coach, "client 17")
    other = make_user(session, role=role)
    with pytest.raises(Forbidden):
        create_signal_link(session, other, "client 18")
    with pytest.raises(Forbidden):
        list_signal_links(session, other)
    with pytest.raises(Forbidden):
        revoke_signal_link(session, other, link.id)
    assert count(session, SignalLink) == 1 and link.revoked_at is None


def test_a_coach_lists_and_revokes_only_their_own_organisations_links(session, coach):
    colleague = make_user(session, role="coach", organisation=coach.organisation)
    stranger = make_user(session, role="coach")
    ours, _ = create_signal_link(session, coach, "client 17", now=NOW)
    newer, _ = create_signal_link(session, colleague, "client 18", now=NOW + timedelta(hours=1))
    theirs, _ = create_signal_link(session, stranger, "their client")

    assert list_signal_links(session, coach) == [newer, ours]
    with pytest.raises(Forbidden):
        revoke_signal_link(session, coach, theirs.id)
    with pytest.raises(NotFound):
        revoke_signal_link(session, coach, 999_999)
    assert theirs.revoked_at is None

    revoke_signal_link(session, colleague, ours.id, now=NOW)
    assert ours.revoked_at == NOW
    with pytest.raises(InvalidTransition, match="already been revoked"):
        revoke_signal_link(session, coach, ours.id)
    events = session.scalars(
        select(AuditEvent.action).where(
            AuditEvent.object_type == "signal_link", AuditEvent.object_id == ours.id
        )
    ).all()
    assert events == ["create", "revoke"]


def test_an_unknown_revoked_or_expired_link_is_not_found(session, coach, token):
    link = find_signal_link(session, token, NOW)
    for wrong in ("", "nonsense", token[:-1], token + "x", "x" * 10_000):
        with pytest.raises(NotFound):
            find_signal_link(session, wrong, NOW)
    assert find_signal_link(session, token, link.expires_at - timedelta(seconds=1)) is link
    with pytest.raises(NotFound):
        find_signal_link(session, token, link.expires_at)

    revoke_signal_link(session, coach, link.id, now=NOW)
    with pytest.raises(NotFound):
        find_signal_link(session, token, NOW)
    with pytest.raises(NotFound):
        report(session, token)
    with pytest.raises(NotFound):
        list_link_signals(session, token, NOW)
    assert count(session, Signal) == 0


def test_a_report_through_a_link_keeps_the_link_and_no_reporter(session, token):
    signal = report(session, token, employer_name="Kas BV", vacancy_ref="picker", contact="06 1")

    link = find_signal_link(session, token, NOW)
    assert (signal.link_id, signal.reporter_id) == (link.id, None)
    assert (signal.text, signal.employer_name, signal.status) == (
        TEXT,
        "Kas BV",
        SignalStatus.RECEIVED,
    )


def test_a_link_may_name_only_an_employer_that_is_or_was_approved(session, token):
    approved = employer_in(session, "approved", "11111111")
    pending = employer_in(session, "pending", "22222222")

    assert report(session, token, employer_id=approved.id).employer_id == approved.id
    with pytest.raises(NotFound):
        report(session, token, employer_id=pending.id)
    assert count(session, Signal) == 1


@pytest.mark.parametrize("text", ["", "   ", "x" * 10_001, "my\x00 passport"])
def test_a_report_through_a_link_refuses_bad_text(session, token, text):
    with pytest.raises(ValidationError):
        report(session, token, text=text)
    assert count(session, Signal) == 0


def test_a_link_takes_five_reports_a_day(session, token):
    for minute in range(5):
        report(session, token, now=NOW + timedelta(minutes=minute), client_ip=f"192.0.2.{minute}")

    with pytest.raises(RateLimited, match="through this link today"):
        report(session, token, now=NOW + timedelta(hours=23), client_ip="198.51.100.1")
    assert count(session, Signal) == 5
    report(session, token, now=NOW + timedelta(days=1, seconds=1))
    assert count(session, Signal) == 6


def test_one_address_sends_twenty_reports_an_hour_across_links(session, coach):
    tokens = [create_signal_link(session, coach, f"client {n}", now=NOW)[1] for n in range(5)]
    for n in range(20):
        report(session, tokens[n % 5], now=NOW + timedelta(minutes=n))

    with pytest.raises(RateLimited, match="from your network"):
        report(session, tokens[0], now=NOW + timedelta(minutes=59))
    report(session, tokens[0], now=NOW + timedelta(minutes=59), client_ip="198.51.100.1")
    report(session, tokens[1], now=NOW + timedelta(minutes=61))
    assert count(session, Signal) == 22


def test_the_link_lists_its_own_signals_with_feedback_never_notes(session, coach, token):
    mediator = make_user(session, role="mediator")
    other_token = create_signal_link(session, coach, "client 18", now=NOW)[1]
    first = report(session, token, text="first")
    second = report(session, token, text="second", now=NOW + timedelta(minutes=1))
    report(session, other_token, text="someone else's")
    start_review(session, mediator, first.id, first.version_id, notes="Reporter is afraid.")
    close_signal(
        session,
        mediator,
        first.id,
        first.version_id,
        "action_taken",
        feedback="We have acted on your report.",
        notes="Reporter is afraid.",
    )

    listed = list_link_signals(session, token, NOW)

    assert [(s.id, s.status, s.feedback) for s in listed] == [
        (second.id, SignalStatus.RECEIVED, ""),
        (first.id, SignalStatus.CLOSED, "We have acted on your report."),
    ]
    assert all(not hasattr(s, "notes") and "afraid" not in repr(s) for s in listed)
