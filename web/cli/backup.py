"""`fairmatch backup` and `fairmatch restore`: the database and the evidence uploads, together.

A backup is one tar file: a manifest, the database (SQLite through sqlite3's online backup API,
safe while the app runs; PostgreSQL through `pg_dump --format=custom`) and the evidence files
under UPLOAD_DIR. Restore puts both back (PostgreSQL through `pg_restore --clean --if-exists
--no-owner --single-transaction`). The PostgreSQL password goes to pg_dump and pg_restore in
PGPASSWORD, never on their command line.
"""

from __future__ import annotations

from pathlib import Path

import click

from matcher.backup.services import (
    BackupError,
    create_backup,
    database_has_data,
    default_backup_path,
    read_manifest,
    restore_backup,
)
from matcher.config import load_settings
from web.cli import main
from web.cli.common import fail


@main.command("backup")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the backup (default: instance/backups/fairmatch-<UTC time>.tar).",
)
def backup(output: Path | None) -> None:
    """Back up the database and the evidence uploads (UPLOAD_DIR) into one tar file.

    Safe while the app runs. Restore it with `fairmatch restore PATH`.
    """
    settings = load_settings()
    try:
        result = create_backup(
            settings.database_url, settings.upload_dir, output or default_backup_path(), click.echo
        )
    except BackupError as error:
        fail(str(error))
    click.echo(
        f"backup written: {result.path} ({result.size:,} bytes, {result.backend} database, "
        f"{result.evidence_files} evidence files)"
    )


@main.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Replace a database that holds data without asking.")
def restore(path: Path, yes: bool) -> None:
    """Replace the database and the evidence uploads with those in the backup at PATH.

    Refuses a database that holds data unless --yes is given. Stop the app and the scheduler
    first, and start them again afterwards (they cache what they read).
    """
    settings = load_settings()
    try:
        manifest = read_manifest(path)
        if not yes and database_has_data(settings.database_url):
            fail(
                "the database holds data and a restore replaces all of it: "
                "run again with --yes to go on"
            )
        click.echo(f"backup of {manifest['created_at']} ({manifest['backend']})")
        restore_backup(settings.database_url, settings.upload_dir, path, click.echo)
    except BackupError as error:
        fail(str(error))
    click.echo("restore complete; run `fairmatch init-db` if the backup is older than this version")
