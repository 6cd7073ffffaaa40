"""Every look at a client, every decision, every export and erasure leaves an audit row.

The walk runs over the demo data, through the pages and their own forms as a browser would
submit them, and after each step looks for the audit row naming who did it, to what, and when.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from matcher.accounts.models import Role, User
from matcher.audit.models import AuditEvent
from matcher.db import utcnow
from matcher.demo import DEMO_PASSWORD, seed_demo
from matcher.employers.models import ChecklistSubmission, EmployerProfile, Signal
from matcher.matching.models import Placement, Proposal, ProposalStatus
from matcher.skills.search import clear_index_cache
from matcher.vacancies.models import Vacancy, VacancyStatus
from tests.factories import password_hash
from tests.matcher.demo_concepts import add_demo_concepts

CLIENT_PAGES = ("", "/profile", "/profile.pdf", "/skills", "/safety", "/matches",
                "/proposals", "/edit", "/skills/add", "/skills/notes", "/wishes?q=a")  # fmt: skip


class Forms(HTMLParser):
    """The forms of a page with the values a browser would send without any typing."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.page = urlsplit(page).path
        self.forms: dict[str, dict[str, str]] = {}
        self._fields: dict[str, str] | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            # A form without an action posts back to its own page.
            action = urlsplit(a.get("action", "")).path or self.page
            self._fields = self.forms.setdefault(action, {})
        elif self._fields is None:
            return
        elif tag == "input" and a.get("name"):
            # A click on the form's (first) button sends that button's name too.
            if a.get("type") == "submit" and "__button" in self._fields:
                return
            if a.get("type") not in ("radio", "checkbox") or "checked" in a:
                self._fields[a["name"]] = a.get("value", "")
            if a.get("type") == "submit":
                self._fields["__button"] = a["name"]
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select:
            if self._select not in self._fields or "selected" in a:
                self._fields[self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a.get("name")
            self._fields[self._textarea] = ""

    def handle_data(self, data: str) -> None:
        if self._fields is not None and self._textarea:
            self._fields[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._fields = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._fields is not None:
            # Browsers drop the newline that follows <textarea>.
            name = self._textarea
            self._fields[name] = self._fields[name].removeprefix("\r\n").removeprefix("\n")
            self._textarea = None


def submit(client: FlaskClient, page: str, action: str, **fields: str):
    """Open the page, fill in its form for `action` and send it, as a user would."""
    parser = Forms(page)
    parser.feed(client.get(page).get_data(as_text=True))
    assert action in parser.forms, (action, sorted(parser.forms))
    data = dict(parser.forms[action])
    data.pop("__button", None)
    # An unticked radio button is not in the form data yet; it shares its form's prefix.
    prefixes = {name.rsplit("-", 1)[0] + "-" for name in data if "-" in name}
    prefix = prefixes.pop() if len(prefixes) == 1 else ""
    for key, value in fields.items():
        names = [n for n in data if n == key or n.endswith("-" + key)] or [prefix + key]
        data[names[0]] = value
    response = client.post(action, data=data)
    assert response.status_code == 302, (action, data, response.get_data(as_text=True)[:2000])
    return response


@pytest.fixture(autouse=True)
def quick_password_hashes(monkeypatch):
    monkeypatch.setattr("matcher.accounts.services.hash_password", password_hash)


@pytest.fixture
def demo(session, tmp_path) -> Iterator[None]:
    clear_index_cache()
    add_demo_concepts(session)
    seed_demo(session, tmp_path)
    session.commit()
    yield
    clear_index_cache()


@pytest.fixture
def audit(session):
    """Run a step and return the audit rows it added."""

    def added(step) -> list[AuditEvent]:
        session.expire_all()
        before = session.scalar(select(func.max(AuditEvent.id))) or 0
        step()
        session.expire_all()
        return list(session.scalars(select(AuditEvent).where(AuditEvent.id > before)))

    return added


def signed_in(app, session, user: User) -> FlaskClient:
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    return client


def demo_user(session, email: str) -> User:
    return session.scalars(select(User).where(User.email == email)).one()


def employer_user_of(session, proposal: Proposal) -> User:
    organisation_id = proposal.vacancy.employer.organisation_id
    return session.scalars(
        select(User)
        .where(User.organisation_id == organisation_id, User.role == Role.EMPLOYER)
        .order_by(User.id)
    ).first()


def assert_recorded(events: list[AuditEvent], actor: User, object_type: str, object_id: int,
                    action: str | None = None) -> None:  # fmt: skip
    found = [(e.actor_id, e.object_type, e.object_id, e.action) for e in events]
    matching = [
        e for e in events
        if e.actor_id == actor.id and (e.object_type, e.object_id) == (object_type, object_id)
        and action in (None, e.action)
    ]  # fmt: skip
    assert matching, f"no audit row by {actor.email} for {object_type} {object_id}: {found}"
    assert all(abs(e.at - utcnow()) < timedelta(minutes=5) for e in matching)


def proposal_in(session, status: ProposalStatus) -> Proposal:
    return session.scalars(
        select(Proposal).where(Proposal.status == status).order_by(Proposal.id)
    ).first()


def test_every_look_at_a_client_is_audited(app, session, demo, audit):
    coach, mediator = (
        demo_user(session, "coach@demo.test"),
        demo_user(session, "mediator@demo.test"),
    )
    proposal = proposal_in(session, ProposalStatus.PROPOSED)
    client_id = proposal.client_id
    as_coach, as_mediator = signed_in(app, session, coach), signed_in(app, session, mediator)
    for page in CLIENT_PAGES:
        url = f"/coach/clients/{client_id}{page}"
        events = audit(lambda url=url: as_coach.get(url).close())
        assert_recorded(events, coach, "client", client_id)
    export = audit(lambda: as_coach.get(f"/coach/clients/{client_id}/export").close())
    assert_recorded(export, coach, "client", client_id, "export")
    read = audit(lambda: as_mediator.get(f"/coach/clients/{client_id}").close())
    assert_recorded(read, mediator, "client", client_id)
    review = audit(lambda: as_mediator.get(f"/mediator/proposals/{proposal.id}").close())
    assert_recorded(review, mediator, "client", client_id)
    matches = audit(lambda: as_mediator.get(f"/mediator/vacancies/{proposal.vacancy_id}/matches"))
    assert_recorded(matches, mediator, "vacancy", proposal.vacancy_id, "view_matches")
    approved = proposal_in(session, ProposalStatus.APPROVED)
    employer = employer_user_of(session, approved)
    as_employer = signed_in(app, session, employer)
    card = audit(lambda: as_employer.get(f"/employer/matches/{approved.id}").close())
    assert_recorded(card, employer, "proposal", approved.id, "view_card")


def test_every_dashboard_csv_download_is_audited(app, session, demo, audit):
    for email in ("mediator@demo.test", "admin@demo.test"):
        user = demo_user(session, email)
        browser = signed_in(app, session, user)
        for table in ("summary", "new-clients", "partners"):
            events = audit(lambda t=table, b=browser: b.get(f"/dashboard/{t}.csv").close())
            assert_recorded(events, user, "dashboard", 0, "export_dashboard")
            assert events[0].details["table"] == table


def test_every_mediator_decision_is_audited(app, session, demo, audit):
    mediator = demo_user(session, "mediator@demo.test")
    browser = signed_in(app, session, mediator)

    def employer_with(status: str) -> EmployerProfile:
        return session.scalars(
            select(EmployerProfile).where(EmployerProfile.status == status)
        ).first()

    deferred = proposal_in(session, ProposalStatus.DEFERRED)
    page = f"/mediator/proposals/{deferred.id}"
    for action, fields in (("undefer", {}), ("defer", {"note": "Ask the coach first."}),
                           ("undefer", {}), ("reject", {"reason": "place_or_travel"})):  # fmt: skip
        events = audit(lambda a=action, f=fields: submit(browser, page, f"{page}/{a}", **f))
        assert_recorded(events, mediator, "proposal", deferred.id)
    proposed = proposal_in(session, ProposalStatus.PROPOSED)
    page = f"/mediator/proposals/{proposed.id}"
    events = audit(lambda: submit(browser, page, f"{page}/approve"))
    assert_recorded(events, mediator, "proposal", proposed.id)

    held = session.scalars(
        select(Vacancy).where(Vacancy.status == VacancyStatus.HELD).order_by(Vacancy.id)
    ).first()
    page = f"/mediator/vacancies/{held.id}"
    events = audit(lambda: submit(browser, page, page, decision="publish", note="Checked."))
    assert_recorded(events, mediator, "vacancy", held.id)

    received = session.scalars(
        select(Signal).where(Signal.status == "received").order_by(Signal.id)
    ).first()
    page = f"/mediator/signals/{received.id}"
    linked = session.scalars(
        select(EmployerProfile.id)
        .where(EmployerProfile.status == "approved")
        .order_by(EmployerProfile.id)
    ).first()
    for action, fields in (("review", {}), ("employer", {"employer": str(linked)}),
                           ("serious", {"reason": "Passports kept."}),
                           ("close", {"outcome": "referred_to_inspectorate",
                                      "feedback": "We passed it on."})):  # fmt: skip
        events = audit(lambda a=action, f=fields: submit(browser, page, f"{page}/{a}", **f))
        assert_recorded(events, mediator, "signal", received.id)

    # Last: suspending an employer freezes its proposals.
    submitted = session.scalars(
        select(ChecklistSubmission)
        .where(ChecklistSubmission.status == "submitted")
        .order_by(ChecklistSubmission.id)
    ).first()
    url = f"/mediator/vetting/{submitted.id}"
    events = audit(lambda: submit(browser, url, url, decision="approved", reason="All in order."))
    assert_recorded(events, mediator, "employer", submitted.employer_id)

    # The employer just approved is suspended and let back in; another meets its conditions.
    conditional = employer_with("approved_with_conditions").id
    steps = (
        (submitted.employer_id, "suspend", "Wages unpaid."),
        (submitted.employer_id, "lift", "Wages paid."),
        (conditional, "conditions-met", "Done."),
    )
    for profile_id, action, reason in steps:
        page = f"/mediator/employers/{profile_id}"
        events = audit(lambda p=page, a=action, r=reason: submit(browser, p, f"{p}/{a}", reason=r))
        assert_recorded(events, mediator, "employer", profile_id)


def test_every_employer_and_coach_decision_and_erasure_is_audited(app, session, demo, audit):
    approved = proposal_in(session, ProposalStatus.APPROVED)
    employer = employer_user_of(session, approved)
    browser = signed_in(app, session, employer)
    page = f"/employer/matches/{approved.id}"
    events = audit(lambda: submit(browser, page, f"{page}/invite"))
    assert_recorded(events, employer, "proposal", approved.id, "invite_to_interview")

    coach = demo_user(session, "coach@demo.test")
    as_coach = signed_in(app, session, coach)
    placement = session.scalars(select(Placement).where(Placement.proposal_id == approved.id)).one()
    page = f"/coach/clients/{approved.client_id}/proposals"
    action = f"/coach/clients/{approved.client_id}/placements/{placement.id}"
    events = audit(
        lambda: submit(as_coach, page, action, outcome="not_hired", reason="client_declined")
    )
    assert_recorded(events, coach, "placement", placement.id)

    waiting = proposal_in(session, ProposalStatus.WAITING_FOR_CONSENT)
    page = f"/coach/clients/{waiting.client_id}/safety"
    action = f"/coach/clients/{waiting.client_id}/safety/consent/share_with_employer/give"
    employer_id = str(waiting.vacancy.employer_id)
    events = audit(lambda: submit(as_coach, page, action, employer=employer_id))
    assert_recorded(events, coach, "client", waiting.client_id)
    assert_recorded(events, coach, "proposal", waiting.id, "consent_recorded")

    # With consent given the proposal reached its employer, who turns it down.
    employer = employer_user_of(session, waiting)
    browser = signed_in(app, session, employer)
    page = f"/employer/matches/{waiting.id}"
    events = audit(lambda: submit(browser, page, f"{page}/decline", reason="position_filled"))
    assert_recorded(events, employer, "proposal", waiting.id, "decline_match")

    page = f"/coach/clients/{waiting.client_id}"
    action = f"{page}/erase"
    events = audit(lambda: submit(as_coach, page, action, confirm="y", reason="Asked by client."))
    assert_recorded(events, coach, "client", waiting.client_id, "erase")
