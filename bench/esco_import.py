"""Seconds to import the full bundled ESCO data, on SQLite and (when reachable) PostgreSQL.

PostgreSQL: BENCH_POSTGRES_URL, else a PostgreSQL TEST_DATABASE_URL, else the local server;
a temporary database is created for the run and dropped afterwards.
"""

from __future__ import annotations

import io
import os
import tempfile
import time
import uuid
from collections.abc import Callable

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from bench import Figure
from matcher.config import project_root
from matcher.db import make_engine, make_session_factory, session_scope
from matcher.migrate import upgrade_database
from matcher.skills.importer import import_esco

LOCAL_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def figures() -> list[Figure]:
    with tempfile.TemporaryDirectory() as tmp:
        rows = _measure("SQLite", f"sqlite:///{tmp}/bench.db", "< 60 s")
    try:
        rows += _with_postgres(lambda url: _measure("PostgreSQL", url, "< 120 s"))
    except OperationalError:
        rows.append(
            Figure("esco import, full (PostgreSQL)", "-", "< 120 s", "PostgreSQL not reachable")
        )
    return rows


def _measure(backend: str, url: str, target: str) -> list[Figure]:
    engine = make_engine(url)
    try:
        upgrade_database(engine)
        first, summary = _timed_import(engine)
        again, _ = _timed_import(engine)
    finally:
        engine.dispose()
    note = f"{summary.counts['labels']:,} labels, {summary.counts['occupation_skills']:,} relations"
    return [
        Figure(f"esco import, full ({backend})", f"{first:.1f} s", target, note),
        Figure(f"esco import, unchanged re-run ({backend})", f"{again:.2f} s", "< 2 s", "checksum"),
    ]


def _timed_import(engine):
    started = time.perf_counter()
    with session_scope(make_session_factory(engine)) as session:
        summary = import_esco(session, project_root() / "data" / "esco", io.StringIO())
    return time.perf_counter() - started, summary


def _with_postgres(run: Callable[[str], list[Figure]]) -> list[Figure]:
    base = os.environ.get("BENCH_POSTGRES_URL") or os.environ.get("TEST_DATABASE_URL", "")
    if make_url(base or "sqlite://").get_backend_name() != "postgresql":
        base = LOCAL_POSTGRES
    name = f"fairmatch_bench_{uuid.uuid4().hex[:12]}"
    admin = make_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            return run(make_url(base).set(database=name).render_as_string(hide_password=False))
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
