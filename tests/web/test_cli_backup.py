"""`fairmatch backup` and `fairmatch restore` on a real, committed database and upload directory.

The round trip compares every table, row by row, and every evidence file with the state at
backup time, after changes and deletions made in between.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from matcher.db import make_engine
from tests.web.test_cli import run
from web.cli.common import open_engine


@pytest.fixture
def cli_database(fresh_database_url: str, tmp_path, monkeypatch) -> Iterator[str]:
    if make_url(fresh_database_url).get_backend_name() == "postgresql" and not (
        shutil.which("pg_dump") and shutil.which("pg_restore")
    ):
        pytest.skip("pg_dump and pg_restore are not installed (apt-get install postgresql-client)")
    monkeypatch.setenv("DATABASE_URL", fresh_database_url)
    monkeypatch.setenv("UPLOAD_DIR", str(tmp_path / "uploads"))
    monkeypatch.setenv("FAIRMATCH_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.delenv("FAIRMATCH_ENV", raising=False)
    open_engine.cache_clear()  # the commands cache their engine per process
    yield fresh_database_url
    open_engine().dispose()
    open_engine.cache_clear()


def every_table(url: str) -> dict[str, list[tuple]]:
    """Every table's rows as sorted tuples (Alembic's too)."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {
                name: sorted(
                    (tuple(row) for row in conn.execute(text(f'SELECT * FROM "{name}"'))), key=repr
                )
                for name in sorted(inspect(conn).get_table_names())
            }
    finally:
        engine.dispose()


def files_under(directory: Path) -> dict[str, bytes]:
    return {
        p.relative_to(directory).as_posix(): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def change_everything(url: str, uploads: Path) -> None:
    """What happens after a backup: new rows, changed rows, deleted rows, evidence gone and new."""
    assert (
        run(
            "users",
            "create",
            "--email",
            "late@shelter.example",
            "--role",
            "coach",
            "--organisation",
            "Shelter North",
            input="a long enough secret\n",
        ).exit_code
        == 0
    )
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE organisation SET name = name || ' (renamed)'"))
        conn.execute(text("DELETE FROM client_language"))
    engine.dispose()
    evidence = sorted(p for p in uploads.rglob("*") if p.is_file())
    evidence[0].unlink()
    (uploads / "stray.pdf").write_bytes(b"%PDF-1.4 not in the backup")


def test_a_round_trip_restores_every_table_and_every_evidence_file(cli_database, tmp_path):
    uploads = tmp_path / "uploads"
    assert run("demo").exit_code == 0
    tables, evidence = every_table(cli_database), files_under(uploads)
    assert evidence and tables["client_language"] and tables["app_user"]  # something to lose
    target = tmp_path / "saved" / "fairmatch.tar"

    made = run("backup", "--output", str(target))

    assert made.exit_code == 0, made.output
    assert f"backup written: {target}" in made.output
    assert f"adding {len(evidence)} evidence files" in made.output
    change_everything(cli_database, uploads)
    assert every_table(cli_database) != tables and files_under(uploads) != evidence

    restored = run("restore", str(target), "--yes")

    assert restored.exit_code == 0, restored.output
    assert "restore complete" in restored.output
    assert f"restored {len(evidence)} evidence files" in restored.output
    after = every_table(cli_database)
    assert after.keys() == tables.keys()
    for name in tables:
        assert after[name] == tables[name], name
    assert files_under(uploads) == evidence


def test_restore_refuses_a_database_with_data_without_yes(cli_database, tmp_path):
    assert run("demo").exit_code == 0
    target = tmp_path / "b.tar"
    assert run("backup", "--output", str(target)).exit_code == 0
    change_everything(cli_database, tmp_path / "uploads")
    changed = every_table(cli_database), files_under(tmp_path / "uploads")

    refused = run("restore", str(target))

    assert refused.exit_code == 1
    assert "the database holds data and a restore replaces all of it" in refused.output
    assert "--yes" in refused.output
    assert (every_table(cli_database), files_under(tmp_path / "uploads")) == changed


def test_the_default_backup_is_named_by_its_utc_time_under_instance_backups(cli_database, tmp_path):
    made = run("backup")

    assert made.exit_code == 0, made.output
    (written,) = (tmp_path / "instance" / "backups").iterdir()
    assert re.fullmatch(r"fairmatch-\d{8}T\d{6}Z\.tar", written.name)
    assert not list(written.parent.glob(".backup-*"))  # no temporary file left behind


def write_tar(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_restore_refuses_what_is_not_a_backup_of_the_right_kind(cli_database, tmp_path):
    other = "sqlite" if "postgresql" in cli_database else "postgresql"
    other_name = "SQLite" if other == "sqlite" else "PostgreSQL"
    manifest = {"format": "fairmatch-backup", "version": 1, "backend": other,
                "created_at": "2026-11-27T12:00:00+00:00"}  # fmt: skip
    cases = {
        "notes.txt": (tmp_path / "notes.txt", "is not a Fairmatch backup (not a tar file)"),
        "other.tar": (
            write_tar(tmp_path / "other.tar", {"readme.md": b"hello"}),
            "is not a Fairmatch backup (no readable manifest)",
        ),
        "kind.tar": (
            write_tar(tmp_path / "kind.tar", {"manifest.json": json.dumps(manifest).encode()}),
            f"is a backup of a {other_name} database, but DATABASE_URL is a",
        ),
    }
    (tmp_path / "notes.txt").write_text("not a backup")
    assert run("demo").exit_code == 0
    before = every_table(cli_database)

    for path, message in cases.values():
        result = run("restore", str(path), "--yes")
        assert result.exit_code == 1, result.output
        assert message in result.output
    assert every_table(cli_database) == before


def test_restore_into_a_new_sqlite_database_needs_no_yes(cli_database, tmp_path, monkeypatch):
    if "sqlite" not in cli_database:
        pytest.skip("a new, empty database is a file only on SQLite")
    assert run("demo").exit_code == 0
    tables = every_table(cli_database)
    target = tmp_path / "b.tar"
    assert run("backup", "--output", str(target)).exit_code == 0
    new_url = f"sqlite:///{tmp_path / 'elsewhere' / 'new.db'}"
    monkeypatch.setenv("DATABASE_URL", new_url)
    monkeypatch.setenv("UPLOAD_DIR", str(tmp_path / "elsewhere" / "uploads"))

    restored = run("restore", str(target))

    assert restored.exit_code == 0, restored.output
    assert every_table(new_url) == tables
    assert files_under(tmp_path / "elsewhere" / "uploads") == files_under(tmp_path / "uploads")
