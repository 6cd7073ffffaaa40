"""Shared fixtures: one migrated test database per run, one rolled-back transaction per test.

TEST_DATABASE_URL selects PostgreSQL (CI runs the suite on both); otherwise a SQLite file.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from matcher.db import make_engine
from matcher.migrate import upgrade_database
from tests import hypothesis_profiles  # noqa: F401  (registers and loads the profile)


def _is_postgres(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


def _reset_postgres(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return os.environ.get("TEST_DATABASE_URL") or (
        f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    )


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    eng = make_engine(database_url)
    if _is_postgres(database_url):
        _reset_postgres(eng)
    upgrade_database(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """A connection inside an outer transaction that is rolled back after the test."""
    with engine.connect() as conn:
        outer = conn.begin()
        yield conn
        outer.rollback()


@pytest.fixture
def session_factory(connection: Connection) -> sessionmaker[Session]:
    # Sessions commit to a SAVEPOINT, so code under test may commit and the test still rolls back.
    return sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    s = session_factory()
    yield s
    s.close()


@pytest.fixture
def fresh_database_url(database_url: str, tmp_path) -> Iterator[str]:
    """An empty, migrated database of the same backend that a test may commit to and kill into."""
    if not _is_postgres(database_url):
        url = f"sqlite:///{tmp_path / 'fresh.db'}"
        eng = make_engine(url)
        upgrade_database(eng)
        eng.dispose()
        yield url
        return
    name = f"fairmatch_t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(database_url).set(database=name).render_as_string(hide_password=False)
    eng = make_engine(url)
    upgrade_database(eng)
    eng.dispose()
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session", autouse=True)
def uploads_outside_the_checkout(tmp_path_factory) -> Iterator[None]:
    """No test leaves evidence files in the checkout (the CLI reads UPLOAD_DIR)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("UPLOAD_DIR", str(tmp_path_factory.mktemp("uploads")))
        yield
