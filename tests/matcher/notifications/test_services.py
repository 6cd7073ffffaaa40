"""Notifications: written in the app and the outbox in the user's language; read and unread."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from matcher.errors import Forbidden, NotFound
from matcher.notifications.models import Notification, NotificationKind, OutboxMail
from matcher.notifications.services import (
    count_unread,
    list_notifications,
    list_outbox,
    mark_all_read,
    mark_read,
    notify,
    notify_role,
)
from tests.factories import make_user

K = NotificationKind


def mails(session) -> list[OutboxMail]:
    return list(session.scalars(select(OutboxMail).order_by(OutboxMail.id)))


def test_notify_writes_one_notification_and_one_mail_per_user_in_their_language(session):
    english = make_user(session, role="coach", email="en@example.org")
    dutch = make_user(session, role="coach", email="nl@example.org", language="nl")

    notes = notify(
        session, [english, dutch, english], K.CONSENT_NEEDED, link="/coach/consent-needed",
        proposal_id=7,
    )  # fmt: skip

    assert [(n.user_id, n.kind, n.params, n.read_at) for n in notes] == [
        (english.id, K.CONSENT_NEEDED, {"proposal_id": 7}, None),
        (dutch.id, K.CONSENT_NEEDED, {"proposal_id": 7}, None),
    ]
    en_mail, nl_mail = mails(session)
    assert (en_mail.to_address, en_mail.notification_id) == ("en@example.org", notes[0].id)
    assert en_mail.subject == "Fairmatch: a match waits for consent"
    assert "You have a new notification in Fairmatch" in en_mail.body
    assert "/coach/consent-needed" in en_mail.body
    assert nl_mail.subject == "Fairmatch: een match wacht op toestemming"
    assert "U heeft een nieuwe melding in Fairmatch" in nl_mail.body
    assert (en_mail.sent_at, en_mail.attempts, en_mail.last_error) == (None, 0, "")


def test_notify_role_reaches_every_active_user_of_that_role_only(session):
    first, second = make_user(session, role="mediator"), make_user(session, role="mediator")
    make_user(session, role="mediator", active=False)
    make_user(session, role="coach")

    notes = notify_role(session, "mediator", K.NEW_PROPOSALS, link="/mediator/queue", count=3)

    assert sorted(n.user_id for n in notes) == sorted([first.id, second.id])
    assert len(mails(session)) == 2


def test_unread_counts_and_marking_read(session):
    user, other = make_user(session), make_user(session)
    first, second = (notify(session, [user], K.PROPOSAL_DECIDED, link="/")[0] for _ in range(2))
    notify(session, [other], K.PROPOSAL_DECIDED, link="/")

    assert count_unread(session, user) == 2
    assert [n.id for n in list_notifications(session, user)] == [second.id, first.id]
    mark_read(session, user, first.id)
    assert count_unread(session, user) == 1
    assert [n.id for n in list_notifications(session, user, unread_only=True)] == [second.id]
    assert mark_all_read(session, user) == 1
    assert count_unread(session, user) == 0
    assert count_unread(session, other) == 1
    assert len(list_notifications(session, user)) == 2


def test_a_user_cannot_mark_another_users_notification(session):
    user, other = make_user(session), make_user(session)
    [note] = notify(session, [other], K.SIGNAL_FEEDBACK, link="/signals")

    with pytest.raises(NotFound):
        mark_read(session, user, note.id)
    with pytest.raises(NotFound):
        mark_read(session, user, note.id + 1000)
    assert session.get(Notification, note.id).read_at is None


def test_only_an_admin_reads_the_outbox(session):
    notify(session, [make_user(session)], K.INVITATION, link="/")
    assert len(list_outbox(session, make_user(session, role="admin"))) == 1
    for role in ("coach", "mediator", "employer"):
        with pytest.raises(Forbidden):
            list_outbox(session, make_user(session, role=role))
