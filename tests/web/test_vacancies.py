"""The vacancy pages: employers post, change and close their own; mediators review held ones."""

from __future__ import annotations

import dataclasses
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from matcher.matching.models import ProposalStatus
from matcher.skills.search import clear_index_cache
from matcher.vacancies import services as vacancy_services
from matcher.vacancies.models import Vacancy, VacancyStatus
from matcher.vacancies.tables import load_wage_table
from tests.factories import make_user
from tests.matcher.profiles.builders import make_client, make_employer_profile
from tests.matcher.skills.esco_sample import (
    CLEAN_ROOMS,
    FORKLIFT_OPERATOR,
    OPERATE_FORKLIFT,
    add_concepts,
)
from tests.matcher.vacancies.builders import make_proposal, make_vacancy
from tests.web.conftest import make_test_app

FINDINGS = [
    {"code": "V4", "severity": "hold", "params": {},
     "message": "Housing is tied to the job: losing the job would mean losing the home. A "
                "mediator checks this before the vacancy is published."},
]  # fmt: skip


@pytest.fixture(autouse=True)
def esco(session):
    add_concepts(session)
    session.commit()
    clear_index_cache()
    yield
    clear_index_cache()


@pytest.fixture(autouse=True)
def current_wage_table(monkeypatch):
    """The bundled table, known to hold until after today, so only the terms decide."""
    table = load_wage_table()
    nl = dataclasses.replace(table.countries["NL"], known_until=date.today() + timedelta(days=400))
    patched = dataclasses.replace(table, countries={**table.countries, "NL": nl})
    monkeypatch.setattr(vacancy_services, "load_wage_table", lambda: patched)


@pytest.fixture
def profile(session):
    profile = make_employer_profile(session, legal_name="Depot Noord BV", sector="logistics")
    session.commit()
    return profile


@pytest.fixture
def employer(login, profile):
    return login("employer", organisation=profile.organisation)


def form_data(**changes) -> dict[str, str]:
    data = {
        "title": "Forklift driver",
        "occupation_q": "forklift operator",
        "occupation_uri": FORKLIFT_OPERATOR,
        "description": "You drive a forklift in our warehouse.",
        "place": "Tilburg",
        "hours_per_week": "32",
        "shifts": "early",
        "contract_type": "fixed_term",
        "contract_months": "6",
        "wage_amount": "16.50",
        "wage_period": "hour",
        "housing_rent": "",
        "housing_rent_period": "",
        "worker_fees": "no",
        "languages-0-language": "nl",
        "languages-0-level": "A2",
        "support": "buddy",
        "closing_date": (date.today() + timedelta(days=30)).isoformat(),
        "skills-0-uri": OPERATE_FORKLIFT,
        "skills-0-origin": "occupation_essential",
        "skills-0-ticked": "y",
        "skills-0-importance": "essential",
        "save": "Save the vacancy",
    }
    return {key: value for key, value in (data | changes).items() if value is not None}


def vacancies_of(session, profile) -> list[Vacancy]:
    session.expire_all()
    return list(session.scalars(select(Vacancy).where(Vacancy.employer_id == profile.id)))


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def test_an_approved_employer_is_offered_to_post(client, employer):
    page = text_of(client.get("/employer/vacancies"))
    assert "Post a new vacancy" in page
    assert client.get("/employer/vacancies/new").status_code == 200


@pytest.mark.parametrize("status", ["pending", "suspended", "expired"])
def test_an_employer_that_may_not_be_matched_is_told_why(client, login, session, status):
    profile = make_employer_profile(session, status=status)
    login("employer", organisation=profile.organisation)
    page = text_of(client.get("/employer/vacancies"))
    assert "Post a new vacancy" not in page
    assert "cannot post vacancies while its vetting status is" in page
    assert 'href="/employer/checklist"' in page
    response = client.post("/employer/vacancies/new", data=form_data())
    assert response.status_code == 302 and response.location.endswith("/employer/vacancies")
    assert vacancies_of(session, profile) == []


