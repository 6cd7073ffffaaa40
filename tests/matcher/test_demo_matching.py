"""`fairmatch demo` vacancies, proposals in every state and a placement with its follow-up."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from matcher.demo import seed_demo
from matcher.demo.matching import DEMO_VACANCIES
from matcher.matching.models import Placement, PlacementStage, Proposal, ProposalStatus
from matcher.skills.search import clear_index_cache
from matcher.vacancies.models import Vacancy, VacancyStatus
from tests.factories import password_hash
from tests.matcher.demo_concepts import add_demo_concepts


@pytest.fixture(autouse=True)
def quick_password_hashes(monkeypatch):
    monkeypatch.setattr("matcher.accounts.services.hash_password", password_hash)


@pytest.fixture(autouse=True)
def _no_stale_index() -> Iterator[None]:
    clear_index_cache()
    yield
    clear_index_cache()


@pytest.fixture
def esco(session) -> None:
    add_demo_concepts(session)


def _count(session, query) -> dict:
    return dict(session.execute(query).all())


def test_the_demo_posts_vacancies_in_every_status_through_the_rules(session, tmp_path, esco):
    result = seed_demo(session, tmp_path)

    assert result.vacancies_created == len(DEMO_VACANCIES)
    statuses = _count(session, select(Vacancy.status, func.count()).group_by(Vacancy.status))
    assert set(statuses) == set(VacancyStatus)
    # The tied, deducted housing stays with the mediators; the cash-in-hand text was refused.
    held = session.scalar(select(Vacancy).where(Vacancy.status == VacancyStatus.HELD))
    assert {f["code"] for f in held.findings} >= {"V4"}


def test_the_demo_has_proposals_in_every_state_and_a_lasting_placement(session, tmp_path, esco):
    seed_demo(session, tmp_path)

    statuses = _count(session, select(Proposal.status, func.count()).group_by(Proposal.status))
    assert set(statuses) == set(ProposalStatus)
    placement = session.scalar(select(Placement))
    assert placement.stage == PlacementStage.HIRED
    assert placement.working_after_3_months is True
    assert placement.proposal.status == ProposalStatus.INVITED


def test_the_demo_seeds_its_vacancies_and_proposals_once(session, tmp_path, esco):
    seed_demo(session, tmp_path)
    proposals = session.scalar(select(func.count()).select_from(Proposal))
    second = seed_demo(session, tmp_path)

    assert second.vacancies_created == 0
    assert session.scalar(select(func.count()).select_from(Proposal)) == proposals


def test_without_esco_the_demo_adds_no_vacancies(session, tmp_path):
    assert seed_demo(session, tmp_path).vacancies_created == 0
