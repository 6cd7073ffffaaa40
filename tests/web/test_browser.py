"""One walk through a real browser: sign in, type a misspelt half word, pick a suggestion."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from matcher.db import make_engine
from tests.factories import PASSWORD, link_skill, make_concept, make_user
from web.app import create_app

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed"),
]


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
    app = create_app({"DATABASE_URL": fresh_database_url, "SECRET_KEY": "browser-test-secret"})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()
        app.extensions["fairmatch_sessions"].kw["bind"].dispose()


def test_typeahead_suggests_a_concept_for_a_misspelt_half_word(live_server):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
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
        finally:
            browser.close()
