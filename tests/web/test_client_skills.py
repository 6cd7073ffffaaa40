"""The client's skills pages: the list, adding by typing, from an occupation and from notes."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.db import make_engine, utcnow
from matcher.profiles.models import ClientSkill, SkillLevel, SkillSource
from matcher.skills.search import clear_index_cache
from tests.factories import PASSWORD, make_user
from tests.matcher.profiles.builders import make_client, make_client_skill
from tests.matcher.skills.esco_sample import (
    CLEAN_ROOMS,
    FORKLIFT_OPERATOR,
    JAVA,
    OPERATE_FORKLIFT,
    WELD_METAL,
    add_concepts,
)
from tests.web.conftest import make_test_app, serve_app

NOTES = "Hij heeft twee jaar heftruck bestuurd in een magazijn en kamers schoongemaakt."


@pytest.fixture(autouse=True)
def esco(session):
    add_concepts(session)
    session.commit()
    clear_index_cache()
    yield
    clear_index_cache()


@pytest.fixture
def coach(login):
    return login("coach")


@pytest.fixture
def person(session, coach):
    """A client of the signed-in coach's organisation, with one skill and one removed skill."""
    person = make_client(session, coach=coach)
    make_client_skill(session, person, JAVA)
    make_client_skill(session, person, CLEAN_ROOMS, removed_at=utcnow(), removed_by_id=coach.id)
    session.commit()
    return person


def skills_of(session, person):
    session.expire_all()
    rows = session.scalars(select(ClientSkill).where(ClientSkill.client_id == person.id))
    return {row.skill_uri: row for row in rows if row.removed_at is None}


def html_of(response):
    return response.get_data(as_text=True)


# --- access -------------------------------------------------------------------------------


def gets(person):
    base = f"/coach/clients/{person.id}/skills"
    return [
        base,
        base + "/add",
        base + "/add?q=forklift",
        f"{base}/add?uri={JAVA}",
        base + "/occupation",
        f"{base}/occupation?uri={FORKLIFT_OPERATOR}",
        base + "/notes",
    ]


def posts(person, skill_id):
    base = f"/coach/clients/{person.id}/skills"
    return [
        (base + "/add", {"skill_uri": WELD_METAL, "level": "experienced"}),
        (
            base + "/occupation",
            {
                "occupation_uri": FORKLIFT_OPERATOR,
                "skills": OPERATE_FORKLIFT,
                "level": "experienced",
            },
        ),
        (base + "/notes", {"notes": NOTES, "language": "nl"}),
        (
            base + "/notes/add",
            {"suggestions-0-ticked": "y", "suggestions-0-uri": WELD_METAL, "level": "experienced"},
        ),
        (f"{base}/{skill_id}", {f"skill-{skill_id}-level": "can_teach"}),
        (f"{base}/{skill_id}/remove", {}),
        (f"{base}/{skill_id}/restore", {}),
    ]


def sign_in_again(client, login, role, **fields):
    client.post("/logout")
    return login(role, **fields)


def java_id(session, person):
    return skills_of(session, person)[JAVA].id


def assert_unchanged(session, person):
    skills = skills_of(session, person)
    assert set(skills) == {JAVA}
    assert skills[JAVA].level == SkillLevel.SOME_EXPERIENCE


def test_anonymous_visitors_are_sent_to_login(client, session, person):
    client.post("/logout")
    for url in gets(person):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.location, url
    for url, data in posts(person, java_id(session, person)):
        response = client.post(url, data=data)
        assert response.status_code == 302 and "/login" in response.location, url
    assert_unchanged(session, person)


@pytest.mark.parametrize("role", ["employer", "admin"])
def test_employers_and_admins_never_reach_client_skills(client, session, login, person, role):
    sign_in_again(client, login, role)
    for url in gets(person):
        assert client.get(url).status_code == 403, url
    for url, data in posts(person, java_id(session, person)):
        assert client.post(url, data=data).status_code == 403, url
    assert_unchanged(session, person)


def test_a_coach_of_another_organisation_gets_403_everywhere(client, session, login, person):
    sign_in_again(client, login, "coach")
    for url in gets(person):
        assert client.get(url).status_code == 403, url
    for url, data in posts(person, java_id(session, person)):
        assert client.post(url, data=data).status_code == 403, url
    assert_unchanged(session, person)


def test_a_mediator_reads_the_list_but_changes_nothing(client, session, login, person):
    sign_in_again(client, login, "mediator")
    response = client.get(f"/coach/clients/{person.id}/skills")
    assert response.status_code == 200
    html = html_of(response)
    assert "Java (computer programming)" in html
    assert ">Remove<" not in html and ">Restore<" not in html and "Add skills" not in html
    for url in gets(person)[1:]:
        assert client.get(url).status_code == 403, url
    for url, data in posts(person, java_id(session, person)):
        assert client.post(url, data=data).status_code == 403, url
    assert_unchanged(session, person)


