"""Every route of the app for every role and an anonymous visitor, against one explicit table.

The routes come from `app.url_map`, so a new page without a row in TABLE fails here until
someone writes down who may open it; a row for a page that no longer exists fails too.
DESIGN.md: a page a role may not see answers 403, an anonymous visitor is sent to /login, a
missing object answers 404. A refused request must also change nothing in the database and
show nothing of the client it was aimed at.

CSRF is off here (as in the other page tests), so a permitted POST with an empty form shows
what the view itself does with it: 400 where a field is required, a redirect where an empty
form is a valid answer (a checkbox left off, a confirm button). The CSRF tests cover the rest.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask, url_for
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from werkzeug.test import TestResponse

from tests.matcher.skills.esco_sample import FORKLIFT_OPERATOR
from tests.web.access_world import (
    World,
    client_as,
    fingerprint,
    rolled_back,
    world_app,
)
from web.app import create_app

VISITORS = ("anonymous", "coach", "employer", "mediator", "admin")
LOGIN = "redirect to /login"
REFUSED = (LOGIN, 401, 403, 404)


@dataclasses.dataclass(frozen=True)
class To:
    """A redirect somewhere other than /login; {name} is filled from the world's objects."""

    path: str


def to(path: str) -> To:
    return To(path)


RECORD = to("/coach/clients/{client_id}")
SAFETY = to("/coach/clients/{client_id}/safety")
SKILLS = to("/coach/clients/{client_id}/skills")
NOTES = to("/notifications")

