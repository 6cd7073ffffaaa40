"""Back up and restore the database and the evidence uploads as one tar file.

A backup is a plain tar: ``manifest.json`` (what it is, of which backend, when), the database
(SQLite: a copy made with sqlite3's online backup API, consistent while the app writes;
PostgreSQL: ``pg_dump --format=custom``) and ``uploads/`` (the vetting evidence, which lives
outside the database). It is written to a temporary file beside the target and renamed, so a
crash never leaves a half-written file under the final name.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, inspect, select, table
from sqlalchemy.engine import URL, make_url

from matcher.config import instance_dir
from matcher.db import make_engine, utcnow

FORMAT = "fairmatch-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
UPLOADS = "uploads"
MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
BACKEND_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}

Say = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore that cannot go on, with the reason in words."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    backend: str
    evidence_files: int
    size: int


def default_backup_path(now: datetime | None = None) -> Path:
    """instance/backups/fairmatch-<UTC timestamp>.tar"""
    now = now or utcnow()
    return instance_dir() / "backups" / f"fairmatch-{now:%Y%m%dT%H%M%SZ}.tar"


def create_backup(database_url: str, upload_dir: Path, output: Path, say: Say) -> BackupResult:
    """Back up the database and the evidence uploads into one tar file at ``output``."""
    url, output = make_url(database_url), Path(output)
    backend = _backend(url)
    output.parent.mkdir(parents=True, exist_ok=True)
    # In the target's directory, so the final rename stays on one file system (atomic).
    with tempfile.TemporaryDirectory(prefix=".backup-", dir=output.parent) as work:
        dump = Path(work) / MEMBERS[backend]
        say(f"backing up the {BACKEND_NAMES[backend]} database")
        if backend == "sqlite":
            _sqlite_copy(_sqlite_path(url, must_exist=True), dump)
        else:
            _run_pg("pg_dump", ["--format=custom", "--no-password", f"--file={dump}"], url)
        evidence = _evidence_files(upload_dir)
        say(f"adding {len(evidence)} evidence files from {upload_dir}")
        partial = Path(work) / "backup.tar"
        with tarfile.open(partial, "w") as tar:
            _add_bytes(tar, MANIFEST, json.dumps(_manifest(backend), indent=2).encode())
            tar.add(dump, arcname=MEMBERS[backend])
            for path in evidence:
                tar.add(path, arcname=f"{UPLOADS}/{path.relative_to(upload_dir).as_posix()}")
        os.replace(partial, output)
    return BackupResult(output, backend, len(evidence), output.stat().st_size)


def read_manifest(path: Path) -> dict:
    """The manifest of a Fairmatch backup; BackupError for anything else."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    if not tarfile.is_tarfile(path):
        raise BackupError(f"{path} is not a Fairmatch backup (not a tar file)")
    with tarfile.open(path) as tar:
        try:
            manifest = json.load(tar.extractfile(MANIFEST))
        except (KeyError, ValueError, TypeError):
            raise BackupError(f"{path} is not a Fairmatch backup (no readable manifest)") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is not a Fairmatch backup (unknown manifest)")
    if manifest.get("version") != FORMAT_VERSION or manifest.get("backend") not in MEMBERS:
        raise BackupError(f"{path}: backup format {manifest.get('version')!r} is not supported")
    return manifest


def database_has_data(database_url: str) -> bool:
    """Whether any table but Alembic's holds a row (an absent SQLite file holds none)."""
    url = make_url(database_url)
    if _backend(url) == "sqlite" and not _sqlite_path(url).exists():
        return False
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            names = [n for n in inspect(conn).get_table_names() if n != "alembic_version"]
            return any(
                conn.execute(select(func.count()).select_from(table(n))).scalar_one() for n in names
            )
    finally:
        engine.dispose()


