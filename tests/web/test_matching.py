"""The matches pages: a client's vacancies (coach, mediator) and a vacancy's clients (mediator)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from matcher.audit.models import AuditEvent
from matcher.profiles.consent import give_consent
from matcher.profiles.safety import add_employer_limit
from tests.factories import link_broader, make_concept, make_organisation, make_user
from tests.matcher.profiles.builders import make_client, make_client_skill, make_employer_profile
from tests.matcher.vacancies.builders import make_vacancy


def html_of(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def skills(session):
    """Three skills named in English and Dutch; 'sibling' is kin of 'mine'."""
    parent = make_concept(session, uri="urn:s:parent", labels={"en": "metalwork"})
    weld = make_concept(session, uri="urn:s:weld", labels={"en": "weld metal", "nl": "lassen"})
    mine = make_concept(session, uri="urn:s:mine", labels={"en": "cut metal"})
    sibling = make_concept(session, uri="urn:s:sibling", labels={"en": "bend metal"})
    lack = make_concept(session, uri="urn:s:lack", labels={"en": "read blueprints"})
    link_broader(session, mine, parent)
    link_broader(session, sibling, parent)
    return weld, mine, sibling, lack


@pytest.fixture
def world(session, skills):
    """A client of a coach's organisation with matching consent, a good and an excluded vacancy."""
    organisation = make_organisation(session)
    coach = make_user(session, organisation=organisation)
    person = make_client(session, coach=coach, first_name="Secretname")
    for uri in ("urn:s:weld", "urn:s:mine"):
        make_client_skill(session, person, uri)
    give_consent(session, coach, person.id, "matching")
    good = make_vacancy(
        session,
        make_employer_profile(session, legal_name="Fair Metal"),
        title="Welder at Fair Metal",
        essential=("urn:s:weld", "urn:s:sibling", "urn:s:lack"),
    )
    harmful = make_employer_profile(session, legal_name="Oldfarm Metal")
    excluded = make_vacancy(
        session, harmful, title="Welder at Oldfarm", essential=("urn:s:weld", "urn:s:mine")
    )
    add_employer_limit(session, coach, person.id, employer_id=harmful.id, relation="itself")
    session.commit()
    return {"coach": coach, "client": person, "good": good, "excluded": excluded}


def test_a_coach_sees_the_clients_vacancies_with_the_explanation(client, session, login, world):
    login("coach", organisation=world["coach"].organisation)
    response = client.get(f"/coach/clients/{world['client'].id}/matches")
    html = html_of(response)
    assert response.status_code == 200
    assert "Welder at Fair Metal" in html
    assert "Oldfarm" not in html  # excluded by the client's limit, whatever its score
    assert "weld metal" in html  # matched
    assert "bend metal, through cut metal" in html  # partly matched, and through which skill
    assert "read blueprints" in html  # missing essential
    assert "Not an employer or related firm the client avoids" in html  # a filter passed


def test_the_page_names_skills_in_the_readers_language(client, session, login, world):
    login("coach", organisation=world["coach"].organisation, language="nl")
    html = html_of(client.get(f"/coach/clients/{world['client'].id}/matches"))
    assert "lassen" in html


def test_a_mediator_sees_a_clients_vacancies_and_the_view_is_audited(client, session, login, world):
    mediator = login("mediator")
    response = client.get(f"/coach/clients/{world['client'].id}/matches")
    assert response.status_code == 200
    assert "Welder at Fair Metal" in html_of(response)
    session.expire_all()
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.actor_id == mediator.id, AuditEvent.action == "view")
    ).all()
    assert [(e.object_type, e.object_id) for e in events] == [("client", world["client"].id)]


def test_a_coach_of_another_organisation_is_refused(client, login, world):
    login("coach")
    assert client.get(f"/coach/clients/{world['client'].id}/matches").status_code == 403


@pytest.mark.parametrize("role", ["employer", "admin"])
def test_employers_and_admins_never_see_matches(client, login, world, role):
    login(role)
    assert client.get(f"/coach/clients/{world['client'].id}/matches").status_code == 403
    assert client.get(f"/mediator/vacancies/{world['good'].id}/matches").status_code == 403


def test_a_coach_never_sees_a_vacancys_clients(client, login, world):
    login("coach", organisation=world["coach"].organisation)
    assert client.get(f"/mediator/vacancies/{world['good'].id}/matches").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    response = client.get(f"/mediator/vacancies/{world['good'].id}/matches")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_mediator_sees_a_vacancys_clients_by_code_never_by_name(client, session, login, world):
    mediator = login("mediator")
    response = client.get(f"/mediator/vacancies/{world['good'].id}/matches")
    html = html_of(response)
    assert response.status_code == 200
    assert world["client"].code in html
    assert "Secretname" not in html
    assert "bend metal, through cut metal" in html
    session.expire_all()
    event = session.scalar(
        select(AuditEvent).where(
            AuditEvent.actor_id == mediator.id, AuditEvent.action == "view_matches"
        )
    )
    assert (event.object_type, event.object_id) == ("vacancy", world["good"].id)


def test_an_excluded_vacancy_shows_no_client(client, login, world):
    login("mediator")
    html = html_of(client.get(f"/mediator/vacancies/{world['excluded'].id}/matches"))
    assert world["client"].code not in html


def test_a_missing_client_or_vacancy_answers_404(client, login):
    login("mediator")
    assert client.get("/coach/clients/999999/matches").status_code == 404
    assert client.get("/mediator/vacancies/999999/matches").status_code == 404


def test_a_client_without_consent_is_told_why_nothing_shows(client, session, login, world):
    coach = login("coach")
    person = make_client(session, coach=coach)
    make_client_skill(session, person, "urn:s:weld")
    session.commit()
    html = html_of(client.get(f"/coach/clients/{person.id}/matches"))
    assert "has not consented to matching" in html
    assert "Welder at Fair Metal" not in html