# fmt: off
# What each visitor gets, in the order of VISITORS:
#            (anonymous, coach, employer, mediator, admin)
# The coach is of the client's organisation and the employer owns the vacancy, the match card,
# the evidence and the colleague behind the URL; other organisations are in test_object_access.
TABLE: dict[tuple[str, str], tuple[Any, ...]] = {
    ("main.home", "GET"): (LOGIN, 200, 200, 200, 200),
    ("admin.jobs", "GET"): (LOGIN, 403, 403, 403, 200),
    ("admin.run_job", "POST"): (LOGIN, 403, 403, 403, to("/admin/jobs")),
    ("admin.outbox", "GET"): (LOGIN, 403, 403, 403, 200),
    ("admin.users", "GET"): (LOGIN, 403, 403, 403, 200),
    ("esco_api.search", "GET"): (401, 200, 200, 200, 200),
    ("clients.index", "GET"): (LOGIN, 200, 403, 200, 403),
    ("clients.record", "GET"): (LOGIN, 200, 403, 200, 403),
    ("clients.edit", "GET"): (LOGIN, 200, 403, 403, 403),
    ("clients.edit", "POST"): (LOGIN, 400, 403, 403, 403),
    ("clients.erase", "POST"): (LOGIN, 400, 403, 403, 403),
    ("clients.export", "GET"): (LOGIN, 200, 403, 403, 403),
    ("clients.languages", "POST"): (LOGIN, RECORD, 403, 403, 403),
    ("matching.client_matches", "GET"): (LOGIN, 200, 403, 200, 403),
    ("placements.record", "POST"): (LOGIN, 400, 403, 400, 403),
    ("client_profile.show", "GET"): (LOGIN, 200, 403, 200, 403),
    ("client_profile.pdf", "GET"): (LOGIN, 200, 403, 200, 403),
    ("placements.client_proposals", "GET"): (LOGIN, 200, 403, 200, 403),
    ("client_safety.index", "GET"): (LOGIN, 200, 403, 200, 403),
    ("client_safety.withdraw_consent", "POST"): (LOGIN, SAFETY, 403, 403, 403),
    ("client_safety.give_consent", "POST"): (LOGIN, 400, 403, 403, 403),
    ("client_safety.set_housing", "POST"): (LOGIN, SAFETY, 403, 403, 403),
    ("client_safety.remove_limit", "POST"): (LOGIN, SAFETY, 403, 403, 403),
    ("client_safety.add_area_limit", "POST"): (LOGIN, 400, 403, 403, 403),
    ("client_safety.add_employer_limit", "POST"): (LOGIN, 400, 403, 403, 403),
    ("client_safety.add_sector_limit", "POST"): (LOGIN, 400, 403, 403, 403),
    ("client_skills.index", "GET"): (LOGIN, 200, 403, 200, 403),
    ("client_skills.update", "POST"): (LOGIN, SKILLS, 403, 403, 403),
    ("client_skills.remove", "POST"): (LOGIN, SKILLS, 403, 403, 403),
    ("client_skills.restore", "POST"): (LOGIN, SKILLS, 403, 403, 403),
    ("client_skills.add", "GET"): (LOGIN, 200, 403, 403, 403),
    ("client_skills.add_post", "POST"): (LOGIN, 400, 403, 403, 403),
    ("client_skills.notes", "GET"): (LOGIN, 200, 403, 403, 403),
    ("client_skills.suggest", "POST"): (LOGIN, 400, 403, 403, 403),
    ("client_skills.add_from_notes", "POST"): (LOGIN, 400, 403, 403, 403),
    ("client_skills.occupation", "GET"): (LOGIN, 200, 403, 403, 403),
    ("client_skills.occupation_post", "POST"): (LOGIN, 400, 403, 403, 403),
    ("clients.wishes", "POST"): (LOGIN, RECORD, 403, 403, 403),
    ("clients.find_occupation", "GET"): (LOGIN, 200, 403, 403, 403),
    ("clients.add_wish", "POST"): (LOGIN, 400, 403, 403, 403),
    ("clients.new", "GET"): (LOGIN, 200, 403, 403, 403),
    ("clients.new", "POST"): (LOGIN, 400, 403, 403, 403),
    ("queue.waiting_consent", "GET"): (LOGIN, 200, 403, 403, 403),
    ("signals.links", "GET"): (LOGIN, 200, 403, 403, 403),
    ("signals.create_link", "POST"): (LOGIN, 400, 403, 403, 403),
    ("signals.revoke_link", "POST"): (LOGIN, to("/coach/signal-links"), 403, 403, 403),
    ("dashboard.index", "GET"): (LOGIN, 403, 403, 200, 200),
    ("dashboard.export", "GET"): (LOGIN, 403, 403, 200, 200),
    ("employer.checklist", "GET"): (LOGIN, 403, 200, 403, 403),
    ("employer.checklist", "POST"): (LOGIN, 403, 400, 403, 403),
    ("employer.upload_evidence", "POST"): (LOGIN, 403, 400, 403, 403),
    ("employer.restart", "POST"): (LOGIN, 403, to("/employer/checklist"), 403, 403),
    ("employer.evidence", "GET"): (LOGIN, 403, 200, 200, 403),
    ("employer.remove_evidence_file", "POST"): (LOGIN, 403, to("/employer/checklist"), 403, 403),
    ("placements.employer_matches", "GET"): (LOGIN, 403, 200, 403, 403),
    ("placements.card", "GET"): (LOGIN, 403, 200, 403, 403),
    ("placements.decline", "POST"): (LOGIN, 403, 400, 403, 403),
    ("placements.invite", "POST"): (LOGIN, 403, 400, 403, 403),
    ("employer.register", "GET"): (200, to("/"), to("/"), to("/"), to("/")),
    ("employer.register", "POST"): (400, to("/"), to("/"), to("/"), to("/")),
    ("employer.users", "GET"): (LOGIN, 403, 200, 403, 403),
    ("employer.users", "POST"): (LOGIN, 403, 400, 403, 403),
    ("employer.deactivate_user", "POST"): (LOGIN, 403, to("/employer/users"), 403, 403),
    ("vacancies.index", "GET"): (LOGIN, 403, 200, 403, 403),
    ("vacancies.detail", "GET"): (LOGIN, 403, 200, 403, 403),
    ("vacancies.close", "POST"): (LOGIN, 403, to("/employer/vacancies/{vacancy_id}"), 403, 403),
    ("vacancies.edit", "GET"): (LOGIN, 403, 200, 403, 403),
    ("vacancies.edit", "POST"): (LOGIN, 403, 400, 403, 403),
    ("vacancies.new", "GET"): (LOGIN, 403, 200, 403, 403),
    ("vacancies.new", "POST"): (LOGIN, 403, 400, 403, 403),
    ("esco.search", "GET"): (LOGIN, 200, 200, 200, 200),
    ("esco.concept", "GET"): (LOGIN, 200, 200, 200, 200),
    ("main.set_language", "POST"): (400, 400, 400, 400, 400),
    ("auth.login", "GET"): (200, to("/"), to("/"), to("/"), to("/")),
    ("auth.login", "POST"): (400, to("/"), to("/"), to("/"), to("/")),
    ("auth.logout", "POST"): (LOGIN, LOGIN, LOGIN, LOGIN, LOGIN),
    ("vetting.employers", "GET"): (LOGIN, 403, 403, 200, 403),
    ("vetting.employer", "GET"): (LOGIN, 403, 403, 200, 403),
    ("vetting.conditions_met", "POST"): (LOGIN, 403, 403, 400, 403),
    ("vetting.lift", "POST"): (LOGIN, 403, 403, 400, 403),
    ("vetting.suspend", "POST"): (LOGIN, 403, 403, 400, 403),
    ("placements.index", "GET"): (LOGIN, 403, 403, 200, 403),
    ("placements.detail", "GET"): (LOGIN, 403, 403, 200, 403),
    ("placements.detail", "POST"): (LOGIN, 403, 403, 400, 403),
    ("queue.review", "GET"): (LOGIN, 403, 403, 200, 403),
    ("queue.approve", "POST"): (LOGIN, 403, 403, 400, 403),
    ("queue.defer", "POST"): (LOGIN, 403, 403, 400, 403),
    ("queue.reject", "POST"): (LOGIN, 403, 403, 400, 403),
    ("queue.undefer", "POST"): (LOGIN, 403, 403, 400, 403),
    ("queue.index", "GET"): (LOGIN, 403, 403, 200, 403),
    ("signals.triage", "GET"): (LOGIN, 403, 403, 200, 403),
    ("signals.detail", "GET"): (LOGIN, 403, 403, 200, 403),
    ("signals.close", "POST"): (LOGIN, 403, 403, 400, 403),
    ("signals.link_employer", "POST"): (LOGIN, 403, 403, 400, 403),
    ("signals.review", "POST"): (LOGIN, 403, 403, 400, 403),
    ("signals.serious", "POST"): (LOGIN, 403, 403, 400, 403),
    ("vacancies.held", "GET"): (LOGIN, 403, 403, 200, 403),
    ("vacancies.review", "GET"): (LOGIN, 403, 403, 200, 403),
    ("vacancies.review", "POST"): (LOGIN, 403, 403, 400, 403),
    ("matching.vacancy_matches", "GET"): (LOGIN, 403, 403, 200, 403),
    ("vetting.waiting", "GET"): (LOGIN, 403, 403, 200, 403),
    ("vetting.review", "GET"): (LOGIN, 403, 403, 200, 403),
    ("vetting.review", "POST"): (LOGIN, 403, 403, 400, 403),
    ("notifications.index", "GET"): (LOGIN, 200, 200, 200, 200),
    ("notifications.read", "POST"): (LOGIN, NOTES, 404, 404, 404),
    ("notifications.read_all", "POST"): (LOGIN, NOTES, NOTES, NOTES, NOTES),
    ("signals.public_report", "GET"): (200, 200, 200, 200, 200),
    ("signals.public_report", "POST"): (400, 400, 400, 400, 400),
    ("signals.own", "GET"): (LOGIN, 200, 200, 200, 200),
    ("signals.new", "GET"): (LOGIN, 200, 200, 200, 200),
    ("signals.new", "POST"): (LOGIN, 400, 400, 400, 400),
}
# fmt: on