def test_suggesting_skills_fills_the_form_and_saves_nothing(client, employer, session, profile):
    data = form_data(save=None, suggest="Suggest skills", occupation_uri=None)
    data = {k: v for k, v in data.items() if not k.startswith("skills-")}
    response = client.post("/employer/vacancies/new", data=data)
    page = text_of(response)
    assert response.status_code == 200
    # The occupation found by the words is chosen, and its essential skill offered ticked.
    assert re.search(rf'value="{re.escape(FORKLIFT_OPERATOR)}"[^>]* checked', page) or re.search(
        rf'checked[^>]*value="{re.escape(FORKLIFT_OPERATOR)}"', page
    )
    assert "operate forklift" in page and "essential for the occupation in ESCO" in page
    assert 'name="skills-0-uri" type="hidden" value="' + OPERATE_FORKLIFT in page
    assert re.search(r'id="skills-0-ticked" name="skills-0-ticked" type="checkbox" value="y"'
                     r"[^>]*checked", page) or 'checked id="skills-0-ticked"' in page  # fmt: skip
    assert "Tilburg" in page  # everything typed is kept
    assert vacancies_of(session, profile) == []


def test_finding_a_skill_by_name_adds_it_unticked(client, employer):
    data = form_data(save=None, find_skill="Find skill", skill_q="clean rooms")
    page = text_of(client.post("/employer/vacancies/new", data=data))
    assert "clean rooms" in page and "found by your search" in page
    assert 'name="skills-1-uri" type="hidden" value="' + CLEAN_ROOMS in page


def test_the_filled_in_form_saves_an_open_vacancy(client, employer, session, profile):
    data = form_data(**{"skills-1-uri": CLEAN_ROOMS, "skills-1-ticked": "y",
                        "skills-1-importance": "optional",
                        "skills-2-uri": FORKLIFT_OPERATOR})  # fmt: skip  # unticked: ignored
    response = client.post("/employer/vacancies/new", data=data)
    assert response.status_code == 302, text_of(response)
    [vacancy] = vacancies_of(session, profile)
    assert response.location.endswith(f"/employer/vacancies/{vacancy.id}")
    assert vacancy.status == VacancyStatus.OPEN and vacancy.occupation_uri == FORKLIFT_OPERATOR
    assert {(s.skill_uri, s.essential) for s in vacancy.skills} == {
        (OPERATE_FORKLIFT, True),
        (CLEAN_ROOMS, False),
    }
    assert (vacancy.shifts, vacancy.support, vacancy.sector) == (["early"], ["buddy"], "logistics")
    assert [(row.language, row.level) for row in vacancy.languages] == [("nl", "A2")]
    page = text_of(client.get(response.location))
    assert "operate forklift" in page and "Close the vacancy" in page


def test_a_wage_below_the_minimum_is_refused_with_the_reason(client, employer, session, profile):
    response = client.post("/employer/vacancies/new", data=form_data(wage_amount="9.50"))
    page = text_of(response)
    assert response.status_code == 400
    assert "below the statutory minimum wage of €14.71 an hour in NL" in page
    assert "Nothing has been saved" in page
    assert 'value="9.50"' in page  # the form keeps what was typed
    assert vacancies_of(session, profile) == []


def test_fees_charged_to_workers_are_refused(client, employer, session, profile):
    response = client.post("/employer/vacancies/new", data=form_data(worker_fees="yes"))
    assert response.status_code == 400
    assert "Employers pay the costs of recruitment" in text_of(response)
    assert vacancies_of(session, profile) == []


def test_tied_housing_is_saved_and_held_with_the_reason(client, employer, session, profile):
    data = form_data(housing_offered="y", housing_tied_to_contract="y")
    response = client.post("/employer/vacancies/new", data=data)
    [vacancy] = vacancies_of(session, profile)
    assert vacancy.status == VacancyStatus.HELD
    page = text_of(client.get("/employer/vacancies"))
    assert "waiting for a mediator" in page and "Housing is tied to the job" in page
    assert "A mediator reads this vacancy before" in text_of(client.get(response.location))


def test_saving_needs_an_essential_skill(client, employer, session, profile):
    data = form_data(**{"skills-0-importance": "optional"})
    response = client.post("/employer/vacancies/new", data=data)
    assert response.status_code == 400
    assert "Choose at least one essential skill." in text_of(response)
    assert vacancies_of(session, profile) == []


def test_words_for_an_occupation_need_a_choice_before_saving(client, employer, session, profile):
    response = client.post("/employer/vacancies/new", data=form_data(occupation_uri=None))
    assert response.status_code == 400
    assert "to choose the occupation" in text_of(response)


