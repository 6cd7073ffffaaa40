"""Object-level access: a user of one organisation aims at the objects of another.

The role may use the page, but the object is not theirs. Another organisation's client (and
report link) is refused with 403, as the client services have always done; any other object
of another organisation answers 404, as one that does not exist, also when it hangs under the
user's own client in the address. The refused request changes nothing and shows nothing of
the other side. Each case also sends the same request at the user's own object, which must
get through: so the refusal comes from the ownership check, not from a wrong address.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.engine import Connection, Engine

from tests.matcher.skills.esco_sample import FORKLIFT_OPERATOR, WELD_METAL
from tests.web.access_world import (
    Side,
    World,
    client_as,
    fingerprint,
    rolled_back,
    world_app,
)

Data = Callable[[Side], dict[str, Any]]


def nothing(side: Side) -> dict[str, Any]:
    return {}


@dataclasses.dataclass(frozen=True)
class Case:
    """A request by the role's user of "ours"; {names} are filled from the target side."""

    id: str
    role: str
    method: str
    path: str
    data: Data = nothing
    refused: int = 404


def ids(side: Side, ours: Side) -> dict[str, Any]:
    return {
        "client": side.client.id,
        "skill": side.skill.id,
        "limit": side.limit.id,
        "consent": side.consent.id,
        "placement": side.placement.id,
        "vacancy": side.vacancy.id,
        "evidence": side.evidence.id,
        "proposal": side.shared.id,
        "colleague": side.colleague.id,
        "link": side.link.id,
        "notification": side.notification.id,
        "our_client": ours.client.id,  # the own client, with the other side's child object
    }


