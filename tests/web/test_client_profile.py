"""The profile a client keeps, as a printable page and a PDF: content, language and access."""

from __future__ import annotations

import re

import pytest
from flask_babel import force_locale
from fontTools.ttLib import TTFont
from sqlalchemy import select

from matcher.audit.models import AuditEvent
from matcher.profiles.document import build_profile_document
from matcher.profiles.models import Cefr, ClientLanguage, ClientWish, SkillLevel
from tests.factories import make_concept, make_user
from tests.matcher.profiles.builders import (
    make_client,
    make_client_skill,
    make_client_with_secrets,
)
from web.clients.pdf import FONT_DIR, Line, profile_lines, render_pdf

ARTICLE = re.compile(r"<article[^>]*>(.*?)</article>", re.S)


def article(response) -> str:
    return ARTICLE.search(response.get_data(as_text=True)).group(1)


@pytest.fixture
def forklift(session):
    return make_concept(
        session, labels={"en": "operate forklift", "nl": "heftrucks bedienen", "de": "Stapler"}
    )


@pytest.fixture
def coach(login):
    return login("coach")


@pytest.fixture
def profile(session, coach, forklift):
    """A Dutch-speaking client of the signed-in coach, with a skill, languages and wishes."""
    cook = make_concept(session, kind="occupation", labels={"en": "cook", "nl": "kok"})
    client = make_client(session, coach=coach, first_name="A.K.", profile_language="nl")
    make_client_skill(session, client, forklift.uri, level=SkillLevel.EXPERIENCED, informal=True)
    client.languages = [ClientLanguage(language="pl", level=Cefr.NATIVE)]
    client.wishes = [ClientWish(occupation_uri=cook.uri), ClientWish(sector="logistics")]
    session.commit()
    return client


def test_the_profile_page_is_in_the_clients_language(client, profile):
    response = client.get(f"/coach/clients/{profile.id}/profile")

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert re.search(r'<article[^>]*lang="nl"', response.get_data(as_text=True))
    body = article(response)
    assert "A.K." in body and "heftrucks bedienen" in body and "kok" in body
    assert "logistics" in body
    # A fixed text the Dutch catalogue already has: the document's texts are forced into Dutch.
    assert "Dit product maakt gebruik van de ESCO-classificatie" in body
    assert "Report a signal" in response.get_data(as_text=True)  # the coach's own pages: English


def test_the_profile_page_links_the_print_stylesheet_and_the_pdf(client, profile):
    page = client.get(f"/coach/clients/{profile.id}/profile").get_data(as_text=True)

    assert "css/print.css" in page
    assert f'href="/coach/clients/{profile.id}"' in page  # back to the record
    assert f"/coach/clients/{profile.id}/profile.pdf?lang=nl" in page


def test_another_esco_language_can_be_chosen(client, profile):
    response = client.get(f"/coach/clients/{profile.id}/profile?lang=de")

    assert response.status_code == 200
    body = article(response)
    assert "Stapler" in body and "heftrucks bedienen" not in body
    # No German catalogue: English headings, and the page says so.
    assert "This product uses the ESCO classification" in body
    assert "the headings are in English" in response.get_data(as_text=True)


def test_the_language_choice_offers_the_loaded_esco_languages(client, profile):
    page = client.get(f"/coach/clients/{profile.id}/profile").get_data(as_text=True)

    offered = set(re.findall(r'<option[^>]*value="(\w+)"', page))
    assert {"en", "nl", "de"} <= offered
    assert re.search(
        r'<option[^>]*selected[^>]*value="nl"|<option[^>]*value="nl"[^>]*selected', page
    )


def test_a_language_without_esco_labels_is_a_clear_400(client, profile):
    response = client.get(f"/coach/clients/{profile.id}/profile?lang=xx")

    assert response.status_code == 400
    assert "no ESCO labels in the language xx" in response.get_data(as_text=True)


def test_labels_missing_in_the_language_are_english_and_marked_so(client, session, coach):
    loose = make_concept(session, labels={"en": "weigh loads"})
    client_row = make_client(session, coach=coach, profile_language="nl")
    make_client_skill(session, client_row, loose.uri)
    session.commit()

    body = article(client.get(f"/coach/clients/{client_row.id}/profile"))

    assert '<span lang="en">weigh loads</span>' in body