# Query strings that make a page show something rather than its empty state.
QUERIES: dict[str, dict[str, str]] = {
    "esco.search": {"q": "forklift"},
    "esco.concept": {"uri": FORKLIFT_OPERATOR},
    "esco_api.search": {"q": "forklift"},
    "clients.find_occupation": {"q": "forklift"},
    "client_skills.occupation": {"uri": FORKLIFT_OPERATOR},
}


def url_values(world: World) -> dict[str, Any]:
    """One real object for each URL parameter, by the parameter's name."""
    ours = world.ours
    return {
        "client_id": ours.client.id,
        "skill_id": ours.skill.id,
        "limit_id": ours.limit.id,
        "consent_id": ours.consent.id,
        "purpose": "matching",
        "placement_id": ours.placement.id,
        "proposal_id": ours.shared.id,
        "vacancy_id": ours.vacancy.id,
        "evidence_id": ours.evidence.id,
        "item_id": "FE-01",
        "user_id": ours.colleague.id,
        "profile_id": ours.employer.id,
        "signal_id": ours.signal.id,
        "link_id": ours.link.id,
        "token": ours.link_token,
        "notification_id": ours.notification.id,
        "submission_id": world.submission_id,
    }


def endpoint_values(world: World) -> dict[str, dict[str, Any]]:
    """Where a parameter of the same name means another object on another page."""
    queued = {"proposal_id": world.proposed.id}
    return {
        **{f"queue.{name}": queued for name in ("review", "approve", "reject", "defer", "undefer")},
        "vacancies.review": {"vacancy_id": world.held.id},
        "dashboard.export": {"name": "new-clients"},
        "admin.run_job": {"name": "send_outbox"},
    }


