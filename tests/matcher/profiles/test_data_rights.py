"""Data rights: the export holds everything kept about a client; erasure keeps only statistics."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matcher.audit.models import AuditEvent
from matcher.db import utcnow
from matcher.errors import Forbidden, InvalidTransition, NotFound, ValidationError
from matcher.profiles.access import view_client
from matcher.profiles.models import (
    Cefr,
    Client,
    ClientLanguage,
    ClientSkill,
    ClientWish,
    Consent,
    ConsentPurpose,
    SafetyLimit,
    SkillSource,
)
from matcher.profiles.services import (
    erase_client,
    export_client,
    list_clients,
    set_languages,
    set_wishes,
    update_client,
)
from matcher.skills.search import clear_index_cache
from tests.factories import make_user
from tests.matcher.profiles.builders import make_client_skill, make_client_with_secrets
from tests.matcher.skills.esco_sample import (
    CLEAN_ROOMS,
    FORKLIFT_OPERATOR,
    OPERATE_FORKLIFT,
    add_concepts,
)


@pytest.fixture(autouse=True)
def esco(session: Session) -> Iterator[None]:
    clear_index_cache()
    add_concepts(session)
    yield
    clear_index_cache()


@pytest.fixture
def coach(session: Session):
    return make_user(session, role="coach")


@pytest.fixture
def full_client(session: Session, coach) -> Client:
    """A client holding every kind of data the record can hold."""
    client, _ = make_client_with_secrets(session, coach)
    update_client(session, coach, client.id, client.version_id, max_travel_minutes=40,
                  hours_per_week=24, earliest_start=date(2027, 3, 1),
                  shifts_not_possible=["night"], profile_language="nl")  # fmt: skip
    set_languages(session, coach, client.id, [("ar", Cefr.NATIVE), ("nl", Cefr.A2)])
    set_wishes(session, coach, client.id, [FORKLIFT_OPERATOR], ["Logistics"])
    make_client_skill(session, client, OPERATE_FORKLIFT, source=SkillSource.OCCUPATION,
                      source_detail=FORKLIFT_OPERATOR, informal=True)  # fmt: skip
    make_client_skill(session, client, CLEAN_ROOMS, removed_at=utcnow(), removed_by_id=coach.id)
    given = utcnow() - timedelta(days=3)
    client.consents += [
        Consent(purpose=ConsentPurpose.MATCHING, given_at=given, given_recorded_by_id=coach.id,
                withdrawn_at=given + timedelta(days=1), withdrawn_recorded_by_id=coach.id),
        Consent(purpose=ConsentPurpose.MATCHING, given_recorded_by_id=coach.id),
    ]  # fmt: skip
    session.flush()
    view_client(session, coach, client.id)
    return client


def test_the_export_holds_everything_kept_about_the_client(session, coach, full_client):
    data = export_client(session, coach, full_client.id)
    text = json.dumps(data)  # JSON-serialisable as it is

    record = data["client"]
    assert record["code"] == full_client.code and record["first_name"] == "Q.Z."
    assert record["notes"].startswith("Escaped from the Oldfarm dormitory")
    assert (record["region"], record["permit_ends_on"]) == ("Zwaagwesteinde", "2031-07-19")
    assert (record["work_allowed_from"], record["earliest_start"]) == ("2030-02-03", "2027-03-01")
    assert (record["max_travel_minutes"], record["hours_per_week"]) == (40, 24)
    assert record["shifts_not_possible"] == ["night"] and record["housing_independent"] is True
    assert record["profile_language"] == "nl"
    assert data["organisation"] == coach.organisation.name
    assert data["languages"] == [
        {"language": "ar", "level": "native"},
        {"language": "nl", "level": "A2"},
    ]
    assert {"occupation_uri": FORKLIFT_OPERATOR, "sector": None} in data["wishes"]
    assert {"occupation_uri": None, "sector": "Logistics"} in data["wishes"]
    skills = {skill["skill_uri"]: skill for skill in data["skills"]}
    assert skills[OPERATE_FORKLIFT]["source"] == "occupation"
    assert skills[OPERATE_FORKLIFT]["source_detail"] == FORKLIFT_OPERATOR
    assert skills[OPERATE_FORKLIFT]["informal"] is True
    assert skills[OPERATE_FORKLIFT]["level"] == "some_experience"
    assert skills[CLEAN_ROOMS]["removed_at"] and skills[CLEAN_ROOMS]["removed_by_id"] == coach.id
    limits = data["safety_limits"]
    assert {limit["kind"] for limit in limits} == {"employer", "sector", "area"}
    for held in ("Shadowrecruit Staffing", "87654321", "mushroomharvesting", "Kwadendamme"):
        assert held in text
    consents = [(c["purpose"], bool(c["withdrawn_at"])) for c in data["consents"]]
    assert sorted(consents) == [
        ("matching", False),
        ("matching", True),
        ("share_with_employer", False),
    ]
    actions = [event["action"] for event in data["audit_events"]]
    assert {"update", "set_languages", "set_wishes", "view", "export"} <= set(actions)


def test_the_export_is_audited_and_for_the_organisations_coaches_only(session, coach, full_client):
    export_client(session, coach, full_client.id)
    assert session.scalar(
        select(func.count()).where(
            AuditEvent.action == "export",
            AuditEvent.object_id == full_client.id,
            AuditEvent.actor_id == coach.id,
        )
    )
    for other in ("mediator", "employer", "admin", "coach"):
        with pytest.raises(Forbidden):
            export_client(session, make_user(session, role=other), full_client.id)


def test_erasure_keeps_an_empty_statistics_row_and_deletes_the_rest(session, coach, full_client):
    client_id, organisation_id = full_client.id, full_client.organisation_id
    created_at = full_client.created_at

    erase_client(session, coach, client_id, full_client.version_id, "The client asked for it.")

    session.expire_all()
    client = session.get(Client, client_id)
    assert client.code == f"ERASED-{client_id}" and client.erased_at is not None
    assert (client.organisation_id, client.created_at) == (organisation_id, created_at)
    assert client.first_name is None and client.notes == "" and client.region == ""
    assert client.permit_ends_on is client.work_allowed_from is client.earliest_start is None
    assert client.max_travel_minutes is client.hours_per_week is None
    assert client.shifts_not_possible == [] and client.housing_independent is False
    for model in (ClientLanguage, ClientWish, ClientSkill, SafetyLimit, Consent):
        count = select(func.count()).select_from(model).where(model.client_id == client_id)
        assert session.scalar(count) == 0, model.__name__
    event = session.scalar(
        select(AuditEvent).where(AuditEvent.action == "erase", AuditEvent.object_id == client_id)
    )
    assert event.actor_id == coach.id and event.details == {"reason": "The client asked for it."}


def test_an_erased_client_is_gone(session, coach, full_client):
    erase_client(session, coach, full_client.id, full_client.version_id, "Asked for it.")

    assert full_client.id not in {row.id for row in list_clients(session, coach)}
    with pytest.raises(NotFound):
        view_client(session, coach, full_client.id)
    with pytest.raises(NotFound):
        export_client(session, coach, full_client.id)


def test_erasure_needs_a_reason_and_the_current_version(session, coach, full_client):
    version = full_client.version_id
    with pytest.raises(ValidationError):
        erase_client(session, coach, full_client.id, version, "  ")
    set_languages(session, coach, full_client.id, [("nl", Cefr.B1)])
    with pytest.raises(InvalidTransition):
        erase_client(session, coach, full_client.id, version, "Asked for it.")
    assert session.get(Client, full_client.id).erased_at is None


@pytest.mark.parametrize("role", ["mediator", "coach"])
def test_only_the_organisations_coaches_erase(session, full_client, role):
    other = make_user(session, role=role)
    with pytest.raises(Forbidden):
        erase_client(session, other, full_client.id, full_client.version_id, "No.")
    assert session.get(Client, full_client.id).erased_at is None
