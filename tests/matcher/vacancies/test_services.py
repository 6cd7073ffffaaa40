"""Employers' vacancies through the services: the fair-work rules applied, own vacancies only."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from matcher.audit.models import AuditEvent
from matcher.errors import Forbidden, InvalidTransition, NotFound, ValidationError
from matcher.matching.models import ProposalStatus
from matcher.matching.state import VACANCIES, versions
from matcher.profiles.models import Cefr
from matcher.skills.models import Concept
from matcher.skills.search import clear_index_cache
from matcher.vacancies.drafts import VacancyDraft
from matcher.vacancies.models import ContractType, Vacancy, VacancyStatus
from matcher.vacancies.rules import V1_BELOW_MINIMUM, V3_WORKER_FEES, PayPeriod
from matcher.vacancies.services import (
    VacancyRefused,
    close_past_closing_date,
    close_vacancy,
    create_vacancy,
    get_own_vacancy,
    list_own_vacancies,
    update_vacancy,
)
from matcher.vacancies.skills import SkillOrigin, suggest_vacancy_skills
from tests.factories import link_skill, make_user
from tests.matcher.profiles.builders import make_client, make_employer_profile
from tests.matcher.skills.esco_sample import (
    CLEAN_ROOMS,
    FORKLIFT_OPERATOR,
    JAVA,
    OPERATE_FORKLIFT,
    WELD_METAL,
    add_concepts,
)
from tests.matcher.vacancies.builders import make_proposal, make_vacancy

# Inside the bundled NL wage table (minimum €14.71 an hour from 2026-01-01), so the rules are
# decided by the terms alone, not by the table running out.
TODAY = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def esco(session):
    add_concepts(session)
    clear_index_cache()
    yield
    clear_index_cache()


@pytest.fixture
def profile(session):
    return make_employer_profile(session, sector="logistics")


@pytest.fixture
def employer(session, profile):
    return make_user(session, role="employer", organisation=profile.organisation)


def draft(**changes) -> VacancyDraft:
    fields = dict(
        title="Forklift driver",
        place="Tilburg",
        hours_per_week=32,
        contract_type=ContractType.FIXED_TERM,
        contract_months=6,
        wage_amount=Decimal("16.50"),
        wage_period=PayPeriod.HOUR,
        closing_date=TODAY + timedelta(days=30),
        occupation_uri=FORKLIFT_OPERATOR,
        description="You drive a forklift in our warehouse.",
        essential_skills=(OPERATE_FORKLIFT,),
        optional_skills=(CLEAN_ROOMS,),
        languages=(("nl", Cefr.A2),),
        shifts=("early",),
        support=("buddy",),
    )
    return VacancyDraft(**(fields | changes))


def vacancy_count(session) -> int:
    return session.scalar(select(func.count()).select_from(Vacancy))


def test_a_clean_vacancy_opens_at_once_with_the_employer_sector_and_country(session, employer):
    before = versions(session)[VACANCIES]
    vacancy = create_vacancy(session, employer, draft(), today=TODAY)
    assert vacancy.status == VacancyStatus.OPEN and vacancy.published_at is not None
    assert vacancy.findings == []
    assert (vacancy.sector, vacancy.country) == ("logistics", "NL")
    assert {(s.skill_uri, s.essential) for s in vacancy.skills} == {
        (OPERATE_FORKLIFT, True),
        (CLEAN_ROOMS, False),
    }
    assert [(row.language, row.level) for row in vacancy.languages] == [("nl", Cefr.A2)]
    assert versions(session)[VACANCIES] == before + 1
    event = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (event.action, event.object_type, event.to_state) == ("create", "vacancy", "open")


def test_a_wage_below_the_minimum_is_refused_with_the_reason_and_nothing_saved(session, employer):
    with pytest.raises(VacancyRefused) as refused:
        create_vacancy(session, employer, draft(wage_amount=Decimal("12.00")), today=TODAY)
    assert refused.value.message == V1_BELOW_MINIMUM
    assert refused.value.params["minimum"] == "14.71"
    assert "14.71" in str(refused.value)
    assert isinstance(refused.value, ValidationError)
    assert vacancy_count(session) == 0


def test_a_monthly_wage_is_compared_over_the_hours_worked(session, employer):
    # €2,000 a month for 40 hours is about €11.54 an hour: too low.
    monthly = draft(wage_amount=Decimal("2000"), wage_period=PayPeriod.MONTH, hours_per_week=40)
    with pytest.raises(VacancyRefused):
        create_vacancy(session, employer, monthly, today=TODAY)


def test_fees_charged_to_workers_are_refused(session, employer):
    with pytest.raises(VacancyRefused) as refused:
        create_vacancy(session, employer, draft(worker_fees=True), today=TODAY)
    assert refused.value.message == V3_WORKER_FEES
    assert vacancy_count(session) == 0


def test_housing_tied_to_the_contract_holds_the_vacancy_for_a_mediator(session, employer):
    tied = draft(housing_offered=True, housing_tied_to_contract=True)
    vacancy = create_vacancy(session, employer, tied, today=TODAY)
    assert vacancy.status == VacancyStatus.HELD and vacancy.published_at is None
    assert [(f["code"], f["severity"]) for f in vacancy.findings] == [("V4", "hold")]
    assert set(vacancy.findings[0]) == {"code", "severity", "message", "params"}


def test_a_risky_phrase_holds_the_vacancy_and_names_the_phrase(session, employer):
    vacancy = create_vacancy(
        session, employer, draft(description="Cash only, start tomorrow."), today=TODAY
    )
    assert vacancy.status == VacancyStatus.HELD
    assert any(f["params"].get("phrase", "").lower() == "cash only" for f in vacancy.findings)


def test_rent_above_the_legal_cap_deducted_from_pay_is_refused(session, employer):
    housing = draft(
        housing_offered=True,
        housing_rent=Decimal("900"),
        housing_rent_period=PayPeriod.MONTH,
        housing_deducted_from_pay=True,
    )
    with pytest.raises(VacancyRefused):
        create_vacancy(session, employer, housing, today=TODAY)


@pytest.mark.parametrize("status", ["pending", "submitted", "suspended", "expired", "rejected"])
def test_only_an_employer_that_may_be_matched_can_post(session, status):
    profile = make_employer_profile(session, status=status)
    user = make_user(session, role="employer", organisation=profile.organisation)
    with pytest.raises(Forbidden) as refused:
        create_vacancy(session, user, draft(), today=TODAY)
    assert refused.value.params["status"] == status
    assert vacancy_count(session) == 0


def test_an_employer_approved_with_conditions_can_post(session):
    profile = make_employer_profile(session, status="approved_with_conditions")
    user = make_user(session, role="employer", organisation=profile.organisation)
    assert create_vacancy(session, user, draft(), today=TODAY).status == VacancyStatus.OPEN


def test_other_roles_cannot_post(session):
    with pytest.raises(Forbidden):
        create_vacancy(session, make_user(session, role="mediator"), draft(), today=TODAY)


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"title": "  "}, "Fill in"),
        ({"hours_per_week": 0}, "hours per week"),
        ({"hours_per_week": 61}, "hours per week"),
        ({"wage_amount": Decimal("0")}, "more than zero"),
        ({"wage_amount": Decimal("16.505")}, "euros and cents"),
        ({"wage_period": "year"}, "hourly, weekly or monthly"),
        ({"contract_months": None}, "months"),
        ({"contract_type": ContractType.PERMANENT}, "permanent"),
        ({"contract_type": "zero_hours"}, "kind of contract"),
        ({"closing_date": TODAY}, "future"),
        ({"closing_date": TODAY + timedelta(days=400)}, "a year"),
        ({"closing_date": None}, "closing date"),
        ({"housing_rent": Decimal("300"), "housing_rent_period": PayPeriod.MONTH}, "housing"),
        ({"housing_tied_to_contract": True}, "housing"),
        ({"languages": (("nl", "A2"), ("NL", "B1"))}, "twice"),
        ({"languages": (("xx1", "A2"),)}, "language code"),
        ({"languages": (("de", "Z9"),)}, ""),
        ({"shifts": ("siesta",)}, "shift"),
        ({"support": ("free lunch",)}, "support"),
        ({"essential_skills": ()}, "essential skill"),
        ({"essential_skills": (FORKLIFT_OPERATOR,)}, "No ESCO skill"),
        ({"optional_skills": (OPERATE_FORKLIFT,)}, "not both"),
        ({"occupation_uri": OPERATE_FORKLIFT}, "No ESCO occupation"),
    ],
)
def test_every_field_is_checked_before_anything_is_saved(session, employer, changes, words):
    with pytest.raises(ValidationError) as refused:
        create_vacancy(session, employer, draft(**changes), today=TODAY)
    assert words in str(refused.value)
    assert vacancy_count(session) == 0


def test_housing_with_rent_needs_a_weekly_or_monthly_period(session, employer):
    rent = draft(housing_offered=True, housing_rent=Decimal("100"), housing_rent_period="hour")
    with pytest.raises(ValidationError):
        create_vacancy(session, employer, rent, today=TODAY)
    weekly = replace(rent, housing_rent_period=PayPeriod.WEEK)
    vacancy = create_vacancy(session, employer, weekly, today=TODAY)
    assert (vacancy.housing_rent, vacancy.housing_rent_period) == (Decimal("100"), "week")


def test_an_employer_sees_only_its_own_vacancies(session, employer):
    own = create_vacancy(session, employer, draft(), today=TODAY)
    other = make_vacancy(session)  # another employer's
    assert [v.id for v in list_own_vacancies(session, employer)] == [own.id]
    assert get_own_vacancy(session, employer, own.id) is own
    with pytest.raises(NotFound):
        get_own_vacancy(session, employer, other.id)
    with pytest.raises(NotFound):
        update_vacancy(session, employer, other.id, draft(), today=TODAY)
    with pytest.raises(NotFound):
        close_vacancy(session, employer, other.id)


def test_changing_an_open_vacancy_runs_the_rules_again(session, employer):
    vacancy = create_vacancy(session, employer, draft(), today=TODAY)
    client = make_client(session)
    proposal = make_proposal(session, client, vacancy)
    changed = draft(description="Cash only.", essential_skills=(CLEAN_ROOMS,), optional_skills=())
    update_vacancy(session, employer, vacancy.id, changed, vacancy.version_id, today=TODAY)
    assert vacancy.status == VacancyStatus.HELD and vacancy.findings
    assert [(s.skill_uri, s.essential) for s in vacancy.skills] == [(CLEAN_ROOMS, True)]
    # The terms changed under the proposal: it may not go on until a mediator has looked.
    assert proposal.status == ProposalStatus.FROZEN


def test_a_change_refused_by_the_rules_leaves_the_vacancy_as_it_was(session, employer):
    vacancy = create_vacancy(session, employer, draft(), today=TODAY)
    with pytest.raises(VacancyRefused):
        update_vacancy(session, employer, vacancy.id, draft(wage_amount=Decimal("9")), today=TODAY)
    session.refresh(vacancy)
    assert vacancy.wage_amount == Decimal("16.50") and vacancy.status == VacancyStatus.OPEN


def test_a_stale_form_is_told_someone_changed_the_vacancy(session, employer):
    vacancy = create_vacancy(session, employer, draft(), today=TODAY)
    old_version = vacancy.version_id
    update_vacancy(session, employer, vacancy.id, draft(title="Driver"), old_version, TODAY)
    with pytest.raises(InvalidTransition):
        update_vacancy(session, employer, vacancy.id, draft(title="Other"), old_version, TODAY)
    assert vacancy.title == "Driver"


def test_changing_a_refused_vacancy_sends_it_back_to_a_mediator(session, profile, employer):
    vacancy = make_vacancy(
        session, profile, status=VacancyStatus.REFUSED, essential=(OPERATE_FORKLIFT,)
    )
    update_vacancy(session, employer, vacancy.id, draft(), today=TODAY)
    assert vacancy.status == VacancyStatus.HELD
    assert [f["code"] for f in vacancy.findings] == ["resubmitted"]


def test_a_closed_vacancy_cannot_be_changed(session, employer):
    vacancy = create_vacancy(session, employer, draft(), today=TODAY)
    close_vacancy(session, employer, vacancy.id)
    with pytest.raises(InvalidTransition):
        update_vacancy(session, employer, vacancy.id, draft(), today=TODAY)
    with pytest.raises(InvalidTransition):
        close_vacancy(session, employer, vacancy.id)


def test_closing_a_vacancy_freezes_its_open_proposals_only(session, employer):
    vacancy = create_vacancy(session, employer, draft(), today=TODAY)
    waiting = make_proposal(session, make_client(session), vacancy)
    invited = make_proposal(session, make_client(session), vacancy, status=ProposalStatus.INVITED)
    before = versions(session)[VACANCIES]
    close_vacancy(session, employer, vacancy.id, vacancy.version_id)
    assert vacancy.status == VacancyStatus.CLOSED and vacancy.closed_at is not None
    assert (waiting.status, waiting.frozen_reason) == (ProposalStatus.FROZEN, "vacancy_closed")
    assert invited.status == ProposalStatus.INVITED
    assert versions(session)[VACANCIES] == before + 1
    actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-2:] == ["close", "freeze_proposal"]


def test_the_scheduler_closes_vacancies_past_their_closing_date(session, profile):
    past = make_vacancy(session, profile, closing_date=date(2026, 3, 1))
    held = make_vacancy(session, profile, closing_date=date(2026, 2, 1), status="held")
    today_last = make_vacancy(session, profile, closing_date=date(2026, 3, 2))
    refused = make_vacancy(session, profile, closing_date=date(2026, 2, 1), status="refused")
    proposal = make_proposal(session, make_client(session), past)
    assert close_past_closing_date(session, TODAY) == 2
    assert (past.status, held.status) == (VacancyStatus.CLOSED, VacancyStatus.CLOSED)
    assert today_last.status == VacancyStatus.OPEN and refused.status == VacancyStatus.REFUSED
    assert proposal.status == ProposalStatus.FROZEN
    event = session.scalar(
        select(AuditEvent).where(AuditEvent.action == "close_past_closing_date").limit(1)
    )
    assert event.actor_id is None
    assert close_past_closing_date(session, TODAY) == 0  # idempotent


def test_skills_are_suggested_from_the_occupation_and_the_description(session):
    forklift = session.scalar(select(Concept).where(Concept.uri == FORKLIFT_OPERATOR))
    clean = session.scalar(select(Concept).where(Concept.uri == CLEAN_ROOMS))
    link_skill(session, forklift, clean, "optional")
    clear_index_cache()
    found = suggest_vacancy_skills(
        session, FORKLIFT_OPERATOR, "Wij zoeken iemand die kan lassen: weld metal parts.", "nl"
    )
    by_uri = {s.uri: s for s in found}
    assert by_uri[OPERATE_FORKLIFT].origin == SkillOrigin.OCCUPATION_ESSENTIAL
    assert by_uri[OPERATE_FORKLIFT].label == "heftruck besturen"  # in the reader's language
    assert (by_uri[OPERATE_FORKLIFT].essential, by_uri[OPERATE_FORKLIFT].ticked) == (True, True)
    assert by_uri[CLEAN_ROOMS].origin == SkillOrigin.OCCUPATION_OPTIONAL
    assert not by_uri[CLEAN_ROOMS].ticked
    assert by_uri[WELD_METAL].origin == SkillOrigin.DESCRIPTION
    assert JAVA not in by_uri
    assert [s.uri for s in found][:2] == [OPERATE_FORKLIFT, CLEAN_ROOMS]  # occupation first
    assert vacancy_count(session) == 0  # suggestions are never saved


def test_suggestions_for_an_unknown_occupation_are_refused(session):
    with pytest.raises(ValidationError):
        suggest_vacancy_skills(session, OPERATE_FORKLIFT, "", "en")