C = "/coach/clients/{client}"
COACH_CASES = [
    Case("open record", "coach", "GET", C),
    Case("open edit form", "coach", "GET", C + "/edit"),
    Case("export", "coach", "GET", C + "/export"),
    Case("open profile", "coach", "GET", C + "/profile"),
    Case("profile pdf", "coach", "GET", C + "/profile.pdf"),
    Case("open skills", "coach", "GET", C + "/skills"),
    Case("skill search", "coach", "GET", C + "/skills/add?q=forklift"),
    Case("intake notes page", "coach", "GET", C + "/skills/notes"),
    Case("occupation skills", "coach", "GET", C + "/skills/occupation?uri=" + FORKLIFT_OPERATOR),
    Case("open safety", "coach", "GET", C + "/safety"),
    Case("open matches", "coach", "GET", C + "/matches"),
    Case("open proposals", "coach", "GET", C + "/proposals"),
    Case("find wish", "coach", "GET", C + "/wishes?q=forklift"),
    Case("edit", "coach", "POST", C + "/edit",
         lambda s: {"version": s.client.version_id, "first_name": "Changed",
                    "profile_language": "en"}),
    Case("erase", "coach", "POST", C + "/erase",
         lambda s: {"version": s.client.version_id, "confirm": "y", "reason": "Asked for it."}),
    Case("set languages", "coach", "POST", C + "/languages",
         lambda s: {"rows-0-language": "nl", "rows-0-level": "B1"}),
    Case("set wishes", "coach", "POST", C + "/wishes", lambda s: {"sectors": "bakery"}),
    Case("add wish", "coach", "POST", C + "/wishes/add", lambda s: {"uri": FORKLIFT_OPERATOR}),
    Case("add area limit", "coach", "POST", C + "/safety/limits/area",
         lambda s: {"area_limit-area": "Tilburg"}),
    Case("add sector limit", "coach", "POST", C + "/safety/limits/sector",
         lambda s: {"sector_limit-sector": "cleaning"}),
    Case("add employer limit", "coach", "POST", C + "/safety/limits/employer",
         lambda s: {"employer_limit-employer_name": "Bad Boss BV",
                    "employer_limit-relation": "itself"}),
    Case("remove limit", "coach", "POST", C + "/safety/limits/{limit}/remove"),
    Case("set housing", "coach", "POST", C + "/safety/housing",
         lambda s: {"housing-housing_independent": "y"}),
    Case("give consent", "coach", "POST", C + "/safety/consent/share_with_mediators/give"),
    Case("withdraw consent", "coach", "POST", C + "/safety/consent/{consent}/withdraw"),
    Case("add skill", "coach", "POST", C + "/skills/add",
         lambda s: {"skill_uri": WELD_METAL, "level": "some_experience"}),
    Case("change skill", "coach", "POST", C + "/skills/{skill}",
         lambda s: {f"skill-{s.skill.id}-level": "experienced"}),
    Case("remove skill", "coach", "POST", C + "/skills/{skill}/remove"),
    Case("restore skill", "coach", "POST", C + "/skills/{skill}/restore"),
    Case("skills of occupation", "coach", "POST", C + "/skills/occupation",
         lambda s: {"occupation_uri": FORKLIFT_OPERATOR, "skills": [WELD_METAL],
                    "level": "some_experience"}),
    Case("suggest from notes", "coach", "POST", C + "/skills/notes",
         lambda s: {"notes": "I drove a forklift.", "language": "en"}),
    Case("follow up placement", "coach", "POST", C + "/placements/{placement}",
         lambda s: {f"check-{s.placement.id}-months": "3",
                    f"check-{s.placement.id}-working": "yes",
                    f"check-{s.placement.id}-version": s.placement.version_id}),
    # The own client in the address, the other organisation's object after it.
    Case("own client, their skill", "coach", "POST", "/coach/clients/{our_client}/skills/{skill}",
         lambda s: {f"skill-{s.skill.id}-level": "experienced"}),
    Case("own client, remove their skill", "coach", "POST",
         "/coach/clients/{our_client}/skills/{skill}/remove"),
    Case("own client, their limit", "coach", "POST",
         "/coach/clients/{our_client}/safety/limits/{limit}/remove"),
    Case("own client, their consent", "coach", "POST",
         "/coach/clients/{our_client}/safety/consent/{consent}/withdraw"),
    Case("own client, their placement", "coach", "POST",
         "/coach/clients/{our_client}/placements/{placement}",
         lambda s: {f"check-{s.placement.id}-months": "3",
                    f"check-{s.placement.id}-working": "yes",
                    f"check-{s.placement.id}-version": s.placement.version_id}),
    Case("revoke signal link", "coach", "POST", "/coach/signal-links/{link}/revoke",
         refused=403),
    Case("mark notification read", "coach", "POST", "/notifications/{notification}/read"),
]  # fmt: skip
# Another organisation's client: Forbidden from the client services, so 403.
COACH_CASES = [
    dataclasses.replace(case, refused=403) if case.path.startswith(C) else case
    for case in COACH_CASES
]

E = "/employer"
EMPLOYER_CASES = [
    Case("open vacancy", "employer", "GET", E + "/vacancies/{vacancy}"),
    Case("open vacancy edit form", "employer", "GET", E + "/vacancies/{vacancy}/edit"),
    Case("edit vacancy", "employer", "POST", E + "/vacancies/{vacancy}/edit",
         lambda s: {"title": "Changed", "description": "Changed."}),
    Case("close vacancy", "employer", "POST", E + "/vacancies/{vacancy}/close",
         lambda s: {"version": s.vacancy.version_id}),
    Case("download evidence", "employer", "GET", E + "/evidence/{evidence}"),
    Case("remove evidence", "employer", "POST", E + "/evidence/{evidence}/remove"),
    Case("open match card", "employer", "GET", E + "/matches/{proposal}"),
    Case("invite", "employer", "POST", E + "/matches/{proposal}/invite",
         lambda s: {"invite-version": s.shared.version_id, "invite-note": "Come by."}),
    Case("decline", "employer", "POST", E + "/matches/{proposal}/decline",
         lambda s: {"decline-version": s.shared.version_id, "decline-reason": "other",
                    "decline-note": "No."}),
    Case("deactivate user", "employer", "POST", E + "/users/{colleague}/deactivate"),
]  # fmt: skip