def test_a_missing_client_or_skill_answers_404(client, session, person):
    assert client.get("/coach/clients/999999/skills").status_code == 404
    assert client.post("/coach/clients/999999/skills/1/remove").status_code == 404
    other = make_client(session)
    foreign = make_client_skill(session, other, WELD_METAL)
    session.commit()
    response = client.post(f"/coach/clients/{person.id}/skills/{foreign.id}/remove")
    assert response.status_code == 404
    assert client.get(f"/coach/clients/{person.id}/skills/add?uri=http://x/none").status_code == 404


# --- the list -----------------------------------------------------------------------------


def test_the_list_shows_level_source_and_the_removed_skills(client, session, person):
    html = html_of(client.get(f"/coach/clients/{person.id}/skills"))
    assert "<h1>Skills of client" in html
    assert "<caption>Other skills</caption>" in html
    assert "Java (computer programming)" in html and "found by typing" in html
    assert "Removed skills" in html and "clean rooms" in html and ">Restore<" in html
    assert f'href="/coach/clients/{person.id}"' in html


def test_a_coach_changes_the_level_and_informal(client, session, person):
    skill_id = java_id(session, person)
    response = client.post(
        f"/coach/clients/{person.id}/skills/{skill_id}",
        data={f"skill-{skill_id}-level": "can_teach", f"skill-{skill_id}-informal": "y"},
    )
    assert response.status_code == 302
    skill = skills_of(session, person)[JAVA]
    assert (skill.level, skill.informal) == (SkillLevel.CAN_TEACH, True)
    html = html_of(client.get(response.location))
    assert "The skill has been saved." in html


def test_a_bad_level_is_refused_and_changes_nothing(client, session, person):
    skill_id = java_id(session, person)
    response = client.post(
        f"/coach/clients/{person.id}/skills/{skill_id}",
        data={f"skill-{skill_id}-level": "guru"},
        follow_redirects=True,
    )
    assert "The form could not be read" in html_of(response)
    assert_unchanged(session, person)


def test_remove_and_restore(client, session, person):
    skill_id = java_id(session, person)
    response = client.post(
        f"/coach/clients/{person.id}/skills/{skill_id}/remove", follow_redirects=True
    )
    assert "You can restore it" in html_of(response)
    assert skills_of(session, person) == {}
    response = client.post(
        f"/coach/clients/{person.id}/skills/{skill_id}/restore", follow_redirects=True
    )
    assert "The skill has been restored." in html_of(response)
    assert set(skills_of(session, person)) == {JAVA}
    response = client.post(
        f"/coach/clients/{person.id}/skills/{skill_id}/restore", follow_redirects=True
    )
    assert "on the profile already" in html_of(response)


# --- adding by typing ---------------------------------------------------------------------


def test_the_add_page_uses_the_type_ahead_for_skills(client, person):
    html = html_of(client.get(f"/coach/clients/{person.id}/skills/add"))
    assert 'data-typeahead-url="/api/esco/search"' in html
    assert f'data-concept-url="/coach/clients/{person.id}/skills/add"' in html
    assert '<input type="hidden" name="kind" value="skill">' in html
    assert "js/typeahead.js" in html and "<script>" not in html


def test_a_dutch_word_with_a_typo_finds_the_skill_without_javascript(client, session, person):
    html = html_of(client.get(f"/coach/clients/{person.id}/skills/add?q=heftrukc"))
    assert "<strong>operate forklift</strong>" in html
    assert f'name="skill_uri" value="{OPERATE_FORKLIFT}"' in html
    response = client.post(
        f"/coach/clients/{person.id}/skills/add",
        data={"skill_uri": OPERATE_FORKLIFT, "level": "experienced", "informal": "y"},
    )
    assert response.status_code == 302
    skill = skills_of(session, person)[OPERATE_FORKLIFT]
    assert (skill.source, skill.level, skill.informal) == (
        SkillSource.TYPED,
        SkillLevel.EXPERIENCED,
        True,
    )
    html = html_of(client.get(f"/coach/clients/{person.id}/skills/add?q=heftruck"))
    assert "already on the profile" in html


def test_a_picked_suggestion_is_confirmed_before_it_is_added(client, session, person):
    html = html_of(client.get(f"/coach/clients/{person.id}/skills/add?uri={WELD_METAL}"))
    assert '<h2 id="skill-heading">weld metal parts</h2>' in html
    assert "Gained informally" in html and "Add weld metal parts" in html
    assert WELD_METAL not in skills_of(session, person)


