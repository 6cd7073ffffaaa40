"""`fairmatch demo` clients: varied skills, languages, wishes, limits and consent; seeded once."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import select

from matcher.accounts.models import User
from matcher.demo import seed_demo
from matcher.demo.clients import (
    AVOIDED_EMPLOYER_KVK,
    DEMO_CLIENTS,
    FORKLIFT,
    RELATED_FIRM,
    SKILL,
    seed_demo_clients,
)
from matcher.employers.models import EmployerProfile
from matcher.profiles.consent import may_be_matched
from matcher.profiles.document import build_profile_document
from matcher.profiles.models import Client, LimitKind, SkillSource
from matcher.skills.search import clear_index_cache
from tests.factories import make_concept, make_user, password_hash

OPERATE_FORKLIFT = SKILL + "28cb374e-6261-4133-8371-f9a5470145da"


@pytest.fixture(autouse=True)
def quick_password_hashes(monkeypatch):
    # The demo creates eleven users; scrypt, slow on purpose, would take most of each test.
    monkeypatch.setattr("matcher.accounts.services.hash_password", password_hash)


@pytest.fixture(autouse=True)
def _no_stale_index() -> Iterator[None]:
    # The demo asks the search index which languages are loaded; never another test's index.
    clear_index_cache()
    yield
    clear_index_cache()


def demo_clients(session) -> list[Client]:
    coach = session.scalar(select(User).where(User.email == "coach@demo.test"))
    return list(
        session.scalars(
            select(Client)
            .where(Client.organisation_id == coach.organisation_id)
            .order_by(Client.id)
        )
    )


def test_the_demo_adds_five_clients_to_the_demo_coachs_organisation(session, tmp_path):
    seed_demo(session, tmp_path)

    clients = demo_clients(session)
    assert len(clients) == len(DEMO_CLIENTS) == 5
    assert all(c.languages and c.wishes for c in clients)
    assert len({tuple(sorted(lang.language for lang in c.languages)) for c in clients}) == 5


def test_the_demo_seeds_its_clients_once(session, tmp_path):
    seed_demo(session, tmp_path)
    seed_demo(session, tmp_path)

    assert len(demo_clients(session)) == 5


def test_one_demo_client_withdrew_matching_consent(session, tmp_path):
    seed_demo(session, tmp_path)

    matchable = [may_be_matched(session, c, date.today()) for c in demo_clients(session)]
    assert matchable.count(False) == 1


def test_demo_limits_avoid_an_employer_a_related_firm_an_area_and_employer_housing(
    session, tmp_path
):
    seed_demo(session, tmp_path)
    limits = [limit for c in demo_clients(session) for limit in c.limits]
    avoided = session.scalar(
        select(EmployerProfile).where(EmployerProfile.kvk_number == AVOIDED_EMPLOYER_KVK)
    )

    assert any(lim.employer_id == avoided.id for lim in limits)
    assert any(
        (lim.employer_name, lim.registration_number) == RELATED_FIRM
        for lim in limits
        if lim.kind == LimitKind.EMPLOYER
    )
    assert any(lim.kind == LimitKind.AREA for lim in limits)
    assert any(c.housing_independent for c in demo_clients(session))


def test_demo_clients_are_known_by_initials_at_most(session, tmp_path):
    seed_demo(session, tmp_path)

    names = [c.first_name for c in demo_clients(session)]
    assert None in names
    assert all(re.fullmatch(r"([A-Z]\.)+", n) for n in names if n is not None)


def test_without_esco_data_the_demo_clients_have_no_skills_and_english_profiles(session):
    coach = make_user(session, role="coach")

    assert seed_demo_clients(session, coach) == 5

    clients = session.scalars(select(Client).where(Client.organisation_id == coach.organisation_id))
    assert all(not c.skills and c.profile_language == "en" for c in clients)


def test_with_esco_data_the_demo_clients_get_their_skills_and_wishes(session):
    make_concept(session, uri=OPERATE_FORKLIFT, labels={"en": "operate forklift"})
    make_concept(session, kind="occupation", uri=FORKLIFT, labels={"en": "forklift operator"})
    coach = make_user(session, role="coach")

    seed_demo_clients(session, coach)

    forklift_driver = session.scalar(
        select(Client).where(
            Client.organisation_id == coach.organisation_id, Client.first_name == "A.K."
        )
    )
    (skill,) = forklift_driver.skills
    assert (skill.skill_uri, skill.source, skill.source_detail) == (
        OPERATE_FORKLIFT,
        SkillSource.OCCUPATION,
        FORKLIFT,
    )
    document = build_profile_document(session, coach, forklift_driver.id)
    assert [o.label for o in document.occupations] == ["forklift operator"]
    assert "Demo client" not in repr(document)  # the marker in the notes stays out of it
