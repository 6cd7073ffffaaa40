"""Backups below the command line: a consistent SQLite copy while a writer is busy, and the
PostgreSQL password kept off pg_dump's command line."""

from __future__ import annotations

import sqlite3
import subprocess
import tarfile

import pytest

from matcher.backup import services
from matcher.backup.services import BackupError, create_backup, read_manifest


def test_a_sqlite_backup_is_consistent_while_a_writer_holds_its_transaction(tmp_path):
    path = tmp_path / "live.db"
    setup = sqlite3.connect(path)
    setup.execute("PRAGMA journal_mode=WAL")
    setup.execute("CREATE TABLE note (text TEXT)")
    setup.execute("INSERT INTO note VALUES ('committed')")
    setup.commit()
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO note VALUES ('not yet committed')")
    lines: list[str] = []

    result = create_backup(f"sqlite:///{path}", tmp_path / "none", tmp_path / "b.tar", lines.append)

    writer.execute("COMMIT")
    assert read_manifest(result.path)["backend"] == "sqlite"
    with tarfile.open(result.path) as tar:
        tar.extract("database.sqlite3", tmp_path / "out", filter="data")
    copy = sqlite3.connect(tmp_path / "out" / "database.sqlite3")
    assert copy.execute("SELECT text FROM note").fetchall() == [("committed",)]
    assert lines == [
        "backing up the SQLite database",
        f"adding 0 evidence files from {tmp_path / 'none'}",
    ]
    for conn in (setup, writer, copy):
        conn.close()


def test_pg_dump_gets_the_password_in_its_environment_never_its_arguments(tmp_path, monkeypatch):
    seen = {}

    def fake_run(args, env, **kwargs):
        seen["args"], seen["env"] = args, env
        return subprocess.CompletedProcess(args, 1, "", "pg_dump: error: connection refused")

    monkeypatch.setattr(services.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(services.subprocess, "run", fake_run)
    url = "postgresql+psycopg://fair:s3cret-pw@db.internal:6543/fairmatch"

    with pytest.raises(BackupError, match="pg_dump failed: pg_dump: error: connection refused"):
        create_backup(url, tmp_path / "uploads", tmp_path / "b.tar", lambda line: None)

    assert not any("s3cret-pw" in arg for arg in seen["args"])
    assert "--format=custom" in seen["args"]
    env = seen["env"]
    assert (env["PGPASSWORD"], env["PGUSER"], env["PGHOST"], env["PGPORT"], env["PGDATABASE"]) == (
        "s3cret-pw",
        "fair",
        "db.internal",
        "6543",
        "fairmatch",
    )
    assert not (tmp_path / "b.tar").exists()  # a failed backup leaves nothing under its name


def test_a_missing_pg_dump_is_named_with_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setattr(services.shutil, "which", lambda name: None)
    with pytest.raises(BackupError, match=r"pg_dump is not installed.*postgresql-client"):
        create_backup("postgresql+psycopg://u@h/db", tmp_path, tmp_path / "b.tar", print)