def routes_of(app: Flask) -> list[tuple[str, str]]:
    """Every (endpoint, method) of the app but static files, HEAD and OPTIONS."""
    return sorted(
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static" and not rule.endpoint.endswith(".static")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    )


# Collected from the real app at import, so the parameters follow the URL map.
URL_MAP_APP = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": "sqlite://"})
ROUTES = routes_of(URL_MAP_APP)


@dataclasses.dataclass
class Matrix:
    app: Flask
    connection: Connection
    world: World
    cookies: dict[str, str]

    def arguments(self, endpoint: str) -> dict[str, Any]:
        rule = next(self.app.url_map.iter_rules(endpoint))
        values = url_values(self.world) | endpoint_values(self.world).get(endpoint, {})
        return {name: values[name] for name in rule.arguments}

    def url(self, endpoint: str, **changes: Any) -> str:
        with self.app.test_request_context():
            return url_for(
                endpoint, **(self.arguments(endpoint) | changes), **QUERIES.get(endpoint, {})
            )

    def secrets(self) -> list[str]:
        """What a refused answer must never show: the client, the signal, the link's token."""
        ours = self.world.ours
        return [ours.client.code, ours.client.first_name, ours.signal.text, ours.link_token]


@pytest.fixture(scope="module")
def matrix(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Matrix]:
    with world_app(engine, tmp_path_factory.mktemp("matrix-uploads")) as parts:
        yield Matrix(*parts)


@pytest.fixture
def isolated(matrix: Matrix) -> Iterator[None]:
    with rolled_back(matrix.connection):
        yield


def outcome(response: TestResponse) -> Any:
    if response.status_code in (301, 302, 303, 307, 308):
        location = response.headers["Location"]
        return LOGIN if location.startswith("/login") else To(location)
    return response.status_code


def expected_answer(matrix: Matrix, endpoint: str, cell: Any) -> Any:
    if isinstance(cell, To):
        return To(cell.path.format(**url_values(matrix.world)))
    return cell


def request(matrix: Matrix, visitor: str, method: str, url: str) -> tuple[Any, str]:
    client = client_as(matrix.app, matrix.cookies, None if visitor == "anonymous" else visitor)
    response = client.open(url, method=method)
    try:
        return outcome(response), response.get_data().decode("utf-8", "replace")
    finally:
        response.close()  # a file download holds its file open until closed


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(
        name for name in before.keys() | after.keys() if before.get(name) != after.get(name)
    )


@pytest.mark.parametrize("visitor", VISITORS)
@pytest.mark.parametrize("route", ROUTES, ids=[f"{m} {e}" for e, m in ROUTES])
def test_each_visitor_gets_the_answer_in_the_table(
    matrix: Matrix, isolated: None, route: tuple[str, str], visitor: str
) -> None:
    endpoint, method = route
    assert route in TABLE, (
        f"{method} {endpoint} is not in TABLE: write down what each role gets on this page"
    )
    expected = expected_answer(matrix, endpoint, TABLE[route][VISITORS.index(visitor)])
    url = matrix.url(endpoint)
    refused = expected in REFUSED
    before = fingerprint(matrix.connection) if refused else {}

    got, body = request(matrix, visitor, method, url)

    assert got == expected, f"{method} {url} as {visitor}: got {got!r}, TABLE says {expected!r}"
    if refused:
        after = fingerprint(matrix.connection)
        assert not changed_tables(before, after), f"refused {method} {url} as {visitor} changed"
        for secret in matrix.secrets():
            assert secret not in body, f"refused {method} {url} as {visitor} shows {secret!r}"


def test_the_table_has_no_row_for_a_route_that_is_gone() -> None:
    stale = sorted(set(TABLE) - set(ROUTES))
    assert not stale, f"TABLE rows for routes the app no longer has: {stale}"


def test_every_visitor_has_a_column() -> None:
    short = [route for route, row in TABLE.items() if len(row) != len(VISITORS)]
    assert not short, f"rows without one answer per visitor {VISITORS}: {short}"


# A missing object: each numeric parameter of each route, for every visitor the table lets in.
MISSING = 999_999
OBJECT_ROUTES = [
    (endpoint, method, name)
    for endpoint, method in ROUTES
    for rule in URL_MAP_APP.url_map.iter_rules(endpoint)
    for name in re.findall(r"<int:(\w+)>", rule.rule)
]


@pytest.mark.parametrize(
    ("endpoint", "method", "name"), OBJECT_ROUTES, ids=[f"{m} {e} {n}" for e, m, n in OBJECT_ROUTES]
)
def test_a_missing_object_answers_404_and_changes_nothing(
    matrix: Matrix, isolated: None, endpoint: str, method: str, name: str
) -> None:
    row = TABLE.get((endpoint, method))
    assert row is not None, f"{method} {endpoint} is not in TABLE"
    url = matrix.url(endpoint, **{name: MISSING})
    let_in = [visitor for visitor, cell in zip(VISITORS, row, strict=True) if cell not in REFUSED]
    assert let_in, f"nobody may use {method} {endpoint}: is that right?"
    for visitor in let_in:
        before = fingerprint(matrix.connection)
        got, _ = request(matrix, visitor, method, url)
        assert got == 404, f"{method} {url} as {visitor}: got {got!r}, not 404"
        assert not changed_tables(before, fingerprint(matrix.connection)), (method, url, visitor)


def test_the_fingerprint_sees_one_changed_field(matrix: Matrix, isolated: None) -> None:
    """The 'changes nothing' checks above would pass vacuously if the digest missed changes."""
    before = fingerprint(matrix.connection)
    matrix.connection.execute(
        text("UPDATE client SET first_name = 'Changed' WHERE id = :id"),
        {"id": matrix.world.ours.client.id},
    )
    assert changed_tables(before, fingerprint(matrix.connection)) == ["client"]
