"""Each role's home and navigation, access by role, language, error pages, start-up checks."""

from __future__ import annotations

import pytest

from matcher.config import DEVELOPMENT_SECRET
from tests.factories import make_organisation, make_user
from tests.matcher.employers.builders import register
from tests.web.conftest import make_test_app
from web.app import create_app

ROLE_NAMES = {
    "coach": "job coach",
    "employer": "employer",
    "mediator": "mediator",
    "admin": "administrator",
}


@pytest.mark.parametrize("role", ["coach", "employer", "mediator", "admin"])
def test_each_role_sees_its_organisation_and_what_it_can_do(client, session, login, role):
    organisation = make_organisation(
        session,
        name=f"The {role}s",
        kind={"coach": "support", "employer": "employer"}.get(role, "mediating"),
    )
    user = login(role, organisation=organisation)
    html = client.get("/").get_data(as_text=True)
    assert f"Welcome, {user.email}" in html
    assert f"<dd>{ROLE_NAMES[role]}</dd>" in html
    assert f"The {role}s" in html
    assert '<a href="/esco">Explore ESCO skills and occupations</a>' in html
    assert "<dd>English</dd>" in html
    assert ('href="/admin/users"' in html) == (role == "admin")


ROLE_PAGES = {
    "coach": {"/coach/clients", "/coach/signal-links", "/signals", "/signals/new"},
    "employer": {"/employer/checklist", "/employer/users", "/signals", "/signals/new"},
    "mediator": {
        "/coach/clients",
        "/mediator/vetting",
        "/mediator/employers",
        "/mediator/signals",
        "/signals/new",
    },
    "admin": {"/admin/users", "/signals", "/signals/new"},
}


@pytest.mark.parametrize("role", ROLE_PAGES)
def test_the_navigation_offers_each_role_its_own_pages_and_they_open(client, session, login, role):
    # An employer's users always belong to a registered employer.
    organisation = register(session).organisation if role == "employer" else None
    login(role, organisation=organisation)
    html = client.get("/").get_data(as_text=True)
    nav = html[html.index("<nav") : html.index("</nav>")]
    every_page = set().union(*ROLE_PAGES.values())
    offered = {page for page in every_page if f'href="{page}"' in nav}
    assert offered == ROLE_PAGES[role]
    assert all(client.get(page).status_code == 200 for page in offered)


def test_the_home_page_explains_the_explorer_for_the_role(client, login):
    login("employer")
    html = client.get("/").get_data(as_text=True)
    assert "find the ESCO occupation of a job" in html


def test_admins_see_every_user_with_role_and_organisation(client, session, login):
    shelter = make_organisation(session, name="Shelter North", kind="support")
    make_user(session, role="coach", email="coach@shelter.example", organisation=shelter)
    login("admin", email="root@example.org")
    html = client.get("/admin/users").get_data(as_text=True)
    assert "<td>coach@shelter.example</td>" in html
    assert "<td>job coach</td>" in html
    assert "<td>Shelter North</td>" in html
    assert "<td>root@example.org</td>" in html


@pytest.mark.parametrize("role", ["coach", "employer", "mediator"])
def test_other_roles_get_403_on_the_admin_pages(client, login, role):
    login(role)
    response = client.get("/admin/users")
    assert response.status_code == 403
    assert "You do not have access to this page." in response.get_data(as_text=True)


def test_a_signed_out_visitor_is_sent_to_login_from_an_admin_page(client):
    response = client.get("/admin/users")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/admin/users"


def test_switching_to_dutch_is_saved_on_the_user(client, session, login):
    user = login("coach")
    response = client.post(
        "/language", data={"language-language": "nl", "language-next": "/"}, follow_redirects=True
    )
    html = response.get_data(as_text=True)
    assert '<html lang="nl">' in html
    assert "Wat u kunt doen" in html
    assert "ESCO-vaardigheden en -beroepen verkennen" in html
    session.refresh(user)
    assert user.language == "nl"


def test_a_dutch_user_gets_dutch_pages_whatever_the_browser_says(client, login):
    login("mediator", language="nl")
    html = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Welkom" in html


def test_a_visitor_gets_the_browser_language_then_their_own_choice(client):
    html = client.get("/login", headers={"Accept-Language": "nl,en;q=0.5"}).get_data(as_text=True)
    assert "Inloggen" in html
    client.post("/language", data={"language-language": "en", "language-next": "/login"})
    html = client.get("/login", headers={"Accept-Language": "nl"}).get_data(as_text=True)
    assert '<html lang="en">' in html


def test_an_unknown_language_is_refused_without_a_crash(client, login):
    login("coach")
    response = client.post("/language", data={"language-language": "xx", "language-next": "/"})
    assert response.status_code == 400


def test_an_unknown_page_gets_the_404_page(client, login):
    login("coach")
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "This page or item does not exist." in response.get_data(as_text=True)


def test_production_refuses_to_start_with_the_development_secret(monkeypatch):
    monkeypatch.setenv("FAIRMATCH_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"SESSION_FACTORY": object()})
    monkeypatch.setenv("SECRET_KEY", DEVELOPMENT_SECRET)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"SESSION_FACTORY": object()})


def test_production_starts_with_a_real_secret(monkeypatch):
    monkeypatch.setenv("FAIRMATCH_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-long-random-value-from-the-vault")
    app = create_app({"SESSION_FACTORY": object()})
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_the_language_switch_carries_its_own_csrf_token(session_factory):

    client = make_test_app(session_factory, WTF_CSRF_ENABLED=True).test_client()
    html = client.get("/login").get_data(as_text=True)
    token = html.split('name="language-csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        "/language",
        data={"language-language": "nl", "language-next": "/login", "language-csrf_token": token},
        follow_redirects=True,
    )
    assert "Inloggen" in response.get_data(as_text=True)
    assert client.post("/language", data={"language-language": "en"}).status_code == 400


def test_every_page_credits_esco_in_the_readers_language(client):
    english = client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "uses the ESCO classification of the European Commission" in english
    dutch = client.get("/login", headers={"Accept-Language": "nl"}).get_data(as_text=True)
    assert "ESCO-classificatie van de Europese Commissie" in dutch
