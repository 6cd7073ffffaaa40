"""What every command needs: settings, an engine, one transaction per run."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

import click
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from matcher.config import load_settings
from matcher.db import make_engine, make_session_factory, session_scope
from matcher.migrate import schema_is_current


@cache
def open_engine() -> Engine:
    return make_engine(load_settings().database_url)


@contextmanager
def command_session() -> Iterator[Session]:
    """One transaction for the whole command, on a database that is reachable and migrated."""
    engine = open_engine()
    try:
        current = schema_is_current(engine)
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0]
        fail(f"cannot open the database {engine.url.render_as_string()}: {reason}")
    if not current:
        fail("the database is not initialised or not up to date: run `fairmatch init-db` first")
    with session_scope(make_session_factory(engine)) as session:
        yield session


def fail(message: str) -> None:
    """Print one clear error line and exit non-zero."""
    click.echo(f"error: {message}", err=True)
    raise SystemExit(1)