CASES = COACH_CASES + EMPLOYER_CASES


@dataclasses.dataclass
class Setup:
    app: Flask
    connection: Connection
    world: World
    cookies: dict[str, str]


@pytest.fixture(scope="module")
def setup(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    with world_app(engine, tmp_path_factory.mktemp("object-uploads")) as parts:
        yield Setup(*parts)


@pytest.fixture
def isolated(setup: Setup) -> Iterator[None]:
    with rolled_back(setup.connection):
        yield


def send(setup: Setup, case: Case, target: Side) -> tuple[int, str]:
    client = client_as(setup.app, setup.cookies, case.role)
    url = case.path.format(**ids(target, setup.world.ours))
    response = client.open(url, method=case.method, data=case.data(target) or None)
    try:
        return response.status_code, response.get_data().decode("utf-8", "replace")
    finally:
        response.close()


def secrets_of(side: Side) -> list[str]:
    return [side.client.code, side.client.first_name, side.signal.text, side.link_token]


@pytest.mark.parametrize("case", CASES, ids=[f"{c.role}: {c.id}" for c in CASES])
def test_another_organisations_object_is_refused_and_unchanged(
    setup: Setup, isolated: None, case: Case
) -> None:
    theirs, ours = setup.world.theirs, setup.world.ours
    before = fingerprint(setup.connection)

    status, body = send(setup, case, theirs)

    assert status == case.refused, f"{case.method} {case.path} on the other side's: {status}"
    after = fingerprint(setup.connection)
    changed = sorted(name for name in before if before[name] != after.get(name))
    assert not changed, f"a refused {case.method} {case.path} changed {changed}"
    for secret in secrets_of(theirs):
        assert secret not in body, secret

    # The same request at the own object gets through: the 404 was the ownership check.
    own_status, _ = send(setup, case, ours)
    assert own_status not in (403, 404), (
        f"{case.method} {case.path} on the own object: {own_status}"
    )


def test_the_own_signals_page_lists_only_the_own_signals(setup: Setup, isolated: None) -> None:
    client = client_as(setup.app, setup.cookies, "coach")
    page = client.get("/signals").get_data(as_text=True)
    assert setup.world.ours.signal.text in page
    assert setup.world.theirs.signal.text not in page


def test_the_notifications_page_lists_only_the_own(setup: Setup, isolated: None) -> None:
    ours, theirs = setup.world.ours.notification, setup.world.theirs.notification
    client = client_as(setup.app, setup.cookies, "coach")
    page = client.get("/notifications").get_data(as_text=True)
    assert f"/notifications/{ours.id}/read" in page
    assert f"/notifications/{theirs.id}/read" not in page


def test_lists_show_nothing_of_the_other_side(setup: Setup, isolated: None) -> None:
    world = setup.world
    coach = client_as(setup.app, setup.cookies, "coach")
    clients = coach.get("/coach/clients").get_data(as_text=True)
    assert world.ours.client.code in clients and world.theirs.client.code not in clients
    links = coach.get("/coach/signal-links").get_data(as_text=True)
    assert f"/coach/signal-links/{world.theirs.link.id}/revoke" not in links
    employer = client_as(setup.app, setup.cookies, "employer")
    vacancies = employer.get("/employer/vacancies").get_data(as_text=True)
    assert f"/employer/vacancies/{world.ours.vacancy.id}" in vacancies
    assert f"/employer/vacancies/{world.theirs.vacancy.id}" not in vacancies
    matches = employer.get("/employer/matches").get_data(as_text=True)
    assert f"/employer/matches/{world.ours.shared.id}" in matches
    assert f"/employer/matches/{world.theirs.shared.id}" not in matches
