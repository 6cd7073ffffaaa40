"""axe-core on every page a user can open, in English and in Dutch, each signed in as the role
that may see it and over the demo data; and a coach's profile flow with the keyboard alone."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.accounts.models import User
from matcher.demo import DEMO_PASSWORD
from matcher.employers.links import create_signal_link
from matcher.employers.models import (
    ChecklistSubmission,
    EmployerProfile,
    Signal,
    SignalStatus,
    SubmissionStatus,
)
from matcher.employers.states import VettingStatus
from matcher.matching.models import Placement, Proposal, ProposalStatus
from matcher.skills.search import clear_index_cache
from matcher.vacancies.models import Vacancy, VacancyStatus
from tests.factories import PASSWORD
from tests.matcher.skills.esco_sample import OPERATE_FORKLIFT, WELDER, add_concepts
from tests.web.conftest import demo_database, serve_app
from tests.web.test_browser_clients import FORMER_EMPLOYER, site  # noqa: F401  (fixture)
from web.app import create_app

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")
LANGUAGES = ("en", "nl")

# GET routes that answer something other than an HTML page, and why axe has nothing to check.
NOT_HTML = {
    "static": "static files (CSS, JavaScript)",
    "vacancies.static": "the vacancy form's JavaScript",
    "esco_api.search": "JSON for the type-ahead",
    "clients.export": "a client's data as a JSON download",
    "client_profile.pdf": "the client's profile as a PDF",
    "dashboard.export": "a dashboard table as CSV",
    "employer.evidence": "an employer's evidence file (PDF, JPEG or PNG)",
}


@dataclass(frozen=True)
class Visit:
    """One page to check: who opens it, its path (with the seeded objects' ids), and optionally
    what to do on it first to show an error state."""

    role: str  # "anonymous" or a demo user's role
    endpoint: str | None  # None: the error page, which no route of its own renders
    path: str
    state: Callable[[Page], None] | None = None
    note: str = ""
    status: int = 200


def _suggestions(typed: str) -> Callable[[Page], None]:
    """Type into the page's combobox until its list of suggestions is open."""

    def act(page: Page) -> None:
        page.locator("[role=combobox]").press_sequentially(typed)
        expect(page.locator("[role=option]").first).to_be_visible()
        page.keyboard.press("ArrowDown")
        expect(page.locator("[role=option][aria-selected=true]")).to_have_count(1)

    return act


def _wrong_password(page: Page) -> None:
    page.locator("input[name=email]").fill("nobody@demo.test")
    page.locator("input[name=password]").fill("not-the-password")
    page.locator("main form button[type=submit], main form input[type=submit]").first.click()
    page.wait_for_load_state()


def _empty_post(page: Page, button: int = 0) -> None:
    """Send the page's main form empty, whatever its button says in this language, as a browser
    that does not check `required` fields would (the server's messages are what is checked)."""
    page.locator("main form[method=post]").first.evaluate("form => { form.noValidate = true; }")
    page.locator("main form[method=post]").first.locator("[type=submit]").nth(button).click()
    page.wait_for_load_state()


def _empty_vacancy(page: Page) -> None:
    _empty_post(page, button=-1)  # "Save", not "Suggest skills"


def visits(ids: dict[str, object]) -> list[Visit]:
    """Every HTML page, with real objects from the demo data."""
    c = "/coach/clients/{client}".format(**ids)
    suggestions = "suggestions open"
    # fmt: off
    pages = [
        ("anonymous", "auth.login", "/login"),
        ("anonymous", "auth.login", "/login", _wrong_password, "wrong password"),
        ("anonymous", "employer.register", "/employer/register"),
        ("anonymous", "employer.register", "/employer/register", _empty_post, "errors"),
        ("anonymous", "signals.public_report", "/report/{token}"),
        ("anonymous", "signals.public_report", "/report/{token}", _empty_post, "errors"),
        ("anonymous", "signals.public_report", "/report/not-a-token", None, "invalid link", 404),
        ("coach", "main.home", "/"),
        ("coach", "clients.index", "/coach/clients"),
        ("coach", "clients.new", "/coach/clients/new"),
        ("coach", "clients.record", c),
        ("coach", "clients.edit", c + "/edit"),
        ("coach", "clients.find_occupation", c + "/wishes?q=welder"),
        ("coach", "matching.client_matches", c + "/matches"),
        ("coach", "placements.client_proposals", c + "/proposals"),
        ("coach", "client_profile.show", c + "/profile"),
        ("coach", "client_safety.index", c + "/safety"),
        ("coach", "client_skills.index", c + "/skills"),
        ("coach", "client_skills.add", c + "/skills/add?q=forklift"),
        ("coach", "client_skills.add", c + "/skills/add", _suggestions("heftr"), suggestions),
        ("coach", "client_skills.add", c + "/skills/add?uri={skill}", None, "a skill chosen"),
        ("coach", "client_skills.occupation", c + "/skills/occupation?q=welder"),
        ("coach", "client_skills.occupation", c + "/skills/occupation?uri={occupation}", None,
         "an occupation chosen"),
        ("coach", "client_skills.notes", c + "/skills/notes"),
        ("coach", "client_skills.notes", c + "/skills/notes", _empty_post, "errors"),
        ("coach", "queue.waiting_consent", "/coach/consent-needed"),
        ("coach", "signals.links", "/coach/signal-links"),
        ("coach", "signals.own", "/signals"),
        ("coach", "signals.new", "/signals/new"),
        ("coach", "signals.new", "/signals/new", _empty_post, "errors"),
        ("coach", "esco.search", "/esco?q=forklift"),
        ("coach", "esco.search", "/esco", _suggestions("forkl"), suggestions),
        ("coach", "esco.concept", "/esco/concept?uri={skill}"),
        ("coach", "notifications.index", "/notifications"),
        ("employer", "main.home", "/"),
        ("employer", "employer.checklist", "/employer/checklist"),
        ("employer", "employer.users", "/employer/users"),
        ("employer", "employer.users", "/employer/users", _empty_post, "errors"),
        ("employer", "vacancies.index", "/employer/vacancies"),
        ("employer", "vacancies.new", "/employer/vacancies/new"),
        ("employer", "vacancies.new", "/employer/vacancies/new", _empty_vacancy, "errors"),
        ("employer", "vacancies.new", "/employer/vacancies/new", _suggestions("forkl"),
         suggestions),
        ("employer", "vacancies.detail", "/employer/vacancies/{vacancy}"),
        ("employer", "vacancies.edit", "/employer/vacancies/{vacancy}/edit"),
        ("employer", "placements.employer_matches", "/employer/matches"),
        ("employer", "placements.card", "/employer/matches/{card}"),
        ("employer", "notifications.index", "/notifications"),
        ("mediator", "main.home", "/"),
        ("mediator", "queue.index", "/mediator/queue"),
        ("mediator", "queue.review", "/mediator/proposals/{proposal}"),
        ("mediator", "placements.index", "/mediator/placements"),
        ("mediator", "placements.detail", "/mediator/placements/{placement}"),
        ("mediator", "vetting.waiting", "/mediator/vetting"),
        ("mediator", "vetting.review", "/mediator/vetting/{submission}"),
        ("mediator", "vetting.review", "/mediator/vetting/{submission}", _empty_post, "errors"),
        ("mediator", "vetting.employers", "/mediator/employers"),
        ("mediator", "vetting.employer", "/mediator/employers/{employer}"),
        ("mediator", "vetting.employer", "/mediator/employers/{suspended}", None, "suspended"),
        ("mediator", "vacancies.held", "/mediator/vacancies"),
        ("mediator", "vacancies.review", "/mediator/vacancies/{held}"),
        ("mediator", "matching.vacancy_matches", "/mediator/vacancies/{vacancy}/matches"),
        ("mediator", "signals.triage", "/mediator/signals"),
        ("mediator", "signals.detail", "/mediator/signals/{signal}"),
        ("mediator", "clients.index", "/coach/clients"),
        ("mediator", "dashboard.index", "/dashboard"),
        ("admin", "main.home", "/"),
        ("admin", "admin.users", "/admin/users"),
        ("admin", "admin.outbox", "/admin/outbox"),
        ("admin", "admin.jobs", "/admin/jobs"),
        ("admin", "dashboard.index", "/dashboard"),
        ("admin", None, "/does-not-exist", None, "404 page", 404),
    ]
    # fmt: on
    return [
        Visit(role, endpoint, path.format(**ids), *rest) for role, endpoint, path, *rest in pages
    ]


def html_get_endpoints(app: Flask) -> set[str]:
    return {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and rule.endpoint not in NOT_HTML
    }


def test_every_html_page_is_in_the_accessibility_walk():
    """A new page fails here until it is added to the walk (or to NOT_HTML, with a reason)."""
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": "sqlite://"})
    dummy = dict.fromkeys(
        ("client", "token", "skill", "occupation", "vacancy", "card", "proposal", "placement",
         "submission", "employer", "suspended", "held", "signal"), 1,
    )  # fmt: skip
    walked = {v.endpoint for v in visits(dummy) if v.endpoint}
    missing = sorted(html_get_endpoints(app) - walked)
    assert not missing, f"HTML pages left out of the accessibility walk: {missing}"
    unknown = walked - {rule.endpoint for rule in app.url_map.iter_rules()}
    assert not unknown, f"endpoints that no longer exist: {sorted(unknown)}"
    adapter = app.url_map.bind("localhost")
    for visit in visits(dummy):
        if visit.endpoint:  # each path is the page it claims to be
            endpoint, _ = adapter.match(urlsplit(visit.path).path, method="GET")
            assert endpoint == visit.endpoint, (visit.path, endpoint)


@dataclass
class Site:
    url: str
    ids: dict[str, object] = field(default_factory=dict)


def _demo_ids(session: Session) -> dict[str, object]:
    """Real objects of each kind in the demo, for the pages that show one."""
    greenhouse = session.scalar(
        select(EmployerProfile).where(EmployerProfile.kvk_number == "90000001")
    )
    placement = session.scalars(select(Placement).order_by(Placement.id)).first()
    card = session.scalar(
        select(Proposal.id)
        .join(Vacancy, Proposal.vacancy_id == Vacancy.id)
        .where(Vacancy.employer_id == greenhouse.id)
        .where(Proposal.status.in_([ProposalStatus.APPROVED, ProposalStatus.INVITED]))
        .limit(1)
    )
    # A held vacancy if the demo left one for a mediator, else the review page of another.
    held = session.scalar(
        select(Vacancy.id).order_by((Vacancy.status == VacancyStatus.HELD).desc()).limit(1)
    )
    ids = {
        "client": placement.proposal.client_id,
        "placement": placement.id,
        "card": card,
        "proposal": session.scalar(
            select(Proposal.id).where(Proposal.status == ProposalStatus.PROPOSED).limit(1)
        ),
        "vacancy": session.scalar(
            select(Vacancy.id)
            .where(Vacancy.employer_id == greenhouse.id, Vacancy.status == VacancyStatus.OPEN)
            .limit(1)
        ),
        "held": held,
        "employer": greenhouse.id,
        "suspended": session.scalar(
            select(EmployerProfile.id).where(EmployerProfile.status == VettingStatus.SUSPENDED)
        ),
        "submission": session.scalar(
            select(ChecklistSubmission.id)
            .where(ChecklistSubmission.status == SubmissionStatus.SUBMITTED)
            .limit(1)
        ),
        "signal": session.scalar(
            select(Signal.id).where(Signal.status != SignalStatus.CLOSED).limit(1)
        ),
        "skill": OPERATE_FORKLIFT,
        "occupation": WELDER,
    }
    assert all(ids.values()), ids  # the demo has an object of every kind the pages show
    return ids


@pytest.fixture
def demo_site(fresh_database_url: str, tmp_path) -> Iterator[Site]:
    """The demo data (with the ESCO sample for Dutch labels) behind a live server."""
    with demo_database(fresh_database_url, tmp_path / "uploads", add_concepts) as session:
        coach = session.scalar(select(User).where(User.email == "coach@demo.test"))
        _, token = create_signal_link(session, coach, "Accessibility check")
        ids = {**_demo_ids(session), "token": token}
    with serve_app(fresh_database_url) as url:
        yield Site(url, ids)
    clear_index_cache()


EMAILS = {
    "coach": "coach@demo.test",
    "employer": "employer@demo.test",
    "mediator": "mediator@demo.test",
    "admin": "admin@demo.test",
}

AXE_RUN = """impacts => axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations
    .filter(v => impacts.includes(v.impact))
    .map(v => ({id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.map(n => n.target.join(" ")).slice(0, 5)})))"""


def axe_violations(page: Page) -> list[dict]:
    """The serious and critical violations axe finds on the page as it is now."""
    return page.evaluate(AXE_RUN, list(BLOCKING))


def sign_in(page: Page, url: str, email: str, password: str) -> None:
    page.goto(f"{url}/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("main form button[type=submit], main form input[type=submit]").first.click()
    expect(page).not_to_have_url(re.compile(r"/login"))


def switch_language(page: Page, language: str) -> None:
    """Through the language form in the footer, as a person would."""
    page.locator("footer select").select_option(language)
    page.locator("footer [type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", language)


@pytest.mark.browser
def test_no_serious_accessibility_violations_on_any_page_in_either_language(demo_site, browser):
    walk = visits(demo_site.ids)
    found: list[str] = []
    checked = 0
    for role in ("anonymous", "coach", "employer", "mediator", "admin"):
        context = browser.new_context()
        # An init script runs through the DevTools protocol, so the pages' Content-Security-
        # Policy does not block it (an added <script> would be), and it is compiled only once.
        context.add_init_script(path=AXE)
        page = context.new_page()
        if role == "anonymous":
            page.goto(f"{demo_site.url}/login")
        else:
            sign_in(page, demo_site.url, EMAILS[role], DEMO_PASSWORD)
        for language in LANGUAGES:
            switch_language(page, language)
            for visit in (v for v in walk if v.role == role):
                response = page.goto(demo_site.url + visit.path)
                where = f"{visit.path} ({visit.note or visit.endpoint}, {role}, {language})"
                if response.status != visit.status:
                    found.append(f"{where}: status {response.status}, not {visit.status}")
                assert response.headers["content-type"].startswith("text/html"), where
                if visit.state:
                    visit.state(page)
                    shown = page.locator(".field-errors, .flash-error").count()
                    if not shown and "suggestions" not in visit.note:
                        found.append(f"{where}: the form shows no error")
                expect(page.locator("html")).to_have_attribute("lang", language)
                for v in axe_violations(page):
                    found.append(f"{where}: {v['id']} ({v['impact']}: {v['help']}) {v['targets']}")
                checked += 1
        context.close()
    assert checked == 2 * len(walk)
    assert not found, "\n".join(found)


# The keyboard-only walk: a coach builds a profile without touching the mouse.

FOCUS_STYLE = """el => {
    const style = getComputedStyle(el);
    let behind = el.parentElement, background = "rgba(0, 0, 0, 0)";
    while (behind) {
        background = getComputedStyle(behind).backgroundColor;
        if (!/rgba\\(.*, 0\\)$/.test(background) && background !== "transparent") break;
        behind = behind.parentElement;
    }
    const box = el.getBoundingClientRect();
    return {focusVisible: el.matches(":focus-visible"), style: style.outlineStyle,
            width: parseFloat(style.outlineWidth), color: style.outlineColor, background,
            shown: box.width > 0 && box.height > 0,
            name: el.tagName + " " + (el.id || el.name || el.textContent.trim().slice(0, 40))};
}"""


def _luminance(css_colour: str) -> float:
    red, green, blue = (int(n) / 255 for n in re.findall(r"[\d.]+", css_colour)[:3])

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def contrast(first: str, second: str) -> float:
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def assert_visible_focus(page: Page) -> None:
    """The focused element shows an outline a sighted keyboard user can see (WCAG 2.4.7), in a
    colour that stands out from what is behind it (3:1, WCAG 1.4.11)."""
    focus = page.evaluate(f"({FOCUS_STYLE})(document.activeElement)")
    assert focus["shown"] and focus["focusVisible"], focus
    assert focus["style"] != "none" and focus["width"] >= 2, focus
    assert contrast(focus["color"], focus["background"]) >= 3, focus


def tab_to(page: Page, target: Locator, backwards: bool = False, limit: int = 80) -> None:
    """Press Tab (or Shift+Tab) until the target has the focus; each stop shows its focus."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        if target.evaluate("el => el === document.activeElement"):
            assert_visible_focus(page)
            return
    pytest.fail(f"{target} never got the focus with {'Shift+Tab' if backwards else 'Tab'}")


def choose_by_keys(page: Page, select: Locator, option: str) -> None:
    """In the focused <select>, type the option's first letters, then arrow down if needed."""
    page.keyboard.type(option[:5])
    for _ in range(10):
        if select.evaluate("s => s.options[s.selectedIndex].text") == option:
            return
        page.keyboard.press("ArrowDown")
    options = select.evaluate("s => [...s.options].map(o => o.text)")
    chosen = select.evaluate("s => s.options[s.selectedIndex].text")
    pytest.fail(f"{option!r} could not be chosen by keyboard in {select}: {chosen} of {options}")


def pick_suggestion(page: Page, combobox: Locator, typed: str, wanted: str) -> None:
    """Type into the combobox, arrow down to the wanted option, and press Enter."""
    page.keyboard.type(typed)
    listbox = page.locator(f"#{combobox.get_attribute('aria-controls')}")
    expect(listbox.get_by_role("option", name=re.compile(wanted))).to_be_visible()
    expect(combobox).to_have_attribute("aria-expanded", "true")
    for _ in range(8):
        page.keyboard.press("ArrowDown")
        active = combobox.get_attribute("aria-activedescendant")
        option = page.locator(f"#{active}")
        expect(option).to_have_attribute("aria-selected", "true")
        if re.search(wanted, option.inner_text()):
            assert_visible_focus(page)  # the focus stays in the box while the option is active
            page.keyboard.press("Enter")
            return
    pytest.fail(f"no option {wanted!r} reached with the arrow keys")


@pytest.mark.browser
def test_a_coach_builds_a_profile_with_the_keyboard_alone(site, browser):  # noqa: F811
    page = browser.new_page()
    page.goto(f"{site}/login")

    # The sign-in page puts the focus in its first field.
    email = page.get_by_label("E-mail address")
    expect(email).to_be_focused()
    assert_visible_focus(page)
    page.keyboard.type("coach@example.org")
    tab_to(page, page.get_by_label("Password"))
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{site}/")

    # Elsewhere the first Tab reaches the skip link, which shows itself and leads to the content.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    assert_visible_focus(page)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{site}/#content")
    page.keyboard.press("Tab")
    assert page.evaluate("document.querySelector('main').contains(document.activeElement)")
    assert_visible_focus(page)

    # A new client.
    page.keyboard.press("Shift+Tab")  # back before the first link of the page, then to it
    tab_to(page, page.locator("main").get_by_role("link", name="Clients", exact=True))
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("link", name="New client"))
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_label("First name or initials (optional)"))
    page.keyboard.type("A.K.")
    language = page.get_by_label("Language of the client's profile")
    tab_to(page, language)
    choose_by_keys(page, language, "Dutch (nl)")
    tab_to(page, page.get_by_label("Municipality or region"))
    page.keyboard.type("Utrecht")
    # Back up with Shift+Tab: the choice made there held.
    tab_to(page, language, backwards=True)
    expect(language).to_have_value("nl")
    tab_to(page, page.get_by_role("button", name="Save"))
    page.keyboard.press("Enter")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text(re.compile(r"C-\w{8}"))
    expect(page.get_by_text("Utrecht")).to_be_visible()

    # A language with its level.
    row_language = page.locator("#rows-0-language")
    tab_to(page, row_language)
    choose_by_keys(page, row_language, "Dutch (nl)")
    row_level = page.locator("#rows-0-level")
    tab_to(page, row_level)
    choose_by_keys(page, row_level, row_level.locator("option").nth(3).inner_text())
    tab_to(page, page.get_by_role("button", name="Save languages"))
    page.keyboard.press("Space")
    languages = page.locator("table", has=page.get_by_text("Languages the client speaks"))
    expect(languages.get_by_role("rowheader")).to_have_text(["Dutch"])

    # A skill through the type-ahead: a Dutch word with a typo, arrow down, Enter.
    tab_to(page, page.get_by_role("link", name="Skills of this client"))
    page.keyboard.press("Enter")
    combobox = page.get_by_role("combobox", name="Add a skill by typing, in any language")
    tab_to(page, combobox)
    page.keyboard.type("heftrukc")
    # How many suggestions appeared is said in a live region, for those who cannot see them.
    status = page.locator("#suggestions-status")
    expect(status).to_have_attribute("role", "status")
    expect(status).to_have_text(re.compile(r"^(1 suggestion|\d+ suggestions)$"))
    # The Dutch label it was found by is marked as Dutch on this English page.
    found_as = page.get_by_role("option", name=re.compile("operate forklift")).locator(".matched")
    expect(found_as).to_have_text("heftruck besturen")
    expect(found_as).to_have_attribute("lang", "nl")
    pick_suggestion(page, combobox, "", "operate forklift")
    tab_to(page, page.get_by_role("button", name="Add operate forklift"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("The skill has been added.")).to_be_visible()

    # Skills of an occupation: find it with the type-ahead, tick a skill with Space.
    tab_to(page, page.get_by_role("link", name="Add skills from an occupation the client has done"))
    page.keyboard.press("Enter")
    combobox = page.get_by_role("combobox", name=re.compile("Occupation"))
    tab_to(page, combobox)
    page.keyboard.type("las")
    listbox = page.get_by_role("listbox")
    expect(listbox).to_be_visible()
    # Tabbing on closes the suggestions rather than leaving them over the next fields.
    page.keyboard.press("Tab")
    expect(listbox).to_be_hidden()
    expect(combobox).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#suggestions-status")).to_have_text("")
    page.keyboard.press("Shift+Tab")
    expect(combobox).to_be_focused()
    pick_suggestion(page, combobox, "ser", "welder")
    weld = page.get_by_label("weld metal parts")
    tab_to(page, weld)
    page.keyboard.press("Space")
    expect(weld).to_be_checked()
    tab_to(page, page.get_by_role("button", name="Add the ticked skills"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("1 skill has been added.")).to_be_visible()
    expect(page.locator("tbody th[scope=row]")).to_have_text(
        ["operate forklift", "weld metal parts"]
    )

    # A safety limit and consent.
    tab_to(page, page.get_by_role("link", name="Back to the client's record"), backwards=True)
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("link", name="Safety limits and consent of this client"))
    page.keyboard.press("Enter")
    employer = page.get_by_label("Registered employer")
    tab_to(page, employer)
    choose_by_keys(page, employer, FORMER_EMPLOYER)
    relation = page.get_by_label("How this firm is connected to the employer to avoid")
    tab_to(page, relation)
    choose_by_keys(page, relation, relation.locator("option[value=itself]").inner_text())
    tab_to(page, page.get_by_role("button", name="Avoid this employer"))
    page.keyboard.press("Enter")
    limit = page.get_by_role("cell", name=f"{FORMER_EMPLOYER} (the employer itself)", exact=True)
    expect(limit).to_be_visible()
    tab_to(page, page.get_by_role("button", name="Record consent given").first)
    page.keyboard.press("Enter")
    expect(page.get_by_text("In force.").first).to_be_visible()

    # The client's own profile, in Dutch, with both skills.
    tab_to(page, page.get_by_role("link", name="Back to the client's record"), backwards=True)
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("link", name="Open the profile"))
    page.keyboard.press("Enter")
    document = page.locator("article.profile-document")
    expect(document).to_have_attribute("lang", "nl")
    expect(document).to_contain_text("heftruck besturen")
    expect(document).to_contain_text("weld metal parts")
    expect(document).not_to_contain_text(FORMER_EMPLOYER)