def restore_backup(database_url: str, upload_dir: Path, path: Path, say: Say) -> dict:
    """Replace the database and the evidence uploads with those in the backup at ``path``."""
    url, manifest = make_url(database_url), read_manifest(path)
    backend = _backend(url)
    if manifest["backend"] != backend:
        raise BackupError(
            f"{path} is a backup of a {BACKEND_NAMES[manifest['backend']]} database, "
            f"but DATABASE_URL is a {BACKEND_NAMES[backend]} database"
        )
    target = _sqlite_path(url) if backend == "sqlite" else None
    work_parent = target.parent if target is not None else Path(upload_dir).parent
    work_parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".restore-", dir=work_parent) as work:
        with tarfile.open(path) as tar:
            # The "data" filter refuses absolute paths, "..", links out and device files.
            tar.extractall(work, filter="data")
        dump = Path(work) / MEMBERS[backend]
        if not dump.is_file():
            raise BackupError(f"{path} holds no database ({MEMBERS[backend]} is missing)")
        say(f"restoring the {BACKEND_NAMES[backend]} database from {path}")
        if target is not None:
            _sqlite_restore(dump, target)
        else:
            _run_pg("pg_restore", [*PG_RESTORE_OPTIONS, f"--dbname={url.database}", str(dump)], url)
        count = _replace_uploads(Path(work) / UPLOADS, Path(upload_dir))
        say(f"restored {count} evidence files into {upload_dir}")
    return manifest


PG_RESTORE_OPTIONS = [
    "--clean",
    "--if-exists",
    "--no-owner",
    "--single-transaction",
    "--no-password",
]


def _backend(url: URL) -> str:
    backend = url.get_backend_name()
    if backend not in MEMBERS:
        raise BackupError(f"cannot back up a {backend} database (SQLite or PostgreSQL only)")
    return backend


def _manifest(backend: str) -> dict:
    from alembic.script import ScriptDirectory

    from matcher.migrate import alembic_config  # alembic is heavy; only here

    heads = sorted(ScriptDirectory.from_config(alembic_config()).get_heads())
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "backend": backend,
        "created_at": utcnow().isoformat(),
        "schema_heads": heads,
    }


def _sqlite_path(url: URL, must_exist: bool = False) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    path = Path(url.database)
    if must_exist and not path.is_file():
        raise BackupError(f"the database file {path} does not exist")
    return path


def _sqlite_copy(source: Path, dump: Path) -> None:
    # The online backup API copies a consistent snapshot while other connections keep writing.
    src, dst = sqlite3.connect(source, timeout=30), sqlite3.connect(dump)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _sqlite_restore(dump: Path, target: Path) -> None:
    src = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
    try:
        if src.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise BackupError("the database in the backup is damaged (quick_check failed)")
    except sqlite3.DatabaseError as exc:
        src.close()
        raise BackupError(f"the database in the backup is not SQLite: {exc}") from None
    # Copying pages into the live file (not renaming over it) keeps WAL and open connections
    # consistent: they see the old database or the restored one, never a mix.
    dst = sqlite3.connect(target, timeout=30)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _pg_env(url: URL) -> dict[str, str]:
    """libpq's environment for the URL: the password travels here, never on a command line."""
    env = dict(os.environ)
    for key, value in (
        ("PGHOST", url.host),
        ("PGPORT", url.port),
        ("PGUSER", url.username),
        ("PGPASSWORD", url.password),
        ("PGDATABASE", url.database),
        ("PGSSLMODE", url.query.get("sslmode")),
    ):
        if value is not None:
            env[key] = str(value)
    return env


def _run_pg(program: str, args: list[str], url: URL) -> None:
    executable = shutil.which(program)
    if executable is None:
        raise BackupError(
            f"{program} is not installed: install the PostgreSQL client tools "
            "(apt-get install postgresql-client)"
        )
    done = subprocess.run(
        [executable, *args], env=_pg_env(url), capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BackupError(f"{program} failed: {done.stderr.strip() or done.returncode}")


def _evidence_files(upload_dir: Path) -> list[Path]:
    upload_dir = Path(upload_dir)
    if not upload_dir.is_dir():
        return []
    return sorted(p for p in upload_dir.rglob("*") if p.is_file() and not p.is_symlink())


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(utcnow().timestamp()), 0o600
    tar.addfile(info, io.BytesIO(data))


def _replace_uploads(restored: Path, upload_dir: Path) -> int:
    """Put the backup's uploads in place of the current ones (two renames, then clean up)."""
    if not restored.is_dir():
        restored.mkdir()
    count = len(_evidence_files(restored))
    upload_dir.parent.mkdir(parents=True, exist_ok=True)
    old = None
    if upload_dir.exists():
        # Beside the uploads, so moving them aside is a rename on the same file system.
        old = Path(tempfile.mkdtemp(prefix=".uploads-before-restore-", dir=upload_dir.parent))
        os.replace(upload_dir, old / "uploads")
    shutil.move(restored, upload_dir)  # a rename, or a copy when the work dir is elsewhere
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return count
