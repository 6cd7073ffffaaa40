"""`fairmatch run`: serve the web app with Flask's own server (gunicorn in production)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import click
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from web.cli import main
from web.cli.common import fail


@main.command("run")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
def run(host: str, port: int) -> None:
    """Serve the web app."""
    from web.app import create_app
    from web.db import EXTENSION

    try:
        app = create_app()
    except RuntimeError as exc:  # a configuration refused, e.g. a missing SECRET_KEY
        fail(str(exc))
    # Build the search index while the server already answers, so that the first coach who
    # types in the explorer does not wait for it.
    threading.Thread(
        target=warm_search_index, args=(app.extensions[EXTENSION],), daemon=True
    ).start()
    click.echo(f"Fairmatch on http://{host}:{port}/ (Ctrl+C to stop)")
    app.run(host=host, port=port, debug=False, use_reloader=False)


def warm_search_index(factory: sessionmaker[Session]) -> None:
    """Build this process's ESCO label index now rather than on the first search."""
    from matcher.skills.search import get_index

    started = time.perf_counter()
    try:
        with factory() as session:
            index = get_index(session)
    except SQLAlchemyError as exc:
        # Not fatal: the index is then built on the first search instead.
        click.echo(f"search index not built at start: {exc.__class__.__name__}", err=True)
        return
    click.echo(
        f"search index ready: {len(index.languages)} languages "
        f"in {time.perf_counter() - started:.1f} s",
        err=True,
    )


def warm_indexes(factory: sessionmaker[Session], say: Callable[[str], object] = click.echo) -> None:
    """Build the ESCO label index and the ranking index now (gunicorn's master, before forking).

    Not fatal when the database cannot answer: each index is then built on first use.
    """
    from matcher.matching.index import get_index as get_ranking_index
    from matcher.skills.search import get_index as get_label_index

    for name, build in (("search", get_label_index), ("ranking", get_ranking_index)):
        started = time.perf_counter()
        try:
            with factory() as session:
                build(session)
        except SQLAlchemyError as exc:
            say(f"{name} index not built at start: {exc.__class__.__name__}")
            continue
        say(f"{name} index ready in {time.perf_counter() - started:.1f} s")
