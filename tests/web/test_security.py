"""Security headers, cookies, the secret key, open redirects, throttling and the client address."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from matcher.employers.links import create_signal_link
from matcher.employers.models import Signal
from tests.factories import PASSWORD, make_user
from tests.web.conftest import make_test_app
from web.app import create_app
from web.cli import main

TEXT = "They keep our passports and pay us half of what was promised."
LONG_SECRET = "k" * 32


def directives(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    pairs = (part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    return {name: value for name, value in pairs}


def production_app(monkeypatch, secret: str | None, **config):
    monkeypatch.setenv("FAIRMATCH_ENV", "production")
    if secret is None:
        monkeypatch.delenv("SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("SECRET_KEY", secret)
    return create_app({"SESSION_FACTORY": object(), **config})


# Headers


@pytest.mark.parametrize(
    ("role", "path", "status"),
    [
        (None, "/login", 200),
        (None, "/", 302),
        (None, "/no/such/page", 404),
        (None, "/static/css/app.css", 200),
        ("coach", "/", 200),
        ("coach", "/coach/clients", 200),
        ("mediator", "/mediator/signals", 200),
        ("employer", "/signals", 200),
        ("admin", "/admin/users", 200),
        ("coach", "/admin/users", 403),
    ],
)
def test_every_answer_carries_the_security_headers(client, login, role, path, status):
    if role:
        login(role)
    response = client.get(path)
    response.close()  # a static file is streamed; closing it frees the file handle
    assert response.status_code == status
    policy = directives(response)
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert policy["base-uri"] == "'self'" and policy["form-action"] == "'self'"
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers


def test_the_public_report_page_keeps_sending_no_referrer(client, session):
    token = create_signal_link(session, make_user(session, role="coach"), "x")[1]
    session.commit()
    response = client.get(f"/report/{token}")
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert directives(response)["frame-ancestors"] == "'none'"


def test_production_answers_carry_hsts(monkeypatch, session_factory):
    app = production_app(monkeypatch, LONG_SECRET, SESSION_FACTORY=session_factory)
    response = app.test_client().get("/login")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


# Cookies and the secret key


def test_the_session_cookie_is_httponly_and_lax(client, session):
    make_user(session, email="ana@example.org")
    session.commit()
    response = client.post("/login", data={"email": "ana@example.org", "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_the_session_cookie_is_secure_in_production(monkeypatch, session_factory, session):
    make_user(session, email="ana@example.org")
    session.commit()
    app = production_app(
        monkeypatch, LONG_SECRET, SESSION_FACTORY=session_factory, WTF_CSRF_ENABLED=False
    )
    response = app.test_client().post(
        "/login", data={"email": "ana@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


@pytest.mark.parametrize("secret", [None, "", "dev-only-not-secret", "short-but-set", "k" * 31])
def test_production_refuses_a_missing_default_or_short_secret(monkeypatch, secret):
    with pytest.raises(RuntimeError, match="at least 32 characters"):
        production_app(monkeypatch, secret)


def test_production_starts_with_a_32_character_secret(monkeypatch):
    assert production_app(monkeypatch, LONG_SECRET).config["SESSION_COOKIE_SECURE"] is True


def test_development_and_tests_start_with_any_secret(monkeypatch):
    monkeypatch.setenv("FAIRMATCH_ENV", "development")
    monkeypatch.setenv("SECRET_KEY", "short")
    assert create_app({"SESSION_FACTORY": object()}).secret_key == "short"


def test_the_run_command_explains_a_short_secret_in_one_line(monkeypatch):
    monkeypatch.setenv("FAIRMATCH_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "short")
    result = CliRunner().invoke(main, ["run"])
    assert result.exit_code == 1
    assert result.output.startswith("error: SECRET_KEY must be set to a random value of at least")
    assert "Traceback" not in result.output


# Open redirects

HOSTILE_TARGETS = [
    "https://evil.example/",
    "http:evil.example",
    "//evil.example/",
    "///evil.example/",
    "\\\\evil.example",
    "/\\evil.example",
    "\\/evil.example",
    " //evil.example",
    "/\t/evil.example",
    "/\r\n/evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "evil.example",
    "%2F%2Fevil.example",
    "https:%2F%2Fevil.example",
    "/%5Cevil.example",
    "//evil.example%2F@fairmatch.example",
    "\u3002evil.example",
]


def assert_local(location: str) -> None:
    parts = urlsplit(location)
    assert not parts.scheme and not parts.netloc, location
    assert location.startswith("/") and not location.startswith("//"), location
    assert "\\" not in location, location


@pytest.mark.parametrize("target", HOSTILE_TARGETS)
def test_next_after_signing_in_never_leaves_the_site(client, session, target):
    make_user(session, email="ana@example.org")
    session.commit()
    response = client.post(
        "/login?next=" + quote(target, safe=""),
        data={"email": "ana@example.org", "password": PASSWORD},
    )
    assert response.status_code == 302
    assert_local(response.headers["Location"])


@pytest.mark.parametrize("target", HOSTILE_TARGETS)
def test_next_of_a_signed_in_visit_to_login_never_leaves_the_site(client, login, target):
    login("coach")
    response = client.get("/login?next=" + quote(target, safe=""))
    assert response.status_code == 302
    assert_local(response.headers["Location"])


@pytest.mark.parametrize("target", HOSTILE_TARGETS)
def test_the_language_switch_never_leaves_the_site(client, target):
    response = client.post("/language", data={"language-language": "nl", "language-next": target})
    assert response.status_code == 302
    assert_local(response.headers["Location"])


def test_a_local_next_is_still_followed(client, session):
    make_user(session, email="ana@example.org")
    session.commit()
    response = client.post(
        "/login?next=" + quote("/clients?page=2", safe=""),
        data={"email": "ana@example.org", "password": PASSWORD},
    )
    assert response.headers["Location"] == "/clients?page=2"


# Sign-in throttling


def sign_in(client, email, password=PASSWORD, address="192.0.2.1"):
    return client.post(
        "/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def test_an_account_is_locked_after_failures_from_many_addresses(client, session):
    make_user(session, email="ana@example.org")
    session.commit()
    for n in range(5):
        sign_in(client, "ana@example.org", "wrong guess 123", address=f"198.51.100.{n}")
    response = sign_in(client, "ana@example.org", address="203.0.113.9")
    assert response.status_code == 429
    assert "Too many attempts, try again in 15 minutes." in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_an_address_is_locked_after_failures_on_many_accounts(client, session):
    make_user(session, email="ana@example.org")
    session.commit()
    for n in range(5):
        sign_in(client, f"guess{n}@example.org", "wrong guess 123")
    response = sign_in(client, "ana@example.org")
    assert response.status_code == 429
    assert "Too many attempts, try again in 15 minutes." in response.get_data(as_text=True)
    # Another address is not punished for what this one did.
    assert sign_in(client, "ana@example.org", address="203.0.113.9").status_code == 302


# The public report form and the client address


def count_signals(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(Signal))


@pytest.fixture
def tokens(session):
    coach = make_user(session, role="coach")
    made = [create_signal_link(session, coach, f"client {n}")[1] for n in range(5)]
    session.commit()
    return made


def report(client, token, forwarded_for=None):
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return client.post(
        f"/report/{token}",
        data={"text": TEXT},
        headers=headers,
        environ_base={"REMOTE_ADDR": "10.0.0.2"},
    )


def test_a_spoofed_forwarded_for_does_not_escape_the_address_limit(client, session, tokens):
    # 20 reports an hour from one address, spread over links so no link reaches its own limit.
    for n in range(20):
        response = report(client, tokens[n // 4], forwarded_for=f"203.0.113.{n}")
        assert response.status_code == 302
    response = report(client, tokens[4], forwarded_for="203.0.113.200")
    assert response.status_code == 429
    assert "Too many reports were sent from your network." in response.get_data(as_text=True)
    assert count_signals(session) == 20


def test_behind_a_trusted_proxy_two_clients_are_limited_separately(
    session_factory, session, tokens
):
    client = make_test_app(session_factory, TRUSTED_PROXIES=1).test_client()
    for n in range(20):
        # Whatever the client put in front, the proxy's own addition is what counts.
        response = report(client, tokens[n // 4], forwarded_for=f"1.2.3.{n}, 203.0.113.7")
        assert response.status_code == 302
    assert report(client, tokens[4], forwarded_for="203.0.113.7").status_code == 429
    assert report(client, tokens[4], forwarded_for="203.0.113.8").status_code == 302
    assert count_signals(session) == 21


def test_a_link_is_limited_whatever_the_address(session_factory, session, tokens):
    client = make_test_app(session_factory, TRUSTED_PROXIES=1).test_client()
    for n in range(5):
        assert report(client, tokens[0], forwarded_for=f"203.0.113.{n}").status_code == 302
    response = report(client, tokens[0], forwarded_for="203.0.113.99")
    assert response.status_code == 429
    assert "Too many reports were sent through this link today." in response.get_data(as_text=True)