def test_a_duplicate_is_refused_with_a_message(client, session, person):
    response = client.post(
        f"/coach/clients/{person.id}/skills/add", data={"skill_uri": JAVA, "level": "experienced"}
    )
    assert response.status_code == 400
    assert "already on the client" in html_of(response)
    assert_unchanged(session, person)


def test_a_concept_that_is_not_a_skill_is_refused(client, session, person):
    response = client.post(
        f"/coach/clients/{person.id}/skills/add",
        data={"skill_uri": FORKLIFT_OPERATOR, "level": "experienced"},
    )
    assert response.status_code == 400 and "No ESCO skill" in html_of(response)
    assert_unchanged(session, person)


def test_the_labels_follow_the_coachs_language(client, session, login):
    dutch = sign_in_again(client, login, "coach", language="nl")
    person = make_client(session, coach=dutch)
    make_client_skill(session, person, OPERATE_FORKLIFT)
    session.commit()
    html = html_of(client.get(f"/coach/clients/{person.id}/skills"))
    assert "heftruck besturen" in html


# --- adding from an occupation -------------------------------------------------------------


def test_an_occupation_is_found_and_its_skills_offered_to_tick(client, session, person):
    base = f"/coach/clients/{person.id}/skills/occupation"
    html = html_of(client.get(base + "?q=heftruckchauffeur"))
    assert 'data-concept-url="' + base + '"' in html
    assert "forklift operator</a>" in html
    html = html_of(client.get(base, query_string={"uri": FORKLIFT_OPERATOR}))
    assert "Essential skills" in html and "Optional skills" in html
    assert f'name="skills" value="{OPERATE_FORKLIFT}"' in html
    response = client.post(
        base,
        data={
            "occupation_uri": FORKLIFT_OPERATOR,
            "skills": [OPERATE_FORKLIFT],
            "level": "can_teach",
        },
    )
    assert response.status_code == 302
    assert "1 skill has been added." in html_of(client.get(response.location))
    skill = skills_of(session, person)[OPERATE_FORKLIFT]
    assert (skill.source, skill.source_detail) == (SkillSource.OCCUPATION, FORKLIFT_OPERATOR)
    html = html_of(client.get(base, query_string={"uri": FORKLIFT_OPERATOR}))
    assert "already on the profile" in html


def test_a_skill_of_another_occupation_is_refused(client, session, person):
    response = client.post(
        f"/coach/clients/{person.id}/skills/occupation",
        data={"occupation_uri": FORKLIFT_OPERATOR, "skills": [WELD_METAL], "level": "can_teach"},
    )
    assert response.status_code == 400
    assert "is not a skill of this occupation" in html_of(response)
    assert_unchanged(session, person)


def test_nothing_ticked_is_told(client, session, person):
    response = client.post(
        f"/coach/clients/{person.id}/skills/occupation",
        data={"occupation_uri": FORKLIFT_OPERATOR, "level": "can_teach"},
    )
    assert response.status_code == 400 and "Tick at least one skill." in html_of(response)


# --- adding from notes --------------------------------------------------------------------


def test_the_notes_page_says_the_notes_are_not_stored(client, person):
    html = html_of(client.get(f"/coach/clients/{person.id}/skills/notes"))
    assert "The notes are not stored" in html
    assert '<option selected value="en">' in html


def test_suggestions_are_shown_with_their_words_and_nothing_is_saved(client, session, person):
    response = client.post(
        f"/coach/clients/{person.id}/skills/notes", data={"notes": NOTES, "language": "nl"}
    )
    html = html_of(response)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert "operate forklift" in html and "found in “heftruck bestuurd”" in html
    assert 'name="suggestions-0-ticked"' in html
    assert_unchanged(session, person)


def test_only_the_ticked_suggestions_are_added_with_their_words(client, session, person):
    response = client.post(
        f"/coach/clients/{person.id}/skills/notes/add",
        data={
            "suggestions-0-ticked": "y",
            "suggestions-0-uri": OPERATE_FORKLIFT,
            "suggestions-0-label": "operate forklift",
            "suggestions-0-words": "heftruck bestuurd",
            "suggestions-1-uri": WELD_METAL,
            "suggestions-1-label": "weld metal parts",
            "suggestions-1-words": "lassen",
            "level": "experienced",
        },
    )
    assert response.status_code == 302
    skills = skills_of(session, person)
    assert set(skills) == {JAVA, OPERATE_FORKLIFT}
    added = skills[OPERATE_FORKLIFT]
    assert (added.source, added.source_detail) == (SkillSource.NOTES, "heftruck bestuurd")
    html = html_of(client.get(f"/coach/clients/{person.id}/skills"))
    assert "from intake notes: “heftruck bestuurd”" in html


