"""`fairmatch match train` on a real, committed database."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.db import make_engine
from matcher.matching import learning
from matcher.matching.models import RankingModel
from tests.matcher.matching.test_learning import make_decisions, score_rule
from web.cli import main
from web.cli.common import open_engine


@pytest.fixture
def cli_database(fresh_database_url: str, monkeypatch) -> Iterator[str]:
    monkeypatch.setenv("DATABASE_URL", fresh_database_url)
    open_engine.cache_clear()  # the commands cache their engine per process
    learning.forget_reranker()
    yield fresh_database_url
    open_engine().dispose()
    open_engine.cache_clear()
    learning.forget_reranker()


def seed(url: str, n: int, **kwargs) -> None:
    engine = make_engine(url)
    with Session(engine) as session:
        make_decisions(session, n, **kwargs)
        session.commit()
    engine.dispose()


def stored_models(url: str) -> list[tuple[str, bool]]:
    engine = make_engine(url)
    with Session(engine) as session:
        rows = session.execute(select(RankingModel.version, RankingModel.active)).all()
    engine.dispose()
    return [tuple(row) for row in rows]


def test_match_train_prints_the_report_and_activates_a_better_model(cli_database):
    seed(cli_database, 40)

    result = CliRunner().invoke(main, ["match", "train", "--min-decisions", "40"])

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "model: rerank-1 (activated)"
    assert re.fullmatch(
        r"decisions: 40 \(\d+ approved\), trained on the oldest 30, held out the newest 10",
        lines[1],
    )
    assert lines[3].startswith("held-out ROC AUC: first stage 0.")
    assert "second stage 1.000" in lines[3]
    assert stored_models(cli_database) == [("rerank-1", True)]


def test_match_train_says_when_the_first_stage_stays(cli_database):
    seed(cli_database, 40, rule=score_rule)

    result = CliRunner().invoke(main, ["match", "train", "--min-decisions", "40"])

    assert result.exit_code == 0, result.output
    assert "model: rerank-1 (stored inactive; the first stage stays)" in result.output
    assert "first stage 1.000" in result.output
    assert stored_models(cli_database) == [("rerank-1", False)]


def test_match_train_refuses_too_few_decisions_in_one_line(cli_database):
    seed(cli_database, 3)

    result = CliRunner().invoke(main, ["match", "train"])

    assert result.exit_code == 1
    assert result.output == "error: Only 3 decisions so far; training needs at least 50.\n"
    assert stored_models(cli_database) == []
