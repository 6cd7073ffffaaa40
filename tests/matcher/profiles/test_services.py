"""The client record: create, change with validation and versions, languages, wishes, the list."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.audit.models import AuditEvent
from matcher.db import utcnow
from matcher.errors import Forbidden, InvalidTransition, NotFound, ValidationError
from matcher.profiles import services
from matcher.profiles.models import Cefr, Client, Consent, ConsentPurpose, Shift
from matcher.profiles.services import (
    CODE_ALPHABET,
    add_occupation_wish,
    create_client,
    list_clients,
    set_languages,
    set_wishes,
    update_client,
)
from matcher.skills.search import clear_index_cache
from tests.factories import make_user
from tests.matcher.profiles.builders import make_client, make_client_skill
from tests.matcher.skills.esco_sample import (
    COOK,
    FORKLIFT_OPERATOR,
    OPERATE_FORKLIFT,
    WELDER,
    add_concepts,
)


@pytest.fixture(autouse=True)
def esco(session: Session) -> Iterator[None]:
    # Rolled-back tests can reuse an import id; never let one test see another's index.
    clear_index_cache()
    add_concepts(session)
    yield
    clear_index_cache()


@pytest.fixture
def coach(session: Session):
    return make_user(session, role="coach")


def test_a_new_client_gets_a_pseudonymous_code_without_look_alikes(session, coach):
    client = create_client(session, coach, first_name="Ana")

    assert re.fullmatch(rf"C-[{CODE_ALPHABET}]{{8}}", client.code)
    assert not set(client.code[2:]) & set("0O1IL")
    assert client.organisation_id == coach.organisation_id
    assert client.first_name == "Ana" and client.profile_language == "en"


def test_a_code_that_is_taken_is_drawn_again(session, coach, monkeypatch):
    taken = create_client(session, coach).code
    draws = iter([taken, taken, "C-ABCDEFGH"])
    monkeypatch.setattr(services, "_random_code", lambda: next(draws))

    assert create_client(session, coach).code == "C-ABCDEFGH"


def test_only_coaches_create_clients(session):
    mediator = make_user(session, role="mediator")
    with pytest.raises(Forbidden):
        create_client(session, mediator)


def test_creating_is_written_to_the_audit_log(session, coach):
    client = create_client(session, coach)
    actions = session.scalars(
        select(AuditEvent.action).where(
            AuditEvent.object_type == "client", AuditEvent.object_id == client.id
        )
    ).all()
    assert actions == ["create"]


def test_every_field_is_saved(session, coach):
    client = create_client(session, coach)
    update_client(session, coach, client.id, client.version_id, first_name=" B.K. ",
                  profile_language="nl", region="Utrecht", max_travel_minutes=45,
                  hours_per_week=32, earliest_start=date(2027, 1, 4),
                  shifts_not_possible=["night", "early", "night"],
                  work_allowed_from=date(2026, 1, 1), permit_ends_on=date(2028, 1, 1),
                  notes="Prefers mornings.")  # fmt: skip

    session.expire_all()
    client = session.get(Client, client.id)
    assert (client.first_name, client.profile_language, client.region) == ("B.K.", "nl", "Utrecht")
    assert (client.max_travel_minutes, client.hours_per_week) == (45, 32)
    assert client.shifts_not_possible == [Shift.EARLY, Shift.NIGHT]
    assert client.permit_ends_on == date(2028, 1, 1) and client.notes == "Prefers mornings."


@pytest.mark.parametrize(
    "fields",
    [
        {"first_name": "Ana1"},
        {"first_name": "A" * 51},
        {"profile_language": "fr"},
        {"max_travel_minutes": -1},
        {"max_travel_minutes": 601},
        {"hours_per_week": 0},
        {"hours_per_week": 61},
        {"shifts_not_possible": ["siesta"]},
        {"work_allowed_from": date(2027, 1, 1), "permit_ends_on": date(2026, 12, 31)},
        {"earliest_start": date(1900, 1, 1)},
        {"region": "x" * 101},
    ],
)
def test_a_wrong_field_saves_nothing(session, coach, fields):
    client = create_client(session, coach, first_name="Ana", region="Zwolle")
    version = client.version_id

    with pytest.raises(ValidationError):
        update_client(session, coach, client.id, version, **{"notes": "changed", **fields})
    with pytest.raises(ValidationError):
        create_client(session, coach, **fields)

    session.expire_all()
    client = session.get(Client, client.id)
    assert (client.first_name, client.region, client.notes) == ("Ana", "Zwolle", "")
    assert client.version_id == version
    assert session.scalar(select(Client.id).where(Client.id != client.id)) is None


def test_a_stale_version_is_refused(session, coach):
    client = create_client(session, coach)
    seen = client.version_id
    update_client(session, coach, client.id, seen, region="Zwolle")

    with pytest.raises(InvalidTransition, match="changed this client meanwhile"):
        update_client(session, coach, client.id, seen, region="Deventer")
    assert session.get(Client, client.id).region == "Zwolle"


def test_another_organisation_and_mediators_cannot_change(session, coach):
    client = create_client(session, coach)
    for other in (make_user(session, role="coach"), make_user(session, role="mediator")):
        with pytest.raises(Forbidden):
            update_client(session, other, client.id, client.version_id, region="X")
        with pytest.raises(Forbidden):
            set_languages(session, other, client.id, [("nl", Cefr.B1)])
    with pytest.raises(NotFound):
        update_client(session, coach, client.id + 1000, 1, region="X")


def test_languages_are_replaced_each_once_with_a_level(session, coach):
    client = create_client(session, coach)
    set_languages(session, coach, client.id, [("ar", Cefr.NATIVE), ("NL", "A2")])
    set_languages(session, coach, client.id, [("nl", Cefr.B1), ("tir", Cefr.NATIVE), ("eng", "C1")])

    assert {(row.language, row.level) for row in client.languages} == {
        ("nl", Cefr.B1),
        ("ti", Cefr.NATIVE),
        ("en", Cefr.C1),
    }


@pytest.mark.parametrize(
    "languages",
    [[("nl", Cefr.B1), ("nl", Cefr.A1)], [("xx", Cefr.B1)], [("", "B1")], [("nl", "B3")]],
)
def test_wrong_languages_change_nothing(session, coach, languages):
    client = create_client(session, coach)
    set_languages(session, coach, client.id, [("ar", Cefr.NATIVE)])

    with pytest.raises(ValidationError):
        set_languages(session, coach, client.id, languages)
    assert [(row.language, row.level) for row in client.languages] == [("ar", Cefr.NATIVE)]


def test_wishes_are_esco_occupations_and_sectors(session, coach):
    client = create_client(session, coach)
    set_wishes(session, coach, client.id, [WELDER, COOK], ["Logistics", " logistics ", ""])
    set_wishes(session, coach, client.id, [COOK, FORKLIFT_OPERATOR], ["Logistics", "Hospitality"])

    assert sorted(w.occupation_uri for w in client.wishes if w.occupation_uri) == sorted(
        [COOK, FORKLIFT_OPERATOR]
    )
    assert sorted(w.sector for w in client.wishes if w.sector) == ["Hospitality", "Logistics"]


@pytest.mark.parametrize("uri", [OPERATE_FORKLIFT, "http://example.org/none"])
def test_a_wish_must_be_an_esco_occupation(session, coach, uri):
    client = create_client(session, coach)
    with pytest.raises(ValidationError, match="No ESCO occupation"):
        set_wishes(session, coach, client.id, [uri], [])
    with pytest.raises(ValidationError, match="No ESCO occupation"):
        add_occupation_wish(session, coach, client.id, uri)
    assert client.wishes == []


def test_an_occupation_wish_is_added_once(session, coach):
    client = create_client(session, coach)
    add_occupation_wish(session, coach, client.id, WELDER)
    add_occupation_wish(session, coach, client.id, WELDER)
    assert [w.occupation_uri for w in client.wishes] == [WELDER]


def test_a_coach_lists_their_organisations_clients_newest_activity_first(session, coach):
    colleague = make_user(session, role="coach", organisation=coach.organisation)
    now = utcnow()
    older = make_client(session, coach=coach, first_name="Old", last_activity_at=now - timedelta(1))
    newer = make_client(session, coach=colleague, first_name="New", region="Ede")
    make_client(session, coach=make_user(session, role="coach"))  # another organisation
    make_client(session, coach=coach, erased_at=now, code="ERASED-x")
    make_client_skill(session, newer, OPERATE_FORKLIFT)
    session.add(
        Consent(client=newer, purpose=ConsentPurpose.MATCHING, given_recorded_by_id=coach.id)
    )
    session.flush()

    rows = list_clients(session, coach)

    assert [row.id for row in rows] == [newer.id, older.id]
    assert (rows[0].first_name, rows[0].region, rows[0].skills) == ("New", "Ede", 1)
    assert rows[0].matching_consent and not rows[1].matching_consent


def test_a_mediator_lists_every_client_by_code_and_organisation_only(session, coach):
    mine = make_client(session, coach=coach, first_name="Ana", region="Ede")
    other = make_client(session, coach=make_user(session, role="coach"))

    rows = {row.id: row for row in list_clients(session, make_user(session, role="mediator"))}

    assert {mine.id, other.id} <= set(rows)
    assert rows[mine.id].organisation == coach.organisation.name
    assert rows[mine.id].first_name is None and rows[mine.id].region == ""


@pytest.mark.parametrize("role", ["employer", "admin"])
def test_employers_and_admins_list_no_clients(session, role):
    with pytest.raises(Forbidden):
        list_clients(session, make_user(session, role=role))
