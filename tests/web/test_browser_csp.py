"""The Content-Security-Policy breaks nothing: each role's main pages raise no violation.

Chromium reports every blocked script, style or image as a `securitypolicyviolation` event and
a console error; the test collects both on every page, including while the type-ahead runs.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from matcher.accounts.models import Role, User
from matcher.demo import DEMO_PASSWORD
from matcher.employers.links import create_signal_link
from matcher.matching.models import Proposal, ProposalStatus
from matcher.skills.search import clear_index_cache
from tests.web.conftest import demo_database, serve_app

pytestmark = pytest.mark.browser

# Collects violations from the first moment of every page, before any of its own scripts run.
LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}`);
});
"""


@pytest.fixture
def demo(fresh_database_url: str, tmp_path) -> Iterator[dict]:
    with demo_database(fresh_database_url, tmp_path / "uploads") as session:
        coach = session.scalars(select(User).where(User.email == "coach@demo.test")).one()
        token = create_signal_link(session, coach, "browser test")[1]
        session.flush()
        proposal = session.scalars(
            select(Proposal).where(Proposal.status == ProposalStatus.APPROVED)
        ).first()
        employer = session.scalars(
            select(User).where(
                User.role == Role.EMPLOYER,
                User.organisation_id == proposal.vacancy.employer.organisation_id,
            )
        ).first()
        ids = {"client": proposal.client_id, "proposal": proposal.id,
               "vacancy": proposal.vacancy_id, "token": token,
               "employer": employer.email}  # fmt: skip
    yield {"url": fresh_database_url, **ids}
    clear_index_cache()


class Watcher:
    """A browser page that remembers every CSP complaint, from events and from the console."""

    def __init__(self, browser) -> None:
        context = browser.new_context()
        context.add_init_script(LISTEN)
        self.page: Page = context.new_page()
        self.console: list[str] = []
        self.page.on("console", self._console)
        self.seen: list[str] = []

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.console.append(message.text)

    def open(self, url: str) -> None:
        response = self.page.goto(url)
        assert response is not None and response.status == 200, url
        self.check(url)

    def check(self, where: str) -> None:
        self.seen.append(where)
        violations = self.page.evaluate("window.__violations")
        assert violations == [] and self.console == [], (where, violations, self.console)


def sign_in(watcher: Watcher, base: str, email: str) -> None:
    watcher.open(f"{base}/login")
    watcher.page.get_by_label("E-mail address").fill(email)
    watcher.page.get_by_label("Password").fill(DEMO_PASSWORD)
    watcher.page.get_by_role("button", name="Sign in").click()
    expect(watcher.page.get_by_role("button", name="Sign out")).to_be_visible()
    watcher.check("after signing in")


def test_the_public_pages_raise_no_csp_violation(browser, demo):
    with serve_app(demo["url"]) as base:
        watcher = Watcher(browser)
        watcher.open(f"{base}/login")
        watcher.open(f"{base}/report/{demo['token']}")
        watcher.page.get_by_label("What happened?").fill("They keep our passports, all of us.")
        watcher.page.get_by_role("button", name="Send").click()
        expect(watcher.page.get_by_text("Thank you for your report.")).to_be_visible()
        watcher.check("after reporting")


@pytest.mark.parametrize(
    ("email", "paths"),
    [
        ("coach@demo.test", ["/", "/coach/clients", "/coach/clients/{client}",
                             "/coach/clients/{client}/profile", "/coach/clients/{client}/skills",
                             "/coach/clients/{client}/safety", "/coach/clients/{client}/matches",
                             "/coach/clients/{client}/proposals", "/coach/signal-links",
                             "/coach/consent-needed", "/signals/new", "/esco"]),
        ("mediator@demo.test", ["/", "/mediator/queue", "/mediator/proposals/{proposal}",
                                "/mediator/vetting", "/mediator/employers", "/mediator/signals",
                                "/mediator/vacancies", "/mediator/vacancies/{vacancy}/matches",
                                "/mediator/placements", "/dashboard"]),
        ("admin@demo.test", ["/", "/admin/users", "/admin/jobs", "/admin/outbox", "/dashboard"]),
        ("{employer}", ["/", "/employer/vacancies", "/employer/vacancies/new",
                        "/employer/matches", "/employer/matches/{proposal}", "/signals"]),
    ],
    ids=["coach", "mediator", "admin", "employer"],
)  # fmt: skip
def test_each_roles_main_pages_raise_no_csp_violation(browser, demo, email, paths):
    with serve_app(demo["url"]) as base:
        watcher = Watcher(browser)
        sign_in(watcher, base, email.format(**demo))
        for path in paths:
            watcher.open(base + path.format(**demo))
        assert len(watcher.seen) == len(paths) + 2


def test_the_type_ahead_runs_without_csp_violation(browser, demo):
    with serve_app(demo["url"]) as base:
        watcher = Watcher(browser)
        sign_in(watcher, base, "coach@demo.test")
        watcher.open(f"{base}/coach/clients/{demo['client']}/skills")
        watcher.page.get_by_role("combobox", name="Add a skill by typing").press_sequentially(
            "skill"
        )
        expect(watcher.page.get_by_role("option").first).to_be_visible()
        watcher.check("while the type-ahead shows its options")
