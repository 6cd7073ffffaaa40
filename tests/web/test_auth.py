"""Signing in and out, throttling, safe redirects, CSRF."""

from __future__ import annotations

from sqlalchemy import func, select

from matcher.accounts.models import LoginAttempt
from tests.factories import PASSWORD, make_user
from tests.web.conftest import make_test_app


def sign_in(client, email, password=PASSWORD, next_url=None):
    url = "/login" if next_url is None else f"/login?next={next_url}"
    return client.post(url, data={"email": email, "password": password})


def test_login_page_has_labelled_email_and_password_fields(client):
    html = client.get("/login").get_data(as_text=True)
    assert '<label for="email">E-mail address</label>' in html
    assert '<label for="password">Password</label>' in html
    assert 'name="password" required type="password"' in html
    assert '<html lang="en">' in html


def test_sign_in_with_the_right_password_opens_the_home_page(client, session):
    user = make_user(session, role="coach", email="ana@example.org")
    session.commit()
    response = sign_in(client, " Ana@Example.org ")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "Welcome, ana@example.org" in client.get("/").get_data(as_text=True)
    session.refresh(user)
    assert user.last_login_at is not None


def test_wrong_password_is_refused_with_a_clear_message(client, session):
    make_user(session, email="ana@example.org")
    session.commit()
    response = sign_in(client, "ana@example.org", "not the password")
    assert response.status_code == 200
    assert "Wrong e-mail address or password." in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still signed out


def test_unknown_email_gets_the_same_message(client):
    response = sign_in(client, "nobody@example.org")
    assert "Wrong e-mail address or password." in response.get_data(as_text=True)


def test_five_failures_lock_the_account_even_for_the_right_password(client, session):
    make_user(session, email="ana@example.org")
    session.commit()
    for _ in range(5):
        sign_in(client, "ana@example.org", "wrong guess 123")
    response = sign_in(client, "ana@example.org")
    assert response.status_code == 429
    assert "Too many attempts, try again in 15 minutes." in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_an_empty_form_is_refused_without_a_crash(client):
    response = client.post("/login", data={"email": "", "password": ""})
    assert response.status_code == 400
    assert "This field is required." in response.get_data(as_text=True)


def test_an_inactive_user_cannot_sign_in(client, session):
    make_user(session, email="gone@example.org", active=False)
    session.commit()
    response = sign_in(client, "gone@example.org")
    assert "This account has been deactivated." in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_a_deactivated_user_is_signed_out_on_the_next_request(client, session, login):
    user = login("coach")
    assert client.get("/").status_code == 200
    user.active = False
    session.commit()
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_sign_out_ends_the_session(client, login):
    login("mediator")
    response = client.post("/logout", follow_redirects=True)
    assert "You have signed out." in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_sign_out_by_get_is_not_allowed(client, login):
    login("mediator")
    assert client.get("/logout").status_code == 405
    assert client.get("/").status_code == 200


def test_a_signed_out_visitor_is_sent_to_login_and_back(client, session):
    make_user(session, email="ana@example.org")
    session.commit()
    response = client.get("/esco?q=fruit")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/esco?q%3Dfruit"
    response = sign_in(client, "ana@example.org", next_url="/esco%3Fq%3Dfruit")
    assert response.headers["Location"] == "/esco?q=fruit"


def test_next_never_leads_to_another_site(client, session):
    make_user(session, email="ana@example.org")
    session.commit()
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:x"):
        client.post("/logout")
        response = client.post(
            "/login",
            query_string={"next": target},
            data={"email": "ana@example.org", "password": PASSWORD},
        )
        assert response.headers["Location"] == "/", target


def test_a_post_without_csrf_token_is_refused_and_changes_nothing(session_factory, session):
    make_user(session, email="ana@example.org")
    session.commit()
    client = make_test_app(session_factory, WTF_CSRF_ENABLED=True).test_client()
    response = sign_in(client, "ana@example.org")
    assert response.status_code == 400
    assert "The form had expired or was sent from elsewhere." in response.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(LoginAttempt)) == 0
    assert client.get("/").status_code == 302


def test_the_login_form_works_with_its_csrf_token(session_factory, session):
    make_user(session, email="ana@example.org")
    session.commit()
    client = make_test_app(session_factory, WTF_CSRF_ENABLED=True).test_client()
    html = client.get("/login").get_data(as_text=True)
    token = html.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        "/login", data={"email": "ana@example.org", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_a_nul_byte_in_a_field_is_refused_with_400(client):
    response = client.post("/login", data={"email": "a\x00@example.org", "password": "x" * 12})
    assert response.status_code == 400
    assert "Please check what you entered." in response.get_data(as_text=True)
