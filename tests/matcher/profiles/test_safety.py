"""Safety limits: hard rules for matching, added and removed by coaches, read by excluded_for."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from matcher.audit.models import AuditEvent
from matcher.errors import Forbidden, NotFound, ValidationError
from matcher.profiles.models import EmployerRelation, LimitKind, SafetyLimit
from matcher.profiles.safety import (
    add_area_limit,
    add_employer_limit,
    add_sector_limit,
    excluded_for,
    list_limits,
    remove_limit,
    set_housing_independent,
    view_safety,
)
from tests.factories import make_user
from tests.matcher.profiles.builders import make_client, make_employer_profile


@pytest.fixture
def coach(session):
    return make_user(session, role="coach")


@pytest.fixture
def client(session, coach):
    return make_client(session, coach=coach)


def events(session, client, action):
    return session.scalars(
        select(AuditEvent).where(
            AuditEvent.object_type == "client",
            AuditEvent.object_id == client.id,
            AuditEvent.action == action,
        )
    ).all()


# Employers


def test_a_registered_employer_is_excluded(session, coach, client):
    firm = make_employer_profile(session, legal_name="Greenhouse Westland BV")
    add_employer_limit(session, coach, client.id, employer_id=firm.id, relation="itself")
    assert excluded_for(session, client).employer_ids == {firm.id}


def test_a_kvk_number_written_differently_excludes_the_registered_employer(session, coach, client):
    firm = make_employer_profile(session, kvk_number="12345678")
    make_employer_profile(session, kvk_number="87654321")
    add_employer_limit(
        session, coach, client.id, registration_number=" 1234 56.78 ", relation="same_owners"
    )
    exclusions = excluded_for(session, client)
    assert exclusions.employer_ids == {firm.id}
    assert exclusions.firm_numbers == {"12345678"}


def test_a_trade_name_written_differently_excludes_the_registered_employer(session, coach, client):
    firm = make_employer_profile(
        session, legal_name="Westland Holding BV", trade_names=["Tomaten De Vries"]
    )
    add_employer_limit(
        session, coach, client.id, employer_name="tomaten  DEVRIES", relation="trade_name"
    )
    assert excluded_for(session, client).employer_ids == {firm.id}


def test_a_legal_name_and_a_foreign_registration_number_match_too(session, coach, client):
    by_name = make_employer_profile(session, legal_name="Clean Team Rotterdam")
    by_number = make_employer_profile(
        session, registration_country="PL", kvk_number=None, registration_number="KRS-0000123"
    )
    add_employer_limit(
        session, coach, client.id, employer_name="clean team rotterdam", relation="itself"
    )
    add_employer_limit(
        session, coach, client.id, registration_number="krs 0000123", relation="housing_provider"
    )
    assert excluded_for(session, client).employer_ids == {by_name.id, by_number.id}


def test_a_firm_not_in_the_system_is_kept_by_name_and_number(session, coach, client):
    add_employer_limit(
        session,
        coach,
        client.id,
        employer_name="Snel Uitzend  BV",
        registration_number="99 88 77 66",
        relation="agency_or_recruiter",
    )
    exclusions = excluded_for(session, client)
    assert exclusions.employer_ids == frozenset()
    assert exclusions.firm_names == {"sneluitzendbv"}
    assert exclusions.firm_numbers == {"99887766"}


def test_an_employer_limit_needs_an_employer_a_name_or_a_number(session, coach, client):
    with pytest.raises(ValidationError, match="Choose a registered employer"):
        add_employer_limit(session, coach, client.id, employer_name="  ", relation="itself")
    assert client.limits == []


def test_an_employer_limit_needs_a_known_relation(session, coach, client):
    with pytest.raises(ValidationError, match="relates"):
        add_employer_limit(session, coach, client.id, employer_name="X", relation="cousin")


def test_an_unknown_registered_employer_is_refused(session, coach, client):
    with pytest.raises(ValidationError, match="No registered employer"):
        add_employer_limit(session, coach, client.id, employer_id=999_999, relation="itself")


def test_a_name_longer_than_the_column_is_refused(session, coach, client):
    with pytest.raises(ValidationError, match="longer than 200"):
        add_employer_limit(session, coach, client.id, employer_name="x" * 201, relation="itself")


def test_the_same_employer_twice_is_refused(session, coach, client):
    firm = make_employer_profile(session)
    add_employer_limit(session, coach, client.id, employer_id=firm.id, relation="itself")
    with pytest.raises(ValidationError, match="already"):
        add_employer_limit(
            session, coach, client.id, employer_id=firm.id, relation="housing_provider"
        )
    add_employer_limit(session, coach, client.id, employer_name="Farm BV", relation="itself")
    with pytest.raises(ValidationError, match="already"):
        add_employer_limit(session, coach, client.id, employer_name="farm bv", relation="itself")
    assert len(client.limits) == 2


# Sectors, areas, housing


def test_sectors_and_areas_are_compared_without_case_and_spaces(session, coach, client):
    add_sector_limit(session, coach, client.id, " Meat Processing ")
    add_area_limit(session, coach, client.id, "Den Haag")
    exclusions = excluded_for(session, client)
    assert exclusions.excludes_sector("meat processing")
    assert exclusions.excludes_area("den  haag")
    assert not exclusions.excludes_area("Delft")
    assert [lim.sector for lim in client.limits if lim.kind == LimitKind.SECTOR] == [
        "Meat Processing"
    ]


def test_an_empty_or_repeated_sector_or_area_is_refused(session, coach, client):
    with pytest.raises(ValidationError, match="Enter the sector"):
        add_sector_limit(session, coach, client.id, "   ")
    with pytest.raises(ValidationError, match="Enter the municipality"):
        add_area_limit(session, coach, client.id, "")
    add_sector_limit(session, coach, client.id, "Horticulture")
    add_area_limit(session, coach, client.id, "Westland")
    with pytest.raises(ValidationError, match="already avoided"):
        add_sector_limit(session, coach, client.id, "horticulture")
    with pytest.raises(ValidationError, match="already avoided"):
        add_area_limit(session, coach, client.id, "WESTLAND")


def test_housing_must_not_depend_on_the_employer(session, coach, client):
    assert excluded_for(session, client).housing_independent is False
    set_housing_independent(session, coach, client.id, True)
    assert excluded_for(session, client).housing_independent is True
    set_housing_independent(session, coach, client.id, True)  # unchanged: nothing recorded
    assert [e.details for e in events(session, client, "set_housing_independent")] == [
        {"value": True}
    ]


def test_a_removed_limit_no_longer_excludes(session, coach, client):
    limit = add_area_limit(session, coach, client.id, "Venlo")
    remove_limit(session, coach, client.id, limit.id)
    assert excluded_for(session, client).areas == frozenset()
    assert session.get(SafetyLimit, limit.id) is None


def test_a_limit_of_another_client_cannot_be_removed(session, coach, client):
    other = make_client(session, coach=coach)
    limit = add_area_limit(session, coach, other.id, "Venlo")
    with pytest.raises(NotFound):
        remove_limit(session, coach, client.id, limit.id)
    assert session.get(SafetyLimit, limit.id) is not None


# Access and audit


def test_every_change_is_audited_without_the_firms_name(session, coach, client):
    limit = add_employer_limit(
        session, coach, client.id, employer_name="Bad Boss BV", relation="itself"
    )
    add_sector_limit(session, coach, client.id, "Cleaning")
    remove_limit(session, coach, client.id, limit.id)
    added = events(session, client, "add_limit")
    assert [e.details["kind"] for e in added] == ["employer", "sector"]
    assert added[0].details == {"limit_id": limit.id, "kind": "employer", "relation": "itself"}
    assert all("Bad Boss" not in str(e.details) for e in added)
    assert [e.details for e in events(session, client, "remove_limit")] == [
        {"limit_id": limit.id, "kind": "employer"}
    ]
    assert {e.actor_id for e in added} == {coach.id}


def test_a_coach_of_another_organisation_changes_nothing(session, client):
    stranger = make_user(session, role="coach")
    with pytest.raises(Forbidden):
        add_sector_limit(session, stranger, client.id, "Cleaning")
    with pytest.raises(Forbidden):
        set_housing_independent(session, stranger, client.id, True)
    with pytest.raises(Forbidden):
        list_limits(session, stranger, client.id)
    assert client.limits == [] and client.housing_independent is False


def test_a_mediator_reads_but_never_changes(session, coach, client):
    mediator = make_user(session, role="mediator")
    add_area_limit(session, coach, client.id, "Venlo")
    assert [entry.area for entry in list_limits(session, mediator, client.id)] == ["Venlo"]
    with pytest.raises(Forbidden):
        add_area_limit(session, mediator, client.id, "Tiel")
    assert len(events(session, client, "view")) == 1


def test_the_safety_record_names_registered_employers(session, coach, client):
    firm = make_employer_profile(session, legal_name="Orchard Betuwe", trade_names=["Appels"])
    pending = make_employer_profile(session, legal_name="Newcomer", status="pending")
    add_employer_limit(
        session, coach, client.id, employer_id=firm.id, relation=EmployerRelation.SAME_OWNERS
    )
    record = view_safety(session, coach, client.id)
    assert [entry.employer_label for entry in record.limits] == ["Orchard Betuwe"]
    assert (firm.id, "Orchard Betuwe / Appels") in record.employers
    assert pending.id in {choice.id for choice in record.employers}
    assert pending.id not in {choice.id for choice in record.approved_employers}
    assert len(events(session, client, "view")) == 1
