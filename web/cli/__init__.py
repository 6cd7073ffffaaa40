"""The `fairmatch` command line: the composition root for the web app, the importer and the jobs."""

from __future__ import annotations

import click

from web.cli.common import open_engine


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Fairmatch: fair re-employment for survivors of labour exploitation."""


@main.command("init-db")
def init_db() -> None:
    """Create or migrate the database to the newest schema."""
    from matcher.migrate import upgrade_database

    engine = open_engine()
    upgrade_database(engine)
    click.echo(f"database ready: {engine.url.render_as_string(hide_password=True)}")


# Each module adds its commands to `main` when imported.
from web.cli import (  # noqa: E402, F401
    accounts,
    backup,
    employers,
    esco,
    esco_search,
    jobs,
    learning,
    matching,
    proposals,
    serve,
)