def test_missing_fields_are_named_and_nothing_saved(client, employer, session, profile):
    data = form_data(title="", hours_per_week="80", worker_fees=None)
    page = text_of(client.post("/employer/vacancies/new", data=data))
    assert "Answer this question." in page and "Number must be between 1 and 60." in page
    assert vacancies_of(session, profile) == []


def test_the_edit_form_is_filled_in_and_saves_changes(client, employer, session, profile):
    vacancy = make_vacancy(session, profile, essential=(OPERATE_FORKLIFT,),
                           occupation_uri=FORKLIFT_OPERATOR, contract_months=6)  # fmt: skip
    session.commit()
    page = text_of(client.get(f"/employer/vacancies/{vacancy.id}/edit"))
    assert 'value="Warehouse worker"' in page and "operate forklift" in page
    data = form_data(title="Night forklift driver", version=str(vacancy.version_id))
    response = client.post(f"/employer/vacancies/{vacancy.id}/edit", data=data)
    assert response.status_code == 302, text_of(response)
    session.expire_all()
    assert session.get(Vacancy, vacancy.id).title == "Night forklift driver"


def test_an_employer_cannot_see_or_change_another_employers_vacancy(client, employer, session):
    other = make_vacancy(session, essential=(OPERATE_FORKLIFT,))
    session.commit()
    assert client.get(f"/employer/vacancies/{other.id}").status_code == 404
    assert client.get(f"/employer/vacancies/{other.id}/edit").status_code == 404
    response = client.post(f"/employer/vacancies/{other.id}/edit", data=form_data())
    assert response.status_code == 404
    closing = {"version": str(other.version_id)}
    assert client.post(f"/employer/vacancies/{other.id}/close", data=closing).status_code == 404
    session.expire_all()
    assert session.get(Vacancy, other.id).status == VacancyStatus.OPEN


def test_closing_a_vacancy_freezes_its_open_proposals(client, employer, session, profile):
    vacancy = make_vacancy(session, profile, essential=(OPERATE_FORKLIFT,))
    proposal = make_proposal(session, make_client(session), vacancy)
    session.commit()
    response = client.post(
        f"/employer/vacancies/{vacancy.id}/close", data={"version": str(vacancy.version_id)}
    )
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Vacancy, vacancy.id).status == VacancyStatus.CLOSED
    assert proposal.status == ProposalStatus.FROZEN
    page = text_of(client.get(response.location))
    assert "The vacancy is closed." in page and "Close the vacancy" not in page


@pytest.mark.parametrize(
    ("role", "path"),
    [
        ("coach", "/employer/vacancies"),
        ("mediator", "/employer/vacancies/new"),
        ("employer", "/mediator/vacancies"),
        ("coach", "/mediator/vacancies/1"),
    ],
)
def test_each_page_is_for_its_role_only(client, login, role, path):
    login(role)
    assert client.get(path).status_code == 403


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get("/employer/vacancies")
    assert response.status_code == 302 and "/login" in response.location


def test_a_mediator_publishes_a_held_vacancy(client, login, session, profile):
    vacancy = make_vacancy(session, profile, status="held", findings=FINDINGS,
                           essential=(OPERATE_FORKLIFT,))  # fmt: skip
    session.commit()
    login("mediator")
    page = text_of(client.get("/mediator/vacancies"))
    assert "Warehouse worker" in page and "Depot Noord BV" in page
    assert "Housing is tied to the job" in page
    review = text_of(client.get(f"/mediator/vacancies/{vacancy.id}"))
    assert "Depot Noord BV (approved)" in review and "operate forklift" in review
    data = {"version": str(vacancy.version_id), "decision": "publish", "note": "Checked."}
    response = client.post(f"/mediator/vacancies/{vacancy.id}", data=data)
    assert response.status_code == 302 and response.location.endswith("/mediator/vacancies")
    session.expire_all()
    assert session.get(Vacancy, vacancy.id).status == VacancyStatus.OPEN


