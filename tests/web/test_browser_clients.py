"""A coach builds a client's profile in a real browser, and the client's own profile in Dutch
shows what they can do and nothing about their past."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from matcher.db import make_engine
from matcher.skills.models import Label, Skill
from tests.factories import PASSWORD, make_user
from tests.matcher.profiles.builders import make_employer_profile
from tests.matcher.skills.esco_sample import ESCO, add_concepts
from tests.web.conftest import serve_app

pytestmark = pytest.mark.browser

FORMER_EMPLOYER = "Harvest Abuse B.V."
NOTES = "Former employer Harvest Abuse B.V. kept her passport; she now lives in the shelter."
INTAKE = "Zij heeft twee jaar in een hotel kamers schoongemaakt en maaltijden bereid."


@pytest.fixture
def site(fresh_database_url: str) -> Iterator[str]:
    """The ESCO sample (with Dutch labels), a coach, and the employer that harmed the client."""
    engine = make_engine(fresh_database_url)
    with Session(engine) as session:
        add_concepts(session)
        meals = Skill(
            uri=ESCO + "skill/prepare-meals",
            preferred_label="prepare meals",
            description="Prepare simple hot and cold meals.",
        )
        meals.labels = [
            Label(lang="en", kind="preferred", text="prepare meals"),
            Label(lang="nl", kind="preferred", text="maaltijden bereiden"),
        ]
        session.add(meals)
        make_user(session, role="coach", email="coach@example.org")
        make_employer_profile(session, legal_name=FORMER_EMPLOYER, kvk_number="55667788")
        session.commit()
    engine.dispose()
    with serve_app(fresh_database_url) as url:
        yield url


def create_client(page: Page, url: str) -> None:
    page.goto(f"{url}/login")
    page.get_by_label("E-mail address").fill("coach@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Clients").first.click()
    page.get_by_role("link", name="New client").click()
    page.get_by_label("First name or initials (optional)").fill("A.K.")
    page.get_by_label("Language of the client's profile").select_option("nl")
    page.get_by_label("Municipality or region").fill("Utrecht")
    page.get_by_label("Notes (seen only by your organisation)").fill(NOTES)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile(r"C-\w{8}"))


def add_skills(page: Page) -> None:
    page.get_by_role("link", name=re.compile("skills", re.I)).first.click()
    # A Dutch word with a typo finds the skill through the type-ahead.
    page.get_by_role("combobox", name="Add a skill by typing").press_sequentially("heftrukc")
    page.get_by_role("option", name=re.compile("operate forklift")).click()
    page.get_by_role("button", name="Add operate forklift").click()
    expect(page.get_by_text("The skill has been added.")).to_be_visible()

    page.get_by_role("link", name="Add skills from an occupation the client has done").click()
    page.get_by_role("combobox", name="Occupation, in any language").press_sequentially("lasser")
    page.get_by_role("option", name=re.compile("welder")).click()
    page.get_by_label("weld metal parts").check()
    page.get_by_role("button", name="Add the ticked skills").click()
    expect(page.get_by_text("1 skill has been added.")).to_be_visible()

    page.get_by_role("link", name="Add skills from intake notes").click()
    page.get_by_label("Intake notes").fill(INTAKE)
    page.get_by_label("Language of the notes").select_option("nl")
    page.get_by_role("button", name="Suggest skills").click()
    page.get_by_label(re.compile("clean rooms")).check()
    page.get_by_label(re.compile("prepare meals")).check()
    page.get_by_role("button", name="Add the ticked skills").click()
    rows = page.locator("tbody th[scope=row]")
    expect(rows).to_have_text(
        ["clean rooms", "operate forklift", "prepare meals", "weld metal parts"]
    )


def set_limit_and_consent(page: Page, url: str, client_path: str) -> None:
    page.goto(f"{url}{client_path}/safety")
    page.get_by_label("Registered employer").select_option(label=FORMER_EMPLOYER)
    page.get_by_label("How this firm is connected to the employer to avoid").select_option("itself")
    page.get_by_role("button", name="Avoid this employer").click()
    limit = page.get_by_role("cell", name=f"{FORMER_EMPLOYER} (the employer itself)", exact=True)
    expect(limit).to_be_visible()
    page.get_by_role("button", name="Record consent given").first.click()
    expect(page.get_by_text("In force.").first).to_be_visible()


def test_a_coach_builds_a_profile_and_the_dutch_profile_keeps_the_past_out(site, browser):
    page = browser.new_page()
    create_client(page, site)
    client_path = re.search(r"/coach/clients/\d+", page.url).group(0)
    add_skills(page)
    set_limit_and_consent(page, site, client_path)

    page.goto(f"{site}{client_path}/profile?lang=nl")
    document = page.locator("article.profile-document")
    expect(document).to_have_attribute("lang", "nl")
    for label in ("heftruck besturen", "maaltijden bereiden"):
        expect(document).to_contain_text(label)
    # No Dutch preferred label in ESCO: the English one instead.
    expect(document).to_contain_text("weld metal parts")
    expect(document).to_contain_text("clean rooms")
    expect(document).not_to_contain_text("Harvest Abuse")
    expect(document).not_to_contain_text("passport")
    expect(document).not_to_contain_text("shelter")
