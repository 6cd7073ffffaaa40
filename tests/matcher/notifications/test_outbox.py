"""Sending the outbox: once per mail, failures kept and retried, nothing without SMTP."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from matcher.accounts.models import Organisation, User
from matcher.config import load_settings
from matcher.db import make_engine, make_session_factory, session_scope, utcnow
from matcher.notifications.mail import smtp_sender
from matcher.notifications.models import NotificationKind, OutboxMail
from matcher.notifications.services import notify, send_outbox
from tests.factories import make_user, password_hash

K = NotificationKind


class FakeSender:
    def __init__(self, fail_for: set[str] = frozenset()) -> None:
        self.sent: list[tuple[int, str]] = []
        self.fail_for = set(fail_for)

    def __call__(self, mail: OutboxMail) -> None:
        if mail.to_address in self.fail_for:
            raise ConnectionRefusedError("SMTP server refused the connection")
        self.sent.append((mail.id, mail.to_address))


def test_each_mail_is_sent_once(session):
    notify(session, [make_user(session, email="a@example.org")], K.INVITATION, link="/")
    sender = FakeSender()

    first = send_outbox(session, sender=sender)
    second = send_outbox(session, sender=sender)

    assert (first.configured, first.sent, first.failed) == (True, 1, 0)
    assert (second.sent, second.failed) == (0, 0)
    assert [to for _id, to in sender.sent] == ["a@example.org"]
    [mail] = session.scalars(select(OutboxMail))
    assert mail.sent_at is not None and mail.attempts == 1


def test_a_failure_is_recorded_and_retried_next_time(session):
    users = [make_user(session, email=f"{n}@example.org") for n in ("ok", "down")]
    notify(session, users, K.INVITATION, link="/")
    sender = FakeSender(fail_for={"down@example.org"})

    report = send_outbox(session, sender=sender)

    assert (report.sent, report.failed) == (1, 1)
    failed = session.scalars(select(OutboxMail).where(OutboxMail.to_address == "down@example.org"))
    failed = failed.one()
    assert failed.sent_at is None and failed.attempts == 1
    assert "refused the connection" in failed.last_error

    sender.fail_for.clear()
    later = utcnow() + timedelta(minutes=15)
    assert send_outbox(session, sender=sender, now=later).sent == 1
    assert (failed.sent_at, failed.attempts) == (later, 2)
    assert [to for _id, to in sender.sent] == ["ok@example.org", "down@example.org"]


def test_a_mail_that_keeps_failing_is_given_up_after_the_maximum(session):
    notify(session, [make_user(session, email="down@example.org")], K.INVITATION, link="/")
    sender = FakeSender(fail_for={"down@example.org"})
    for _ in range(3):
        send_outbox(session, sender=sender, max_attempts=3)

    assert send_outbox(session, sender=sender, max_attempts=3).failed == 0
    assert session.scalars(select(OutboxMail)).one().attempts == 3


def test_without_smtp_the_mail_stays_in_the_outbox(session):
    notify(session, [make_user(session)], K.INVITATION, link="/")
    sender = smtp_sender(load_settings({}))

    report = send_outbox(session, sender=sender)

    assert sender is None
    assert not report.configured and str(report) == "not configured: mail stays in the outbox"
    assert session.scalars(select(OutboxMail)).one().sent_at is None


def test_smtp_settings_come_from_the_environment():
    settings = load_settings(
        {"SMTP_HOST": "mail.example.org", "SMTP_PORT": "2525", "SMTP_STARTTLS": "false",
         "SMTP_FROM": "noreply@example.org", "SMTP_USER": "u", "SMTP_PASSWORD": "p"}
    )  # fmt: skip
    assert (settings.smtp_host, settings.smtp_port, settings.smtp_starttls) == (
        "mail.example.org",
        2525,
        False,
    )
    assert (settings.smtp_from, settings.smtp_user, settings.smtp_password) == (
        "noreply@example.org",
        "u",
        "p",
    )
    assert smtp_sender(settings) is not None


@pytest.fixture
def committed(fresh_database_url):
    """Three mails committed to a database two senders can share."""
    engine = make_engine(fresh_database_url)
    factory = make_session_factory(engine)
    with session_scope(factory) as session:
        organisation = Organisation(name="Shelter", kind="support")
        users = [
            User(email=f"u{n}@example.org", password_hash=password_hash("x"), role="coach",
                 organisation=organisation)
            for n in range(3)
        ]  # fmt: skip
        session.add_all(users)
        session.flush()
        notify(session, users, K.PROPOSAL_DECIDED, link="/")
    yield factory
    engine.dispose()


def test_two_senders_at_once_never_send_one_mail_twice(committed):
    sent: list[int] = []
    second_done = threading.Event()
    errors: list[BaseException] = []

    def second_sender() -> None:
        try:
            with session_scope(committed) as session:
                send_outbox(session, sender=lambda mail: sent.append(mail.id))
        except BaseException as exc:  # reported by the test below
            errors.append(exc)
        finally:
            second_done.set()

    def first(mail: OutboxMail) -> None:
        if not sent:
            # The second sender starts while the first holds its claim, uncommitted.
            threading.Thread(target=second_sender).start()
            # PostgreSQL: the second skips the locked rows and ends at once. SQLite: it waits
            # for the first one's commit, so this wait runs out and the first commits.
            second_done.wait(timeout=2)
        sent.append(mail.id)

    with session_scope(committed) as session:
        first_report = send_outbox(session, sender=first)
    assert second_done.wait(timeout=60)

    assert errors == []
    assert first_report.sent == 3
    assert sorted(sent) == sorted(set(sent)) and len(sent) == 3
    with session_scope(committed) as session:
        assert all(m.sent_at is not None for m in session.scalars(select(OutboxMail)))
