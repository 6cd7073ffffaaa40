"""Issue 5 end to end in a real browser: an employer posts a vacancy (a wage below the minimum
is refused with the reason), the matching proposes it for a client with an explanation, a
mediator approves, the employer sees the anonymised card and invites, the mediator records the
hire."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.db import make_engine
from matcher.matching.models import Placement, PlacementStage, Proposal, ProposalStatus
from matcher.matching.proposals import refresh_proposals
from matcher.profiles.consent import give_consent
from tests.factories import PASSWORD, make_organisation, make_user
from tests.matcher.profiles.builders import make_client, make_client_skill, make_employer_profile
from tests.matcher.skills.esco_sample import OPERATE_FORKLIFT, add_concepts
from tests.web.conftest import serve_app
from tests.web.test_vacancies import current_wage_table  # noqa: F401  (autouse fixture)
from tests.web.test_vacancies_browser import post_forklift_vacancy

pytestmark = pytest.mark.browser

CLIENT_CODE = "C-WALK0001"
SECRET_NAME = "Zdenka"


@dataclass(frozen=True)
class Site:
    url: str
    database_url: str

    @contextmanager
    def session(self) -> Iterator[Session]:
        engine = make_engine(self.database_url)
        try:
            with Session(engine, expire_on_commit=False) as session:
                yield session
        finally:
            engine.dispose()


@pytest.fixture
def site(fresh_database_url: str) -> Iterator[Site]:
    """An approved employer, a mediator, and a coach's client who can drive a forklift."""
    engine = make_engine(fresh_database_url)
    with Session(engine) as session:
        add_concepts(session)
        profile = make_employer_profile(session, legal_name="Depot Noord BV", sector="logistics")
        make_user(session, role="employer", email="jobs@depot.test",
                  organisation=profile.organisation)  # fmt: skip
        make_user(session, role="mediator", email="mediator@example.org")
        shelter = make_organisation(session, name="Shelter")
        coach = make_user(session, role="coach", email="coach@example.org", organisation=shelter)
        client = make_client(session, coach=coach, code=CLIENT_CODE, first_name=SECRET_NAME,
                             region="Tilburg", hours_per_week=32)  # fmt: skip
        make_client_skill(session, client, OPERATE_FORKLIFT)
        give_consent(session, coach, client.id, "matching")
        give_consent(session, coach, client.id, "share_with_employer", employer_id=profile.id)
        session.commit()
    engine.dispose()
    with serve_app(fresh_database_url) as url:
        yield Site(url, fresh_database_url)


def sign_in(browser, site: Site, email: str) -> Page:
    """A new browser context per person, as each signs in on their own computer."""
    page = browser.new_context().new_page()
    page.goto(f"{site.url}/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    return page


def post_vacancy(browser, site: Site) -> None:
    page = sign_in(browser, site, "jobs@depot.test")
    page.get_by_role("link", name="Vacancies").click()
    post_forklift_vacancy(page)


def test_a_vacancy_goes_from_posting_to_a_recorded_hire(browser, site):
    post_vacancy(browser, site)

    # What the scheduled re-ranking does (issue 6): propose the best new matches.
    with site.session() as session:
        assert refresh_proposals(session) == 1
        session.commit()

    page = sign_in(browser, site, "mediator@example.org")
    page.get_by_role("link", name="Review queue").click()
    page.get_by_role("link", name=CLIENT_CODE).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Forklift driver")
    # The explanation: the skill matched, and the hard filters it passed.
    matched = page.get_by_role("heading", name="Skills the client has").locator("+ ul")
    expect(matched).to_have_text("operate forklift")
    passed = page.get_by_role("heading", name="Hard filters passed").locator("+ ul > li")
    expect(passed.first).to_be_visible()
    page.get_by_role("button", name="Approve").click()
    expect(
        page.get_by_text("Approved: the employer can now see the anonymised card.")
    ).to_be_visible()

    page = sign_in(browser, site, "jobs@depot.test")
    page.get_by_role("link", name="Matches").click()
    page.get_by_role("link", name=re.compile("Candidate")).click()
    card = page.locator("main")
    expect(card).to_contain_text("operate forklift")
    expect(card).not_to_contain_text(CLIENT_CODE)
    expect(card).not_to_contain_text(SECRET_NAME)
    page.get_by_label("Interview date (optional)").fill(
        (date.today() + timedelta(days=3)).isoformat()
    )
    page.get_by_role("button", name="Invite to an interview").click()
    expect(page.get_by_text(re.compile("The candidate is invited"))).to_be_visible()

    page = sign_in(browser, site, "mediator@example.org")
    page.get_by_role("link", name="Placements").click()
    page.get_by_role("link", name=CLIENT_CODE).click()
    page.get_by_label("Hired", exact=True).check()
    page.get_by_label("Start date (when hired)").fill(date.today().isoformat())
    page.get_by_role("button", name="Record the outcome").click()
    expect(page.get_by_text("The follow-up has been recorded.")).to_be_visible()

    with site.session() as session:
        proposal = session.scalar(select(Proposal))
        placement = session.scalar(select(Placement))
        assert proposal.status == ProposalStatus.INVITED
        assert (placement.stage, placement.start_date) == (PlacementStage.HIRED, date.today())
