"""`fairmatch esco ...`: import, search, map, extract."""

from __future__ import annotations

from pathlib import Path

import click

from matcher.config import load_settings
from web.cli import main
from web.cli.common import command_session, fail


@main.group()
def esco() -> None:
    """The ESCO knowledge base: import the CSV packages, search, map titles, extract skills."""


@esco.command("import")
@click.argument("directory", required=False, type=click.Path(path_type=Path))
def import_command(directory: Path | None) -> None:
    """Load the ESCO CSV packages in DIRECTORY (default: ESCO_DIR); idempotent, one transaction."""
    from matcher.skills.importer import EscoImportError, import_esco

    try:
        with command_session() as session:
            summary = import_esco(session, directory or load_settings().esco_dir)
    except EscoImportError as exc:
        fail(str(exc))
    for line in summary.lines():
        click.echo(line)
