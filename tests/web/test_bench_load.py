"""The load bench's own helpers: its percentiles, and signing in through /login with CSRF.

The bench itself (bench/load.py) runs in `make bench`, never in the tests; these check that the
figures it prints are computed right and that its users really are signed in.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

import numpy as np
import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bench.load import (
    SKILL_LEVELS,
    Browser,
    LoadError,
    check,
    csrf_token,
    percentile,
    skill_level_form,
)
from matcher.db import make_engine
from matcher.profiles.models import ClientSkill, SkillLevel
from tests.factories import PASSWORD, make_concept, make_user
from tests.matcher.profiles.builders import make_client, make_client_skill
from tests.web.conftest import serve_app


@pytest.mark.parametrize("q", [0, 25, 50, 90, 95, 99, 100])
def test_percentiles_agree_with_numpy(q):
    rng = random.Random(q)
    values = [rng.expovariate(1 / 40) for _ in range(rng.randint(1, 500))]
    assert percentile(values, q) == pytest.approx(float(np.percentile(values, q)))


def test_percentile_of_nothing_or_out_of_range_is_refused():
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile([1.0], 101)


def test_the_csrf_token_is_read_whatever_the_attribute_order():
    page = (
        '<form><input id="email" name="email" value="x">'
        '<input type="hidden" value="tok-2" name="csrf_token" id="csrf_token"></form>'
    )
    assert csrf_token(page) == "tok-2"
    with pytest.raises(LookupError):
        csrf_token('<input name="email" value="x">')


def test_an_answer_is_an_error_unless_2xx_or_3xx_and_a_lost_session_is_one_too():
    assert check(200, {}) is None
    assert check(302, {"location": "/coach/clients"}) is None
    assert check(302, {"location": "/login?next=/coach/clients"}) == "signed out"
    assert check(404, {}) == "HTTP 404"
    assert check(500, {}) == "HTTP 500"


@pytest.fixture
def live_app(fresh_database_url: str) -> Iterator[int]:
    """The app with CSRF on, over a committed database with one coach."""
    engine = make_engine(fresh_database_url)
    with Session(engine) as session:
        make_user(session, role="coach", email="coach@example.org")
        session.commit()
    engine.dispose()
    with serve_app(fresh_database_url) as url:
        yield int(url.rsplit(":", 1)[1])


def test_a_simulated_user_signs_in_with_the_forms_csrf_token(live_app):
    browser = Browser("127.0.0.1", live_app)
    status, headers, _ = browser.request("GET", "/coach/clients")
    assert check(status, headers) == "signed out"

    browser.sign_in("coach@example.org", PASSWORD)

    status, headers, html = browser.request("GET", "/coach/clients")
    assert (status, check(status, headers)) == (200, None)
    assert "coach@example.org" in html


def test_a_wrong_password_or_a_missing_token_does_not_sign_in(live_app):
    with pytest.raises(LoadError):
        Browser("127.0.0.1", live_app).sign_in("coach@example.org", "not-the-password")
    browser = Browser("127.0.0.1", live_app)
    browser.request("GET", "/login")  # the session cookie, but no token sent with the form
    status, _, _ = browser.request(
        "POST", "/login", {"email": "coach@example.org", "password": PASSWORD}
    )
    assert status == 400
    status, headers, _ = browser.request("GET", "/coach/clients")
    assert check(status, headers) == "signed out"


@pytest.fixture
def coach_with_a_skill(fresh_database_url: str) -> Iterator[tuple[int, Engine, int, int]]:
    """The app over a committed database: a coach, and a client of theirs with one skill."""
    engine = make_engine(fresh_database_url)
    with Session(engine) as session:
        coach = make_user(session, role="coach", email="coach@example.org")
        make_concept(session, uri="urn:s:forklift", labels={"en": "drive forklifts"})
        client = make_client(session, coach=coach)
        skill = make_client_skill(session, client, "urn:s:forklift")
        session.commit()
        ids = (client.id, skill.id)
    try:
        with serve_app(fresh_database_url) as url:
            yield int(url.rsplit(":", 1)[1]), engine, *ids
    finally:
        engine.dispose()


def test_a_simulated_coach_saves_a_skills_level_through_its_form(coach_with_a_skill):
    port, engine, client_id, skill_id = coach_with_a_skill
    browser = Browser("127.0.0.1", port)
    browser.sign_in("coach@example.org", PASSWORD)
    _, _, html = browser.request("GET", f"/coach/clients/{client_id}/skills")

    path, body = skill_level_form("can_teach").fill(html)
    status, headers, _ = browser.request("POST", path, body)

    assert path == f"/coach/clients/{client_id}/skills/{skill_id}"
    assert (status, check(status, headers)) == (302, None)
    with Session(engine) as session:
        assert session.get(ClientSkill, skill_id).level == SkillLevel.CAN_TEACH
    assert skill_level_form("can_teach").fill("<p>No skills yet.</p>") is None


def test_the_levels_a_simulated_coach_chooses_are_the_products_levels():
    assert sorted(SKILL_LEVELS) == sorted(level.value for level in SkillLevel)
