"""An employer posts a vacancy in a real browser: the occupation from the type-ahead, its skills
suggested and confirmed, a wage below the minimum refused with the reason, then saved."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from matcher.db import make_engine
from tests.factories import PASSWORD, make_user
from tests.matcher.profiles.builders import make_employer_profile
from tests.matcher.skills.esco_sample import add_concepts
from tests.web.conftest import serve_app
from tests.web.test_vacancies import current_wage_table  # noqa: F401  (autouse fixture)

pytestmark = pytest.mark.browser


@pytest.fixture
def site(fresh_database_url: str) -> Iterator[str]:
    engine = make_engine(fresh_database_url)
    with Session(engine) as session:
        add_concepts(session)
        profile = make_employer_profile(session, legal_name="Depot Noord BV")
        make_user(session, role="employer", email="jobs@depot.test",
                  organisation=profile.organisation)  # fmt: skip
        session.commit()
    engine.dispose()
    with serve_app(fresh_database_url) as url:
        yield url


def test_an_employer_posts_a_vacancy_with_suggested_skills(browser, site):
    page = browser.new_page()
    page.goto(f"{site}/login")
    page.get_by_label("E-mail address").fill("jobs@depot.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{site}/employer/vacancies")
    post_forklift_vacancy(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Forklift driver")
    expect(page.get_by_text("operate forklift")).to_be_visible()


def post_forklift_vacancy(page: Page) -> None:
    """From the vacancy list: a forklift driver's job, refused below the minimum wage, saved."""
    page.get_by_role("link", name="Post a new vacancy").click()

    page.get_by_label("Job title").fill("Forklift driver")
    page.get_by_label("Description of the work").fill("Loading trucks in our warehouse.")
    # A Dutch word finds the occupation; picking it asks for its skills, keeping the rest.
    occupation = page.get_by_role("combobox", name=re.compile("Occupation"))
    occupation.press_sequentially("heftruck")
    page.get_by_role("option", name=re.compile("forklift operator")).click()
    expect(page.get_by_role("checkbox", name="operate forklift")).to_be_checked()
    expect(page.get_by_label("Job title")).to_have_value("Forklift driver")

    page.get_by_label("Place of work (municipality)").fill("Tilburg")
    page.get_by_label("Hours per week").fill("32")
    page.get_by_label("Contract", exact=True).select_option("permanent")
    page.get_by_label("Gross wage in euros").fill("11.00")
    page.get_by_label("No", exact=True).check()
    page.get_by_label("Closing date").fill((date.today() + timedelta(days=20)).isoformat())
    page.get_by_role("button", name="Save the vacancy").click()
    expect(page.get_by_text(re.compile("below the statutory minimum wage"))).to_be_visible()

    page.get_by_label("Gross wage in euros").fill("16.00")
    page.get_by_role("button", name="Save the vacancy").click()
    expect(page.get_by_text("The vacancy is saved and open for matching.")).to_be_visible()