def test_the_pdf_is_a_download_that_is_not_cached(client, profile):
    response = client.get(f"/coach/clients/{profile.id}/profile.pdf")

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="profile-{profile.code}.pdf"'
    )
    assert response.headers["Cache-Control"] == "no-store"
    assert response.data.startswith(b"%PDF")


def test_viewing_and_downloading_are_in_the_audit_log(client, session, coach, profile):
    client.get(f"/coach/clients/{profile.id}/profile")
    client.get(f"/coach/clients/{profile.id}/profile.pdf")

    events = session.scalars(
        select(AuditEvent).where(
            AuditEvent.object_type == "client", AuditEvent.object_id == profile.id
        )
    ).all()
    assert [(e.actor_id, e.action) for e in events] == [(coach.id, "view"), (coach.id, "view")]


def test_the_page_and_the_pdf_never_show_notes_limits_permits_or_the_organisation(
    app, client, session, coach, forklift
):
    secret_client, secrets = make_client_with_secrets(session, coach)
    make_client_skill(session, secret_client, forklift.uri)
    session.commit()

    page = client.get(f"/coach/clients/{secret_client.id}/profile")
    pdf = client.get(f"/coach/clients/{secret_client.id}/profile.pdf")
    with app.test_request_context(), force_locale("en"):
        document = build_profile_document(session, coach, secret_client.id)
        lines = " ".join(f"{line.text} {line.detail}" for line in profile_lines(document))

    assert page.status_code == pdf.status_code == 200
    assert "operate forklift" in lines
    # The whole page holds the coach's own e-mail address in its header; the document does not.
    page_secrets = [s for s in secrets if s != coach.email]
    assert [s for s in page_secrets if s in page.get_data(as_text=True)] == []
    assert [s for s in secrets if s.casefold() in article(page).casefold()] == []
    assert [s for s in secrets if s.casefold() in lines.casefold()] == []


def test_the_pdf_font_shows_dutch_polish_greek_and_bulgarian_labels():
    labels = ["heftrucks bedienen, één", "kucharz, ąęłńóśźż", "μάγειρας", "готвач, щъркел"]
    for font in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"):
        cmap = TTFont(FONT_DIR / font).getBestCmap()
        assert [c for c in "".join(labels) + "•—" if ord(c) not in cmap] == []

    pdf = render_pdf(
        [Line("item", label, "experienced") for label in labels], title="t", language="pl"
    )

    assert pdf.startswith(b"%PDF")


def test_a_mediator_may_read_the_profile_and_the_pdf(client, login, session, forklift):
    owner = make_user(session, role="coach")
    client_row = make_client(session, coach=owner)
    session.commit()
    login("mediator")

    assert client.get(f"/coach/clients/{client_row.id}/profile").status_code == 200
    assert client.get(f"/coach/clients/{client_row.id}/profile.pdf").status_code == 200


def test_a_coach_of_another_organisation_gets_403(client, login, session):
    other = make_client(session)
    session.commit()
    login("coach")

    assert client.get(f"/coach/clients/{other.id}/profile").status_code == 403
    assert client.get(f"/coach/clients/{other.id}/profile.pdf").status_code == 403


@pytest.mark.parametrize("role", ["employer", "admin"])
def test_employers_and_admins_get_403(client, login, session, role):
    client_row = make_client(session)
    session.commit()
    login(role)

    assert client.get(f"/coach/clients/{client_row.id}/profile").status_code == 403
    assert client.get(f"/coach/clients/{client_row.id}/profile.pdf").status_code == 403


def test_a_missing_client_is_404(client, coach):
    assert client.get("/coach/clients/987654/profile").status_code == 404
    assert client.get("/coach/clients/987654/profile.pdf").status_code == 404


def test_anonymous_visitors_are_sent_to_login(client, session):
    client_row = make_client(session)
    session.commit()

    for path in ("profile", "profile.pdf"):
        response = client.get(f"/coach/clients/{client_row.id}/{path}")
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_changing_the_profile_by_post_is_not_possible(client, profile):
    assert client.post(f"/coach/clients/{profile.id}/profile").status_code == 405
