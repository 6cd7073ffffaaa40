"""What every command needs: settings, an engine, one transaction per run."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

import click
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from matcher.config import load_settings
from matcher.db import make_engine, make_session_factory, session_scope


@cache
def open_engine() -> Engine:
    return make_engine(load_settings().database_url)


@contextmanager
def command_session() -> Iterator[Session]:
    """One transaction for the whole command."""
    with session_scope(make_session_factory(open_engine())) as session:
        yield session


def fail(message: str) -> None:
    """Print one clear error line and exit non-zero."""
    click.echo(f"error: {message}", err=True)
    raise SystemExit(1)
