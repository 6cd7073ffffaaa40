"""The notifications page, the unread badge in the header, and the admins' outbox."""

from __future__ import annotations

from matcher.notifications.models import Notification, NotificationKind
from matcher.notifications.services import notify
from tests.factories import make_user
from tests.web.conftest import make_test_app

K = NotificationKind


def test_a_user_sees_their_own_notifications_newest_first_with_links(client, login, session):
    user = login(role="coach")
    notify(session, [user], K.PROPOSAL_DECIDED, link="/coach/clients/5/proposals")
    notify(session, [user], K.CONSENT_NEEDED, link="/coach/consent-needed")
    notify(session, [make_user(session)], K.SIGNAL_FEEDBACK, link="/signals")
    session.commit()

    html = client.get("/notifications").get_data(as_text=True)

    consent = html.index("An approved match waits for the client&#39;s consent")
    decided = html.index("A mediator decided on a match")
    assert consent < decided
    assert 'href="/coach/consent-needed"' in html and 'href="/coach/clients/5/proposals"' in html
    assert "Your signal was handled" not in html
    assert html.count('class="notification unread"') == 2


def test_every_role_sees_the_unread_count_in_the_header(client, login, session):
    for role in ("coach", "mediator", "employer", "admin"):
        user = login(role=role)
        notify(session, [user], K.EXPIRY_WARNING, link="/", days_left=7)
        notify(session, [user], K.EXPIRY_WARNING, link="/", days_left=30)
        session.commit()
        html = client.get("/").get_data(as_text=True)
        assert 'href="/notifications">Notifications <span class="badge"' in html, role
        assert 'title="2 unread">2</span>' in html, role
        client.post("/logout")


def test_no_badge_without_unread_notifications(client, login):
    login(role="coach")
    html = client.get("/").get_data(as_text=True)
    assert 'href="/notifications">Notifications</a>' in html
    assert 'class="badge"' not in html


def test_marking_one_and_all_read(client, login, session):
    user = login(role="mediator")
    first, second, third = (
        notify(session, [user], K.NEW_PROPOSALS, link="/mediator/queue", count=n)[0]
        for n in (1, 2, 3)
    )
    session.commit()

    response = client.post(f"/notifications/{first.id}/read")
    assert response.status_code == 302 and response.location.endswith("/notifications")
    session.expire_all()
    assert first.read_at is not None and second.read_at is None

    response = client.post("/notifications/read", follow_redirects=True)
    assert "2 notifications marked as read." in response.get_data(as_text=True)
    session.expire_all()
    assert second.read_at is not None and third.read_at is not None


def test_nobody_marks_another_users_notification(client, login, session):
    login(role="coach")
    [note] = notify(session, [make_user(session)], K.INVITATION, link="/")
    session.commit()

    assert client.post(f"/notifications/{note.id}/read").status_code == 404
    assert client.post("/notifications/999999/read").status_code == 404
    session.expire_all()
    assert session.get(Notification, note.id).read_at is None


def test_a_visitor_is_sent_to_sign_in(client):
    response = client.get("/notifications")
    assert response.status_code == 302 and "/login" in response.location
    assert client.post("/notifications/read").status_code == 302
    assert client.get("/admin/outbox").status_code == 302


def test_marking_read_without_the_csrf_token_is_refused(session_factory, session):
    user = make_user(session, role="coach")
    [note] = notify(session, [user], K.INVITATION, link="/")
    session.commit()
    client = make_test_app(session_factory, WTF_CSRF_ENABLED=True).test_client()
    html = client.get("/login").get_data(as_text=True)
    token = html.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post("/login", data={"email": user.email, "password": "correct horse battery",
                                "csrf_token": token})  # fmt: skip

    assert client.post(f"/notifications/{note.id}/read").status_code == 400
    assert client.post("/notifications/read").status_code == 400
    session.expire_all()
    assert session.get(Notification, note.id).read_at is None

    page = client.get("/notifications").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post(f"/notifications/{note.id}/read", data={"csrf_token": token})
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Notification, note.id).read_at is not None


def test_the_page_in_dutch(client, login, session):
    user = login(role="employer", language="nl")
    notify(session, [user], K.VETTING_DECIDED, link="/employer/checklist")
    notify(session, [user], K.EXPIRY_WARNING, link="/employer/checklist", days_left=7)
    session.commit()

    html = client.get("/notifications").get_data(as_text=True)

    assert "<h1>Meldingen</h1>" in html
    assert "Een besluit over uw checklist" in html and "nog 7 dagen" in html
    assert "Markeren als gelezen" in html and "Alles markeren als gelezen" in html


def test_only_admins_read_the_outbox_which_holds_no_client_data(client, login, session):
    coach = make_user(session, role="coach", email="coach@shelter.example", language="nl")
    notify(session, [coach], K.PROPOSAL_DECIDED, link="/coach/clients/5/proposals")
    session.commit()
    for role in ("coach", "mediator", "employer"):
        login(role=role)
        assert client.get("/admin/outbox").status_code == 403, role
        client.post("/logout")

    login(role="admin")
    html = client.get("/admin/outbox").get_data(as_text=True)

    assert "coach@shelter.example" in html
    assert "Fairmatch: er is over een match besloten" in html
    assert "not yet" in html and "1 e-mail, newest first" in html
    assert 'href="/admin/outbox"' in html
