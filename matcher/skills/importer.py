"""Import the official ESCO CSV packages: a diff-based sync in the caller's transaction.

The input is read and checked completely first (``esco_csv``), then compared with the database
in memory, table by table, and only the difference is written with Core bulk statements: new
rows inserted, changed rows updated, vanished rows deleted. Re-importing the same package
changes nothing; a checksum of the input makes that case fast enough to run on every start.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TextIO

from sqlalchemy import func, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from matcher.db import utcnow
from matcher.progress import Progress
from matcher.skills.esco_csv import EscoImportError, EscoPackage, find_input, read_package
from matcher.skills.esco_sync import LABELS, Changes, EscoSync
from matcher.skills.models import (
    Broader,
    Concept,
    EscoImport,
    IscoGroup,
    Label,
    Occupation,
    OccupationSkill,
    Skill,
    SkillGroup,
    SkillRelation,
)

__all__ = ["EscoImportError", "ImportSummary", "import_esco"]

COUNTED = {
    "skills": Skill,
    "occupations": Occupation,
    "isco_groups": IscoGroup,
    "skill_groups": SkillGroup,
    "labels": Label,
    "occupation_skills": OccupationSkill,
    "skill_relations": SkillRelation,
    "broader": Broader,
}


@dataclass
class ImportSummary:
    """What an import found and did; ``lines()`` is what the command prints."""

    changed: bool
    esco_version: str
    source: str
    counts: dict[str, int]
    languages: list[str]
    changes: dict[str, Changes] = field(default_factory=dict)
    unknown_label_rows: int = 0
    unknown_label_examples: list[str] = field(default_factory=list)
    skipped_relations: int = 0
    skipped_relation_examples: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def lines(self) -> list[str]:
        c = self.counts
        head = (
            f"ESCO {self.esco_version} imported in {self.seconds:.1f} s"
            if self.changed
            else f"ESCO {self.esco_version}: already imported, nothing changed"
        )
        lines = [
            head,
            f"  skills {c.get('skills', 0):,}, occupations {c.get('occupations', 0):,},"
            f" ISCO groups {c.get('isco_groups', 0):,}, skill groups {c.get('skill_groups', 0):,}",
            f"  occupation→skill relations {c.get('occupation_skills', 0):,},"
            f" skill→skill relations {c.get('skill_relations', 0):,},"
            f" broader links {c.get('broader', 0):,}",
            f"  labels {c.get('labels', 0):,} in {len(self.languages)} languages:"
            f" {' '.join(self.languages)}",
        ]
        for table, ch in self.changes.items():
            if ch:
                lines.append(
                    f"  {table}: {ch.inserted:,} new, {ch.updated:,} changed,"
                    f" {ch.deleted:,} removed"
                )
        if self.unknown_label_rows:
            lines.append(
                f"  skipped {self.unknown_label_rows:,} label rows of unknown concepts, e.g. "
                + "; ".join(self.unknown_label_examples)
            )
        if self.skipped_relations:
            lines.append(
                f"  skipped {self.skipped_relations:,} relations to unknown concepts, e.g. "
                + "; ".join(self.skipped_relation_examples)
            )
        return lines


def import_esco(
    session: Session, directory: Path | str, progress_stream: TextIO | None = None
) -> ImportSummary:
    """Import the ESCO CSV packages under ``directory``: insert, update, delete what differs."""
    started, clock = utcnow(), time.monotonic()
    found = find_input(Path(directory))
    conn = session.connection()
    _lock(conn)
    last = session.scalars(select(EscoImport).order_by(EscoImport.id.desc()).limit(1)).first()
    if last is not None and last.checksum == found.checksum:
        return ImportSummary(False, last.esco_version, last.source, last.counts, last.languages)
    package = read_package(found, progress_stream)
    sync = EscoSync(conn, package)
    sync.compute()
    sync.write(Progress("writing ESCO changes", sync.pending(), stream=progress_stream))
    # Core statements bypass the identity map: objects loaded before the import are stale.
    session.expire_all()
    summary = _summary(conn, package, sync, time.monotonic() - clock)
    if summary.changed:
        session.add(_import_record(package, summary, started))
        session.flush()
        _analyze(conn)
    return summary


def _summary(
    conn: Connection, package: EscoPackage, sync: EscoSync, seconds: float
) -> ImportSummary:
    counts, languages = _counts(conn)
    return ImportSummary(
        changed=any(sync.changes.values()),
        esco_version=package.esco_version,
        source=package.source,
        counts=counts,
        languages=languages,
        changes=sync.changes,
        unknown_label_rows=sync.unknown_labels,
        unknown_label_examples=sync.unknown_label_examples,
        skipped_relations=sync.skipped_relations,
        skipped_relation_examples=sync.skipped_relation_examples,
        seconds=seconds,
    )


def _import_record(package: EscoPackage, summary: ImportSummary, started: datetime) -> EscoImport:
    return EscoImport(
        esco_version=package.esco_version,
        languages=summary.languages,
        counts=summary.counts,
        source=package.source,
        checksum=package.checksum,
        started_at=started,
        finished_at=utcnow(),
    )


def _lock(conn: Connection) -> None:
    # Two imports at once would both compute the same new ids; the second waits instead.
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('fairmatch.esco_import'))"))


def _analyze(conn: Connection) -> None:
    # Without fresh statistics PostgreSQL's planner takes the freshly filled tables for empty and
    # scans all concepts for every skill-group lookup (the load bench: 75 ms a skills page, 15 ms
    # after ANALYZE); autovacuum may be off or late. ANALYZE runs inside the import's transaction.
    if conn.dialect.name == "postgresql":
        for model in (Concept, *COUNTED.values()):
            conn.execute(text(f"ANALYZE {model.__tablename__}"))


def _counts(conn: Connection) -> tuple[dict[str, int], list[str]]:
    counts = {
        name: conn.execute(select(func.count()).select_from(model.__table__)).scalar_one()
        for name, model in COUNTED.items()
    }
    languages = sorted(conn.scalars(select(LABELS.c.lang).distinct()))
    return counts, languages
