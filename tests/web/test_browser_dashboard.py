"""The dashboard in a real browser over the demo data: the figures shown are the database's."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.dashboard.services import last_twelve_months
from matcher.db import make_engine, utcnow
from matcher.demo import DEMO_PASSWORD
from matcher.employers.models import EmployerProfile, Signal
from matcher.employers.states import VettingStatus
from matcher.matching.models import Placement, PlacementStage, Proposal, ProposalStatus
from matcher.profiles.models import Client
from matcher.skills.search import clear_index_cache
from tests.web.conftest import demo_database, serve_app

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_url(fresh_database_url: str, tmp_path) -> Iterator[str]:
    with demo_database(fresh_database_url, tmp_path / "uploads"):
        pass
    clear_index_cache()
    yield fresh_database_url


def expected_figures(database_url: str) -> dict[str, int]:
    """The figures counted here row by row, apart from the dashboard's SQL aggregates."""
    start, end = last_twelve_months(utcnow().date())

    def within(moment) -> bool:
        return moment is not None and start <= moment.date() <= end

    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            clients = session.scalars(select(Client)).all()
            proposals = session.scalars(select(Proposal)).all()
            placements = session.scalars(select(Placement)).all()
            signals = session.scalars(select(Signal)).all()
            employers = session.scalars(select(EmployerProfile)).all()
    finally:
        engine.dispose()
    rejected = ProposalStatus.REJECTED
    return {
        "New clients": sum(within(c.created_at) for c in clients),
        "Proposals made": sum(within(p.created_at) for p in proposals),
        "Proposals rejected": sum(p.status == rejected and within(p.decided_at) for p in proposals),
        "Interviews": sum(within(p.created_at) for p in placements),
        "Hires": sum(
            p.stage == PlacementStage.HIRED and start <= p.start_date <= end for p in placements
        ),
        "Signals received": sum(within(s.created_at) for s in signals),
        "Signals closed": sum(within(s.closed_at) for s in signals),
        "approved employers": sum(e.status == VettingStatus.APPROVED for e in employers),
    }


def sign_in(browser, url: str, email: str) -> Page:
    page = browser.new_context().new_page()
    page.goto(f"{url}/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    return page


def summary_cell(page: Page, figure: str):
    table = page.locator("table", has=page.locator("caption", has_text="Figures for the period"))
    row = table.locator("tr", has=page.locator("th", has_text=re.compile(f"^{figure}$")))
    return row.locator("td")


def test_the_dashboard_shows_the_demo_figures_of_the_database(browser, demo_url):
    expected = expected_figures(demo_url)
    assert expected["New clients"] > 0 and expected["Hires"] > 0  # the demo has something to show

    with serve_app(demo_url) as url:
        page = sign_in(browser, url, "mediator@demo.test")
        page.get_by_role("link", name="Dashboard").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")

        for figure in ("New clients", "Proposals made", "Proposals rejected", "Interviews",
                       "Hires", "Signals received", "Signals closed"):  # fmt: skip
            expect(summary_cell(page, figure)).to_have_text(str(expected[figure]))
        employers = page.locator(
            "table", has=page.locator("caption", has_text="Employers by vetting state")
        )
        approved = employers.locator(
            "tr", has=page.locator("th", has_text=re.compile("^approved$"))
        )
        expect(approved.locator("td")).to_have_text(str(expected["approved employers"]))

        # A chart per month series, each an image with a name and a bar per month.
        chart = page.get_by_role("img", name=re.compile("^New clients per month"))
        expect(chart).to_be_visible()
        expect(chart.locator("rect.bar")).to_have_count(12)

        # The CSV of the summary says the same as the page.
        link = page.get_by_role("link", name="Download “Figures for the period” as CSV")
        response = page.request.get(url + link.get_attribute("href"))
        assert response.headers["content-disposition"].startswith("attachment;")
        rows = dict(csv.reader(io.StringIO(response.text())))
        assert rows["New clients"] == str(expected["New clients"])
        assert rows["Hires"] == str(expected["Hires"])