def test_a_refusal_needs_a_reason_and_the_employer_reads_it(client, login, session, profile):
    vacancy = make_vacancy(session, profile, status="held", findings=FINDINGS)
    session.commit()
    login("mediator")
    path, version = f"/mediator/vacancies/{vacancy.id}", str(vacancy.version_id)
    response = client.post(path, data={"version": version, "decision": "refuse", "note": ""})
    assert response.status_code == 400
    assert "Give the employer a reason for the refusal." in text_of(response)
    data = {"version": version, "decision": "refuse", "note": "Separate the housing."}
    assert client.post(path, data=data).status_code == 302
    client.post("/logout")
    login("employer", organisation=profile.organisation)
    page = text_of(client.get("/employer/vacancies"))
    assert "refused" in page and "Separate the housing." in page


def test_the_second_mediator_is_told_the_vacancy_was_decided(client, login, session, profile):
    vacancy = make_vacancy(session, profile, status="held", findings=FINDINGS)
    session.commit()
    login("mediator")
    old = {"version": str(vacancy.version_id), "note": "x"}
    first = client.post(f"/mediator/vacancies/{vacancy.id}", data=old | {"decision": "publish"})
    assert first.status_code == 302
    response = client.post(f"/mediator/vacancies/{vacancy.id}", data=old | {"decision": "refuse"})
    assert response.status_code == 409
    assert "already decided" in text_of(response)
    session.expire_all()
    assert session.get(Vacancy, vacancy.id).status == VacancyStatus.OPEN


def test_every_form_is_csrf_protected(session, session_factory, profile):
    app = make_test_app(session_factory, WTF_CSRF_ENABLED=True)
    client = app.test_client()
    user = make_user(session, role="employer", organisation=profile.organisation)
    vacancy = make_vacancy(session, profile, essential=(OPERATE_FORKLIFT,))
    session.commit()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    login = {"email": user.email, "password": "correct horse battery", "csrf_token": token}
    assert client.post("/login", data=login).status_code == 302
    suggest = form_data(save=None, suggest="Suggest skills")
    assert client.post("/employer/vacancies/new", data=suggest).status_code == 400
    assert client.post("/employer/vacancies/new", data=form_data()).status_code == 400
    closing = {"version": str(vacancy.version_id)}
    assert client.post(f"/employer/vacancies/{vacancy.id}/close", data=closing).status_code == 400
    session.expire_all()
    assert session.get(Vacancy, vacancy.id).status == VacancyStatus.OPEN
    count = select(func.count()).select_from(Vacancy).where(Vacancy.employer_id == profile.id)
    assert session.scalar(count) == 1
    page = client.get("/employer/vacancies/new").get_data(as_text=True)
    assert 'name="csrf_token"' in page


def test_the_pages_render_in_dutch(client, login, session, profile):
    login("employer", organisation=profile.organisation, language="nl")
    page = text_of(client.get("/employer/vacancies/new"))
    assert '<html lang="nl"' in page and "Uren per week" in page
    response = client.post("/employer/vacancies/new", data=form_data(wage_amount="9.50"))
    assert "lager dan het wettelijk minimumloon van €14.71 per uur" in text_of(response)


def test_a_dutch_mediator_sees_the_review_page(client, login, session, profile):
    vacancy = make_vacancy(session, profile, status="held", findings=FINDINGS)
    session.commit()
    login("mediator", language="nl")
    assert client.get("/mediator/vacancies").status_code == 200
    page = text_of(client.get(f"/mediator/vacancies/{vacancy.id}"))
    assert '<html lang="nl"' in page and "Depot Noord BV" in page


def test_many_vacancies_come_a_page_at_a_time_running_ones_first(
    app, client, session, employer, profile
):
    app.config["PAGE_SIZE"] = 2
    for n in range(2):
        make_vacancy(session, profile, title=f"Job {n}")
    # The newest, but closed: it comes after the running ones.
    closed = make_vacancy(session, profile, title="Old job", status="closed")
    session.commit()

    first = text_of(client.get("/employer/vacancies"))
    last = text_of(client.get("/employer/vacancies?page=2"))

    assert "Job 0" in first and "Job 1" in first and "Old job" not in first
    assert "3 vacancies" in first and 'href="/employer/vacancies?page=2"' in first
    assert '<nav class="pager" aria-label="Pages of your vacancies">' in first
    assert "Old job" in last and "Job 0" not in last
    assert f'href="/employer/vacancies/{closed.id}"' in last
