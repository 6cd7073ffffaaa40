"""Ranking many clients reads consent and limits for all of them at once, with the same answers.

The load bench found a vacancy's clients page asking five queries per client (1,533 for 305
clients, seconds per page); the batch reads must decide exactly what the one-client reads decide.
"""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest

from matcher.db import utcnow
from matcher.matching.engine import client_facts
from matcher.matching.filters import (
    client_limits,
    clients_limits,
    matchable_client_rows,
    matchable_clients,
)
from matcher.profiles.consent import give_consent, may_be_matched, withdraw_consent
from matcher.profiles.models import Cefr, ClientLanguage, ClientWish
from matcher.profiles.safety import (
    add_area_limit,
    add_employer_limit,
    add_sector_limit,
    excluded_for,
)
from tests.factories import make_user
from tests.matcher.profiles.builders import (
    make_client,
    make_client_skill,
    make_employer_profile,
)
from tests.queries import statements_run

TODAY = utcnow().date()


@pytest.fixture
def coach(session):
    return make_user(session, role="coach")


@pytest.fixture
def clients(session, coach):
    """Clients in every consent situation, with every kind of limit."""
    firm = make_employer_profile(
        session, legal_name="Greenhouse Westland BV", kvk_number="12345678"
    )
    made = {name: make_client(session, coach=coach) for name in (
        "given", "withdrawn", "ended", "ends_today", "none", "sharing_only", "erased", "limited",
    )}  # fmt: skip
    give_consent(session, coach, made["given"].id, "matching")
    consent = give_consent(session, coach, made["withdrawn"].id, "matching")
    withdraw_consent(session, coach, made["withdrawn"].id, consent.id)
    yesterday = TODAY - timedelta(days=1)
    give_consent(session, coach, made["ended"].id, "matching", ends_on=yesterday, today=yesterday)
    give_consent(session, coach, made["ends_today"].id, "matching", ends_on=TODAY)
    give_consent(session, coach, made["sharing_only"].id, "share_with_mediators")
    give_consent(session, coach, made["erased"].id, "matching")
    made["erased"].erased_at = utcnow()
    limited = made["limited"]
    give_consent(session, coach, limited.id, "matching")
    add_employer_limit(session, coach, limited.id, employer_id=firm.id, relation="itself")
    add_employer_limit(session, coach, limited.id, registration_number="1234 5678",
                       relation="same_owners")  # fmt: skip
    add_employer_limit(session, coach, limited.id, employer_name="Meat Staffing",
                       relation="agency_or_recruiter")  # fmt: skip
    add_sector_limit(session, coach, limited.id, "Meat processing")
    add_area_limit(session, coach, limited.id, "Westland")
    session.flush()
    return made


def test_matchable_clients_are_the_ones_may_be_matched_lets_through(session, clients):
    found = {c.id for c in matchable_clients(session, TODAY)}
    expected = {c.id for c in clients.values() if may_be_matched(session, c, TODAY)}
    assert found == expected
    names = {name for name, c in clients.items() if c.id in found}
    assert names == {"given", "ends_today", "limited"}


def test_limits_read_together_are_the_limits_read_one_by_one(session, clients):
    together = clients_limits(session, clients.values())
    for client in clients.values():
        assert together[client.id] == client_limits(session, client)
    limited = together[clients["limited"].id].exclusions
    assert limited == excluded_for(session, clients["limited"])
    # Every kind of limit is there, so the comparison above is not between empty sets.
    assert all((limited.employer_ids, limited.firm_names, limited.sectors, limited.areas))


def test_client_rows_give_ranking_the_same_facts_as_whole_clients(session, coach, clients):
    for name in ("given", "limited"):
        client = clients[name]
        client.region, client.hours_per_week, client.shifts_not_possible = "Ede", 24, ["night"]
        client.permit_ends_on = TODAY + timedelta(days=90)
        client.languages.append(ClientLanguage(language="nl", level=Cefr.B1))
        client.wishes.append(ClientWish(occupation_uri="urn:occupation:cook"))
        client.wishes.append(ClientWish(sector="Hotels"))
        make_client_skill(session, client, f"urn:skill:{name}")
        make_client_skill(
            session, client, "urn:skill:gone", removed_at=utcnow(), removed_by_id=coach.id
        )
    session.flush()
    index = SimpleNamespace(isco_groups={"urn:occupation:cook": "512"})

    rows = matchable_client_rows(session, TODAY)
    wholes = matchable_clients(session, TODAY)

    assert [r.id for r in rows] == [c.id for c in wholes]
    row_limits, whole_limits = clients_limits(session, rows), clients_limits(session, wholes)
    facts = [client_facts(session, r, index, row_limits[r.id]) for r in rows]
    expected = [client_facts(session, c, index, whole_limits[c.id]) for c in wholes]
    assert facts == expected
    limited = facts[[r.id for r in rows].index(clients["limited"].id)]
    # Not empty comparisons: skills (the removed one left out), languages, wishes, limits.
    assert limited.skills == {"urn:skill:limited"} and limited.fit.languages
    assert limited.fit.wished_groups == {"512"} and limited.fit.wished_sectors
    assert limited.limits.exclusions.areas and limited.limits.shifts_not_possible


@pytest.mark.parametrize("read", [matchable_clients, matchable_client_rows])
def test_the_queries_do_not_grow_with_the_number_of_clients(session, engine, coach, clients, read):
    def count_queries() -> int:
        with statements_run(engine) as statements:
            clients_limits(session, read(session, TODAY))
        return len(statements)

    session.expire_all()
    before = count_queries()
    for n in range(10):
        client = make_client(session, coach=coach)
        make_client_skill(session, client, f"urn:skill:{n}")
        give_consent(session, coach, client.id, "matching")
    session.flush()
    session.expire_all()
    assert count_queries() == before
