"""The hard filters: nothing they exclude ever appears, in either direction, whatever the score.

Every case gives the forbidden vacancy a perfect skill match (the client's own skills, all
essential) next to an allowed vacancy that matches worse, so only a filter can keep it out.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from matcher.db import utcnow
from matcher.matching.engine import rank_all, rank_clients_for_vacancy, rank_vacancies_for_client
from matcher.matching.filters import FILTER_CODES
from matcher.profiles.models import (
    Consent,
    ConsentPurpose,
    EmployerRelation,
    LimitKind,
    SafetyLimit,
    Shift,
)
from matcher.vacancies.models import VacancyStatus
from tests.factories import make_user
from tests.matcher.profiles.builders import (
    make_client,
    make_client_skill,
    make_employer_profile,
)
from tests.matcher.vacancies.builders import make_vacancy

SKILLS = ("urn:s:weld", "urn:s:grind", "urn:s:measure")
TODAY = date.today()


def matchable_client(session, **fields):
    """A client with matching consent and the three skills."""
    coach = make_user(session)
    client = make_client(session, coach=coach, **fields)
    client.consents.append(Consent(purpose=ConsentPurpose.MATCHING, given_recorded_by_id=coach.id))
    for uri in SKILLS:
        make_client_skill(session, client, uri)
    session.flush()
    return client


def limit(session, client, **fields):
    client.limits.append(SafetyLimit(**fields))
    session.flush()


def both_directions(session, client, forbidden, allowed):
    """Assert the forbidden vacancy never shows and the allowed one does, every way we rank."""
    for_client = [m.vacancy_id for m in rank_vacancies_for_client(session, client.id, top=50)]
    assert forbidden.id not in for_client
    assert allowed.id in for_client
    assert client.id not in [m.client_id for m in rank_clients_for_vacancy(session, forbidden.id)]
    assert client.id in [m.client_id for m in rank_clients_for_vacancy(session, allowed.id)]
    everything = dict(rank_all(session, top=50))
    assert forbidden.id not in [m.vacancy_id for m in everything[client.id]]


@pytest.fixture
def allowed(session):
    """A worse but allowed vacancy: one of the three skills."""
    return make_vacancy(session, essential=(SKILLS[0], "urn:s:other"), sector="metal")


def perfect(session, employer=None, **fields):
    return make_vacancy(session, employer, essential=SKILLS, **fields)


# --- the client's safety limits ---------------------------------------------------------


def test_an_employer_excluded_by_id_never_appears(session, allowed):
    client = matchable_client(session)
    harmful = make_employer_profile(session)
    forbidden = perfect(session, harmful)
    limit(session, client, kind=LimitKind.EMPLOYER, employer_id=harmful.id, relation="itself")
    both_directions(session, client, forbidden, allowed)


def test_an_employer_excluded_by_its_legal_name_never_appears(session, allowed):
    client = matchable_client(session)
    forbidden = perfect(session, make_employer_profile(session, legal_name="Oldfarm B.V."))
    limit(session, client, kind=LimitKind.EMPLOYER, employer_name="oldfarm b.v.", relation="itself")
    both_directions(session, client, forbidden, allowed)


def test_an_employer_excluded_by_a_trade_name_never_appears(session, allowed):
    client = matchable_client(session)
    harmful = make_employer_profile(session, legal_name="Neutral Holding", trade_names=["Fresh"])
    forbidden = perfect(session, harmful)
    limit(session, client, kind=LimitKind.EMPLOYER, employer_name=" FRESH ", relation="trade_name")
    both_directions(session, client, forbidden, allowed)


def test_an_employer_excluded_by_its_registration_number_never_appears(session, allowed):
    client = matchable_client(session)
    harmful = make_employer_profile(session, kvk_number="12345678")
    forbidden = perfect(session, harmful)
    limit(
        session,
        client,
        kind=LimitKind.EMPLOYER,
        registration_number="1234.56-78",
        relation=EmployerRelation.AGENCY_OR_RECRUITER,
    )
    both_directions(session, client, forbidden, allowed)


def test_a_related_firm_named_by_the_coach_never_appears(session, allowed):
    client = matchable_client(session)
    related = make_employer_profile(session, legal_name="Sister Staffing")
    forbidden = perfect(session, related)
    limit(
        session,
        client,
        kind=LimitKind.EMPLOYER,
        employer_name="Sister Staffing",
        relation=EmployerRelation.SAME_OWNERS,
    )
    both_directions(session, client, forbidden, allowed)


def test_an_excluded_sector_never_appears_by_the_vacancy_or_the_employer(session, allowed):
    client = matchable_client(session)
    by_vacancy = perfect(session, sector="Mushroom Harvesting")
    farm = make_employer_profile(session, sector="mushroom harvesting")
    by_employer = perfect(session, farm, sector="")
    limit(session, client, kind=LimitKind.SECTOR, sector="mushroomharvesting")
    both_directions(session, client, by_vacancy, allowed)
    both_directions(session, client, by_employer, allowed)


def test_an_excluded_area_never_appears(session, allowed):
    client = matchable_client(session)
    forbidden = perfect(session, place="Kwadendamme")
    limit(session, client, kind=LimitKind.AREA, area="kwadendamme")
    both_directions(session, client, forbidden, allowed)


@pytest.mark.parametrize("term", ["housing_tied_to_contract", "housing_deducted_from_pay"])
def test_housing_that_depends_on_the_employer_never_appears_for_an_independent_client(
    session, allowed, term
):
    client = matchable_client(session, housing_independent=True)
    forbidden = perfect(session, housing_offered=True, **{term: True})
    both_directions(session, client, forbidden, allowed)


def test_housing_that_is_only_offered_still_appears_for_an_independent_client(session):
    client = matchable_client(session, housing_independent=True)
    offered = perfect(session, housing_offered=True)
    assert [m.vacancy_id for m in rank_vacancies_for_client(session, client.id)] == [offered.id]


def test_a_shift_the_client_cannot_work_never_appears(session, allowed):
    client = matchable_client(session, shifts_not_possible=[Shift.NIGHT.value])
    forbidden = perfect(session, shifts=[Shift.EARLY.value, Shift.NIGHT.value])
    both_directions(session, client, forbidden, allowed)


def test_a_vacancy_closing_before_the_client_may_work_never_appears(session, allowed):
    client = matchable_client(session, work_allowed_from=TODAY + timedelta(days=20))
    forbidden = perfect(session, closing_date=TODAY + timedelta(days=10))
    allowed.closing_date = TODAY + timedelta(days=40)
    both_directions(session, client, forbidden, allowed)


def test_a_vacancy_closing_after_the_permit_ends_never_appears(session, allowed):
    client = matchable_client(session, permit_ends_on=TODAY + timedelta(days=40))
    forbidden = perfect(session, closing_date=TODAY + timedelta(days=60))
    allowed.closing_date = TODAY + timedelta(days=30)
    both_directions(session, client, forbidden, allowed)


# --- the employer's vetting and the vacancy's status -------------------------------------


@pytest.mark.parametrize(
    "status",
    ["suspended", "expired", "pending", "rejected", "submitted", "needs_information"],
)
def test_an_employer_that_may_not_be_matched_never_appears(session, allowed, status):
    client = matchable_client(session)
    forbidden = perfect(session, make_employer_profile(session, status=status))
    both_directions(session, client, forbidden, allowed)


def test_an_employer_approved_with_conditions_appears(session):
    client = matchable_client(session)
    vacancy = perfect(session, make_employer_profile(session, status="approved_with_conditions"))
    assert [m.vacancy_id for m in rank_vacancies_for_client(session, client.id)] == [vacancy.id]


@pytest.mark.parametrize(
    "status", [VacancyStatus.CLOSED, VacancyStatus.HELD, VacancyStatus.REFUSED]
)
def test_a_vacancy_that_is_not_open_never_appears(session, allowed, status):
    client = matchable_client(session)
    forbidden = perfect(session, status=status)
    both_directions(session, client, forbidden, allowed)


def test_a_vacancy_past_its_closing_date_never_appears(session, allowed):
    client = matchable_client(session)
    forbidden = perfect(session, closing_date=TODAY - timedelta(days=1))
    both_directions(session, client, forbidden, allowed)
    on_the_day = perfect(session, closing_date=TODAY)
    assert on_the_day.id in [m.vacancy_id for m in rank_vacancies_for_client(session, client.id)]


def test_an_employer_suspended_after_the_index_was_built_disappears_at_once(session, allowed):
    client = matchable_client(session)
    employer = make_employer_profile(session)
    vacancy = perfect(session, employer)
    assert vacancy.id in [m.vacancy_id for m in rank_vacancies_for_client(session, client.id)]
    employer.status = "suspended"  # no counter bumped: the fresh check must still catch it
    session.flush()
    both_directions(session, client, vacancy, allowed)


def test_a_vacancy_moved_into_an_excluded_area_without_a_bump_disappears(session, allowed):
    client = matchable_client(session)
    limit(session, client, kind=LimitKind.AREA, area="Kwadendamme")
    vacancy = perfect(session, place="Utrecht")
    assert vacancy.id in [m.vacancy_id for m in rank_vacancies_for_client(session, client.id)]
    vacancy.place = "Kwadendamme"
    session.flush()
    both_directions(session, client, vacancy, allowed)


# --- the client's consent and erasure ----------------------------------------------------


def nowhere(session, client, vacancy):
    assert rank_vacancies_for_client(session, client.id) == []
    assert client.id not in [m.client_id for m in rank_clients_for_vacancy(session, vacancy.id)]
    assert client.id not in dict(rank_all(session))


def test_a_client_without_matching_consent_is_never_matched(session):
    coach = make_user(session)
    client = make_client(session, coach=coach)
    for uri in SKILLS:
        make_client_skill(session, client, uri)
    client.consents.append(
        Consent(purpose=ConsentPurpose.SHARE_WITH_MEDIATORS, given_recorded_by_id=coach.id)
    )
    session.flush()
    nowhere(session, client, perfect(session))


def test_a_client_whose_consent_was_withdrawn_or_ended_is_never_matched(session):
    withdrawn = matchable_client(session)
    consent = withdrawn.consents[0]
    consent.withdrawn_at = utcnow()
    consent.withdrawn_recorded_by_id = consent.given_recorded_by_id
    ended = matchable_client(session)
    ended.consents[0].ends_on = TODAY - timedelta(days=1)
    session.flush()
    vacancy = perfect(session)
    nowhere(session, withdrawn, vacancy)
    nowhere(session, ended, vacancy)


def test_an_erased_client_is_never_matched(session):
    client = matchable_client(session)
    client.erased_at = utcnow()
    session.flush()
    nowhere(session, client, perfect(session))


# --- what passes --------------------------------------------------------------------------


def test_every_match_lists_every_filter_it_passed_in_order(session):
    client = matchable_client(session)
    perfect(session)
    (match,) = rank_vacancies_for_client(session, client.id)
    assert match.explanation.filters_passed == FILTER_CODES