def test_confirming_without_a_tick_adds_nothing_and_keeps_the_suggestions(client, session, person):
    response = client.post(
        f"/coach/clients/{person.id}/skills/notes/add",
        data={
            "suggestions-0-uri": WELD_METAL,
            "suggestions-0-label": "weld metal parts",
            "level": "experienced",
        },
    )
    html = html_of(response)
    assert response.status_code == 400
    assert "Tick at least one skill." in html and "weld metal parts" in html
    assert_unchanged(session, person)


def test_empty_notes_are_refused_with_a_message(client, session, person):
    response = client.post(
        f"/coach/clients/{person.id}/skills/notes", data={"notes": "  ", "language": "nl"}
    )
    assert response.status_code == 400 and "field-errors" in html_of(response)


def test_the_row_forms_work_with_their_csrf_tokens(session_factory, session, coach, person):
    browser = make_test_app(session_factory, WTF_CSRF_ENABLED=True).test_client()
    browser.post(
        "/login",
        data={
            "email": coach.email,
            "password": PASSWORD,
            "csrf_token": token_in(browser.get("/login"), "csrf_token"),
        },
    )
    skill_id = java_id(session, person)
    page = browser.get(f"/coach/clients/{person.id}/skills")
    field = f"skill-{skill_id}-csrf_token"
    data = {field: token_in(page, field), f"skill-{skill_id}-level": "experienced"}
    assert (
        browser.post(f"/coach/clients/{person.id}/skills/{skill_id}", data=data).status_code == 302
    )
    assert skills_of(session, person)[JAVA].level == SkillLevel.EXPERIENCED
    remove = f"/coach/clients/{person.id}/skills/{skill_id}/remove"
    assert browser.post(remove).status_code == 400
    data = {"csrf_token": token_in(page, "csrf_token")}
    assert browser.post(remove, data=data).status_code == 302
    assert skills_of(session, person) == {}


def token_in(response, name):
    html = html_of(response)
    match = re.search(rf'name="{name}"(?: type="hidden")? value="([^"]+)"', html)
    return match.group(1)


# --- in a real browser --------------------------------------------------------------------


@pytest.fixture
def live_server(fresh_database_url):
    """The app on a committed database with the ESCO sample, a coach and a client of theirs."""
    engine = make_engine(fresh_database_url)
    with Session(engine) as session:
        add_concepts(session)
        coach = make_user(session, role="coach", email="coach@example.org")
        person = make_client(session, coach=coach)
        session.commit()
        person_id = person.id
    engine.dispose()
    with serve_app(fresh_database_url) as url:
        yield url, person_id


@pytest.mark.browser
def test_the_three_ways_of_adding_in_a_browser(live_server, browser):
    url, person_id = live_server
    page = browser.new_page()
    page.goto(f"{url}/coach/clients/{person_id}/skills")
    page.get_by_label("E-mail address").fill("coach@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.get_by_role("combobox", name="Add a skill by typing").press_sequentially("heftrukc")
    page.get_by_role("option", name=re.compile("operate forklift")).click()
    page.get_by_label("Level").select_option("experienced")
    page.get_by_role("button", name="Add operate forklift").click()
    expect(page.get_by_text("The skill has been added.")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("operate forklift"))).to_be_visible()

    page.get_by_role("link", name="Add skills from an occupation the client has done").click()
    page.get_by_role("combobox", name="Occupation, in any language").press_sequentially("lasser")
    page.get_by_role("option", name=re.compile("welder")).click()
    page.get_by_label("weld metal parts").check()
    page.get_by_role("button", name="Add the ticked skills").click()
    expect(page.get_by_text("1 skill has been added.")).to_be_visible()

    page.get_by_role("link", name="Add skills from intake notes").click()
    page.get_by_label("Intake notes").fill(NOTES)
    page.get_by_label("Language of the notes").select_option("nl")
    page.get_by_role("button", name="Suggest skills").click()
    expect(page.get_by_text("Already on the profile: operate forklift.")).to_be_visible()
    page.get_by_label(re.compile("clean rooms")).check()
    page.get_by_role("button", name="Add the ticked skills").click()
    expect(page.get_by_text("from intake notes: “kamers schoongemaakt”")).to_be_visible()
    rows = page.locator("tbody th[scope=row]")
    expect(rows).to_have_text(["clean rooms", "operate forklift", "weld metal parts"])
