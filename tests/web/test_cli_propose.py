"""`fairmatch match propose` on a real, committed database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.db import make_engine
from matcher.matching.models import Proposal, ProposalStatus
from matcher.profiles.consent import give_consent
from tests.factories import make_user
from tests.matcher.profiles.builders import make_client, make_client_skill
from tests.matcher.vacancies.builders import make_vacancy
from web.cli import main
from web.cli.common import open_engine

SKILL = "http://data.europa.eu/esco/skill/test-pack-boxes"


@pytest.fixture
def cli_database(fresh_database_url: str, monkeypatch) -> Iterator[str]:
    monkeypatch.setenv("DATABASE_URL", fresh_database_url)
    open_engine.cache_clear()  # the commands cache their engine per process
    yield fresh_database_url
    open_engine().dispose()
    open_engine.cache_clear()


def seed(url: str) -> tuple[int, int]:
    """A vacancy and two clients who may be matched and have its one essential skill."""
    engine = make_engine(url)
    with Session(engine) as session:
        vacancy = make_vacancy(session, essential=(SKILL,), title="Packer")
        coach = make_user(session, role="coach")
        ids = []
        for _ in range(2):
            client = make_client(session, coach=coach)
            make_client_skill(session, client, SKILL)
            give_consent(session, coach, client.id, "matching")
            ids.append(client.id)
        session.commit()
        assert vacancy.id
    engine.dispose()
    return ids[0], ids[1]


def proposed(url: str) -> list[int]:
    engine = make_engine(url)
    with Session(engine) as session:
        rows = session.scalars(
            select(Proposal.client_id).where(Proposal.status == ProposalStatus.PROPOSED)
        ).all()
    engine.dispose()
    return sorted(rows)


def test_match_propose_fills_the_queue_once(cli_database):
    first, second = seed(cli_database)

    result = CliRunner().invoke(main, ["match", "propose"])
    again = CliRunner().invoke(main, ["match", "propose"])

    assert result.exit_code == 0, result.output
    assert "2 new proposals in the review queue" in result.output
    assert "0 new proposals in the review queue" in again.output
    assert proposed(cli_database) == [first, second]


def test_match_propose_for_one_client_leaves_the_others(cli_database):
    first, _ = seed(cli_database)

    result = CliRunner().invoke(main, ["match", "propose", "--client", str(first)])

    assert "1 new proposal in the review queue" in result.output
    assert proposed(cli_database) == [first]


def test_match_propose_names_an_unknown_client(cli_database):
    seed(cli_database)

    result = CliRunner().invoke(main, ["match", "propose", "--client", "99999"])

    assert result.exit_code == 1
    assert "No client 99999." in result.output
    assert proposed(cli_database) == []
