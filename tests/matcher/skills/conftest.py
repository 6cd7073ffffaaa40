"""Fixtures shared by the search and extraction tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from click.testing import CliRunner

from matcher.db import make_engine, make_session_factory, session_scope
from matcher.skills.search import clear_index_cache
from tests.matcher.skills.esco_sample import add_concepts
from web.cli import main
from web.cli.common import open_engine


@pytest.fixture(autouse=True)
def _no_stale_index() -> Iterator[None]:
    # Rolled-back tests can reuse an import id; never let one test see another's index.
    clear_index_cache()
    yield
    clear_index_cache()


@pytest.fixture
def cli(fresh_database_url, monkeypatch) -> Iterator[Callable[..., object]]:
    """Run `fairmatch esco ...` against a fresh database holding the test concepts."""
    engine = make_engine(fresh_database_url)
    with session_scope(make_session_factory(engine)) as session:
        add_concepts(session)
    engine.dispose()
    monkeypatch.setenv("DATABASE_URL", fresh_database_url)
    open_engine.cache_clear()
    runner = CliRunner()
    yield lambda *args: runner.invoke(main, ["esco", *map(str, args)])
    open_engine().dispose()
    open_engine.cache_clear()
