"""One walk through a real browser: sign in, type a misspelt half word, pick a suggestion."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect
from sqlalchemy.orm import Session

from matcher.db import make_engine
from tests.factories import PASSWORD, link_skill, make_concept, make_user
from tests.web.conftest import serve_app

pytestmark = pytest.mark.browser


@pytest.fixture
def live_server(fresh_database_url: str) -> Iterator[str]:
    """The app on a free localhost port, on a committed database with a few concepts."""
    engine = make_engine(fresh_database_url)
    with Session(engine) as session:
        make_user(session, role="coach", email="coach@example.org")
        picker = make_concept(
            session,
            kind="occupation",
            labels={"en": "fruit picker", "nl": "fruitplukker"},
            description="Fruit pickers harvest fruit by hand.",
        )
        make_concept(session, kind="occupation", labels={"en": "fish filleter"})
        harvest = make_concept(session, labels={"en": "harvest fruit"})
        link_skill(session, picker, harvest, "essential")
        session.commit()
    engine.dispose()
    with serve_app(fresh_database_url) as url:
        yield url


def test_typeahead_suggests_a_concept_for_a_misspelt_half_word(live_server, browser):
    page = browser.new_page()
    page.goto(f"{live_server}/esco")
    expect(page).to_have_url(re.compile(r"/login\?next=/esco$"))
    page.get_by_label("E-mail address").fill("coach@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server}/esco")

    page.get_by_role("combobox", name="Search skills and occupations").press_sequentially(
        "frut pik"
    )
    suggestion = page.get_by_role("option", name=re.compile("fruit picker"))
    expect(suggestion).to_be_visible()
    suggestion.click()

    expect(page).to_have_url(re.compile(r"/esco/concept\?uri="))
    expect(page.get_by_role("heading", level=1)).to_have_text("fruit picker")
    expect(page.get_by_role("link", name="harvest fruit")).to_be_visible()
