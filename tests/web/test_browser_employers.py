"""The employer flows in a real browser: register, answer with evidence, submit, get vetted;
a knock-out that cannot be approved; a serious signal that suspends, and the reporter's feedback."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.db import make_engine
from matcher.employers.models import EmployerProfile
from matcher.employers.services import save_answers, submit_checklist
from matcher.employers.states import VettingStatus
from tests.factories import PASSWORD, make_user
from tests.matcher.employers.builders import employer_user, passing_answers, register
from tests.web.conftest import serve_app

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.7\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
NEW_KVK = "41234567"
KNOCKED_OUT = "Fee Charging Farms"


@dataclass(frozen=True)
class Site:
    url: str
    database_url: str

    def status_of(self, kvk: str) -> VettingStatus:
        engine = make_engine(self.database_url)
        with Session(engine) as session:
            status = session.scalar(
                select(EmployerProfile.status).where(EmployerProfile.kvk_number == kvk)
            )
        engine.dispose()
        return status


@pytest.fixture
def site(fresh_database_url: str, tmp_path) -> Iterator[Site]:
    """A mediator, a coach, and an employer waiting for vetting whose recruiter charges fees."""
    engine = make_engine(fresh_database_url)
    with Session(engine) as session:
        make_user(session, role="mediator", email="mediator@example.org")
        make_user(session, role="coach", email="coach@example.org")
        profile = register(
            session, kvk="42345678", email="boss@fees.example", legal_name=KNOCKED_OUT
        )
        # Filled in through the services: the browser walk answers one checklist already.
        employer = employer_user(session, profile)
        save_answers(session, employer, passing_answers() | {"FE-08": "recruiter_charges_fees"})
        submit_checklist(session, employer)
        session.commit()
    engine.dispose()
    with serve_app(fresh_database_url, UPLOAD_DIR=str(tmp_path / "uploads")) as url:
        yield Site(url, fresh_database_url)


def sign_in(page: Page, site: Site, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{site.url}/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login$"))


def register_employer(page: Page, site: Site) -> None:
    page.goto(f"{site.url}/login")
    page.get_by_role("link", name="Register your organisation").click()
    page.get_by_label("Legal name").fill("Fair Tomatoes B.V.")
    page.get_by_label("KvK number (8 digits, for the Netherlands)").fill(NEW_KVK)
    page.get_by_label("VAT number").fill("NL412345670B01")
    page.get_by_label("Direct employer").check()
    page.get_by_label("Sector").fill("horticulture")
    page.get_by_label("City").fill("Westland")
    page.get_by_label("Contact person").fill("Sanne Bakker")
    page.get_by_label("Your e-mail address (to sign in)").fill("sanne@fairtomatoes.example")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Register").click()
    expect(page).to_have_url(f"{site.url}/employer/checklist")


def answer_checklist(page: Page, tmp_path) -> None:
    for item_id, value in passing_answers().items():
        name = "answer_" + item_id.replace("-", "_")
        if isinstance(value, bool):
            page.check(f'input[name="{name}"][value="{"yes" if value else "no"}"]')
        else:
            page.select_option(f'select[name="{name}"]', value)
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    # Every answer that earns approval needs its document; the page lists them.
    missing = page.locator('a[href^="#item-"]').all_inner_texts()
    assert "FE-01" in missing
    document = tmp_path / "evidence.pdf"
    document.write_bytes(PDF)
    for item_id in missing:
        page.set_input_files(f"#{item_id}-file", str(document))
        page.locator(f"#{item_id}-upload").click()
        expect(page.get_by_text("The document is uploaded.")).to_be_visible()
    expect(page.get_by_text("Everything is answered.")).to_be_visible()
    page.get_by_role("button", name="Submit for vetting").click()
    expect(page.get_by_text("Submitted for vetting.")).to_be_visible()
    expect(page.get_by_role("button", name="Save draft")).to_have_count(0)


def test_an_employer_is_registered_vetted_and_suspended_on_a_serious_signal(
    site, browser, tmp_path
):
    page = browser.new_page()
    register_employer(page, site)
    answer_checklist(page, tmp_path)
    sign_out(page)

    # The mediator approves the new employer, with its evidence one click away.
    sign_in(page, site, "mediator@example.org")
    page.get_by_role("link", name="Vetting").first.click()
    page.get_by_role("link", name="Fair Tomatoes B.V.").click()
    expect(page.get_by_role("link", name="evidence.pdf").first).to_be_visible()
    page.get_by_label("Approve", exact=True).check()
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("The decision has been recorded.")).to_be_visible()
    assert site.status_of(NEW_KVK) == VettingStatus.APPROVED

    # The employer whose recruiter charges fees: approval is not offered, and forcing it fails.
    page.goto(f"{site.url}/mediator/vetting")
    page.get_by_role("link", name=KNOCKED_OUT).click()
    expect(page.get_by_text("Approval is not possible:")).to_be_visible()
    expect(page.get_by_label("Approve", exact=True)).to_have_count(0)
    sign_out(page)

    # A coach reports a signal about the approved employer.
    sign_in(page, site, "coach@example.org")
    page.get_by_role("link", name="Report a signal").first.click()
    page.get_by_label("The employer", exact=True).select_option(label="Fair Tomatoes B.V.")
    page.get_by_label("What happened?").fill("My client's passport is kept by the manager.")
    page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_text("Thank you for your report.")).to_be_visible()
    sign_out(page)

    # The mediator marks it serious, which suspends the employer at once, then closes it.
    sign_in(page, site, "mediator@example.org")
    page.get_by_role("link", name="Signals").first.click()
    page.locator("table a").first.click()
    page.get_by_role("button", name="Start the review").click()
    page.get_by_label("Why is this signal serious?").fill("Passport retention.")
    page.get_by_role("button", name="Mark serious and suspend the employer").click()
    assert site.status_of(NEW_KVK) == VettingStatus.SUSPENDED
    page.get_by_label("Outcome").select_option(label="Referred to the labour inspectorate")
    page.get_by_label("Feedback for the reporter").fill(
        "Thank you. The employer is suspended and the inspectorate informed."
    )
    page.get_by_label("Notes (mediators only)").last.fill("Called the inspectorate on Monday.")
    page.get_by_role("button", name="Close the signal").click()
    sign_out(page)

    # The reporter sees what happened, and never the mediators' notes.
    sign_in(page, site, "coach@example.org")
    page.get_by_role("link", name="My signals").click()
    expect(
        page.get_by_text("The employer is suspended and the inspectorate informed.")
    ).to_be_visible()
    expect(page.get_by_text("Called the inspectorate")).to_have_count(0)
