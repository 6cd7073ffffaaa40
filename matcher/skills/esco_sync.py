"""The difference between an ESCO package and the database, per table, and writing it.

Rows are compared as plain tuples in memory and written with Core bulk statements in chunks:
per-row ORM objects would make a full import (half a million labels) take minutes.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import (
    String,
    Table,
    and_,
    bindparam,
    delete,
    func,
    insert,
    select,
    text,
    type_coerce,
    update,
)
from sqlalchemy.engine import Connection

from matcher.progress import Progress
from matcher.skills.esco_csv import EscoPackage
from matcher.skills.models import (
    Broader,
    Concept,
    ConceptKind,
    IscoGroup,
    Label,
    Occupation,
    OccupationSkill,
    RelationType,
    Skill,
    SkillGroup,
    SkillRelation,
)

CHUNK = 5_000
EXAMPLES = 3
CONCEPTS: Table = Concept.__table__  # type: ignore[assignment]
LABELS: Table = Label.__table__  # type: ignore[assignment]
CONCEPT_FIELDS = ("uri", "kind", "preferred_label", "description", "status")
# Per concept kind, in insert order (occupations point at ISCO groups): its table and fields.
SUBTABLES: dict[ConceptKind, tuple[str, Table, tuple[str, ...]]] = {
    ConceptKind.ISCO_GROUP: ("isco_groups", IscoGroup.__table__, ("code",)),  # type: ignore[dict-item]
    ConceptKind.SKILL_GROUP: ("skill_groups", SkillGroup.__table__, ("code",)),  # type: ignore[dict-item]
    ConceptKind.SKILL: ("skills", Skill.__table__, ("skill_type", "reuse_level")),  # type: ignore[dict-item]
    ConceptKind.OCCUPATION: ("occupations", Occupation.__table__, ("code", "isco_group_id")),  # type: ignore[dict-item]
}

Key = tuple
Rows = dict[Key, tuple]


class Changes:
    """Rows inserted, updated and deleted in one table."""

    def __init__(self) -> None:
        self.inserted = self.updated = self.deleted = 0

    def __bool__(self) -> bool:
        return bool(self.inserted or self.updated or self.deleted)

    def __repr__(self) -> str:
        return f"Changes(+{self.inserted} ~{self.updated} -{self.deleted})"


class EscoSync:
    """Compute with ``compute()``, then ``write()`` inside the caller's transaction."""

    def __init__(self, conn: Connection, package: EscoPackage) -> None:
        self.conn, self.package = conn, package
        self.changes: dict[str, Changes] = {}
        self._deletes: list[tuple[Table, tuple[str, ...], list[Key]]] = []
        self._inserts: list[tuple[Table, list[dict]]] = []
        self._updates: list[tuple[Table, tuple[str, ...], tuple[str, ...], list[dict]]] = []
        self._label_deletes: list[int] = []
        self.unknown_labels = 0
        self.unknown_label_examples: list[str] = []
        self.skipped_relations = 0
        self.skipped_relation_examples: list[str] = []
        self._ids: dict[str, tuple[int, str]] = {}  # uri → (id, kind)

    def compute(self) -> None:
        existing = {
            (row.id,): tuple(_plain(row[i + 1]) for i in range(len(CONCEPT_FIELDS)))
            for row in self.conn.execute(
                select(CONCEPTS.c.id, *(CONCEPTS.c[f] for f in CONCEPT_FIELDS))
            )
        }
        self._ids = {values[0]: (key[0], values[1]) for key, values in existing.items()}
        if self.package.concepts is not None:
            self._compute_concepts(existing)
        self._compute_labels()
        if self.package.concepts is not None:
            self._compute_relations()
        # Children before parents when deleting; the reverse when inserting.
        self._deletes.reverse()

    def pending(self) -> int:
        return (
            sum(len(keys) for _, _, keys in self._deletes)
            + len(self._label_deletes)
            + sum(len(rows) for _, rows in self._inserts)
            + sum(len(rows) for *_, rows in self._updates)
        )

    def write(self, progress: Progress) -> None:
        for start in range(0, len(self._label_deletes), CHUNK):
            chunk = self._label_deletes[start : start + CHUNK]
            self.conn.execute(delete(LABELS).where(LABELS.c.id.in_(chunk)))
            progress.advance(len(chunk))
        for table, key_cols, keys in self._deletes:
            where = and_(*(table.c[k] == bindparam(f"k_{k}") for k in key_cols))
            params = [{f"k_{k}": v for k, v in zip(key_cols, key, strict=True)} for key in keys]
            self._run(delete(table).where(where), params, progress)
        for table, rows in self._inserts:
            if self.conn.dialect.name == "postgresql":
                self._copy(table, rows, progress)
            else:
                self._run(insert(table), rows, progress)
        for table, key_cols, value_cols, rows in self._updates:
            where = and_(*(table.c[k] == bindparam(f"k_{k}") for k in key_cols))
            values = {c: bindparam(f"v_{c}") for c in value_cols}
            self._run(update(table).where(where).values(values), rows, progress)
        _advance_sequences(self.conn)
        progress.finish()

    def _run(self, stmt, params: list[dict], progress: Progress) -> None:
        for start in range(0, len(params), CHUNK):
            chunk = params[start : start + CHUNK]
            self.conn.execute(stmt, chunk)
            progress.advance(len(chunk))

    def _copy(self, table: Table, rows: list[dict], progress: Progress) -> None:
        # psycopg sends an executemany as one statement per row; COPY is ten times faster.
        columns = list(rows[0])
        sql = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
        cursor = self.conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor, cursor.copy(sql) as copy:
            for start in range(0, len(rows), CHUNK):
                chunk = rows[start : start + CHUNK]
                for row in chunk:
                    copy.write_row([row[c] for c in columns])
                progress.advance(len(chunk))

    def _compute_concepts(self, existing: Rows) -> None:
        assert self.package.concepts is not None
        next_id = max((key[0] for key in existing), default=0) + 1
        ids: dict[str, tuple[int, str]] = {}
        for uri, concept in self.package.concepts.items():
            old = self._ids.get(uri)
            # A concept that changed kind is a new concept: its id moves to the right table.
            if old is not None and old[1] == concept.kind.value:
                ids[uri] = old
            else:
                ids[uri], next_id = (next_id, concept.kind.value), next_id + 1
        self._ids = ids
        isco_ids = {
            c.code: ids[uri][0]
            for uri, c in self.package.concepts.items()
            if c.kind == ConceptKind.ISCO_GROUP
        }
        wanted = {
            (ids[uri][0],): (uri, c.kind.value, c.preferred_label, c.description, c.status)
            for uri, c in self.package.concepts.items()
        }
        self._diff("concepts", CONCEPTS, ("id",), CONCEPT_FIELDS, existing, wanted)
        for kind, (name, table, fields) in SUBTABLES.items():
            rows = {
                (ids[uri][0],): tuple(
                    isco_ids.get(c.isco_code) if f == "isco_group_id" else getattr(c, f)
                    for f in fields
                )
                for uri, c in self.package.concepts.items()
                if c.kind == kind
            }
            self._diff(name, table, ("id",), fields, self._load(table, ("id",), fields), rows)

    def _compute_labels(self) -> None:
        languages = sorted(self.package.languages)
        # Plain tuples and the stored kind string: half a million rows, so no per-row enum work.
        stmt = select(
            LABELS.c.concept_id,
            LABELS.c.lang,
            type_coerce(LABELS.c.kind, String),
            LABELS.c.text,
            LABELS.c.id,
        ).where(LABELS.c.lang.in_(languages))
        existing = {
            (c, lang, kind, label): i for c, lang, kind, label, i in self.conn.execute(stmt)
        }
        wanted: dict[Key, None] = {}
        unknown: dict[tuple[str, str], None] = {}  # (file, uri): one CSV row each
        for uri, lang, kind, label, file in self.package.labels:
            found = self._ids.get(uri)
            if found is None:
                unknown[(file, uri)] = None
                continue
            wanted[(found[0], lang, kind, label)] = None
        self.unknown_labels = len(unknown)
        examples = {uri: f"{file}: {uri}" for file, uri in unknown}
        self.unknown_label_examples = list(examples.values())[:EXAMPLES]
        changes = self.changes.setdefault("labels", Changes())
        self._label_deletes = [label_id for key, label_id in existing.items() if key not in wanted]
        next_id = (self.conn.execute(select(func.max(LABELS.c.id))).scalar() or 0) + 1
        new = [key for key in wanted if key not in existing]
        rows = [
            {"id": next_id + i, "concept_id": c, "lang": lang, "kind": kind, "text": label}
            for i, (c, lang, kind, label) in enumerate(new)
        ]
        if rows:
            self._inserts.append((LABELS, rows))
        changes.inserted, changes.deleted = len(rows), len(self._label_deletes)

    def _compute_relations(self) -> None:
        package, skill, occupation = self.package, ConceptKind.SKILL, ConceptKind.OCCUPATION
        self._relations(
            "occupation_skills",
            OccupationSkill.__table__,  # type: ignore[arg-type]
            ("occupation_id", "skill_id"),
            package.occupation_skills,
            (occupation, skill),
        )
        self._relations(
            "skill_relations",
            SkillRelation.__table__,  # type: ignore[arg-type]
            ("skill_id", "related_id"),
            package.skill_relations,
            (skill, skill),
        )
        self._relations(
            "broader",
            Broader.__table__,  # type: ignore[arg-type]
            ("concept_id", "broader_id"),
            ((a, b, None) for a, b in package.broader),
            (None, None),
        )

    def _relations(
        self,
        name: str,
        table: Table,
        key_cols: tuple[str, str],
        links: Iterable[tuple[str, str, RelationType | None]],
        kinds: tuple[ConceptKind | None, ConceptKind | None],
    ) -> None:
        fields = ("relation_type",) if kinds[0] is not None else ()
        wanted: Rows = {}
        for first, second, relation_type in links:
            a, b = self._ids.get(first), self._ids.get(second)
            if (
                a is None
                or b is None
                or a == b
                or not _kind_ok(a, kinds[0])
                or not _kind_ok(b, kinds[1])
            ):
                self.skipped_relations += 1
                if len(self.skipped_relation_examples) < EXAMPLES:
                    self.skipped_relation_examples.append(f"{name}: {first} → {second}")
                continue
            key = (a[0], b[0])
            if relation_type is None:
                wanted[key] = ()
            # Listed twice with different types: essential is the stronger claim.
            elif wanted.get(key) != (RelationType.ESSENTIAL.value,):
                wanted[key] = (relation_type.value,)
        self._diff(name, table, key_cols, fields, self._load(table, key_cols, fields), wanted)

    def _load(self, table: Table, key_cols: tuple[str, ...], fields: tuple[str, ...]) -> Rows:
        n = len(key_cols)
        result = self.conn.execute(select(*(table.c[c] for c in key_cols + fields)))
        return {tuple(row[:n]): tuple(_plain(v) for v in row[n:]) for row in result}

    def _diff(
        self,
        name: str,
        table: Table,
        key_cols: tuple[str, ...],
        fields: tuple[str, ...],
        existing: Rows,
        wanted: Rows,
    ) -> None:
        changes = self.changes.setdefault(name, Changes())
        gone = [key for key in existing if key not in wanted]
        new = [
            dict(zip(key_cols + fields, key + values, strict=True))
            for key, values in wanted.items()
            if key not in existing
        ]
        changed = [
            {
                **{f"k_{k}": v for k, v in zip(key_cols, key, strict=True)},
                **{f"v_{f}": v for f, v in zip(fields, values, strict=True)},
            }
            for key, values in wanted.items()
            if key in existing and existing[key] != values
        ]
        if gone:
            self._deletes.append((table, key_cols, gone))
        if new:
            self._inserts.append((table, new))
        if changed:
            self._updates.append((table, key_cols, fields, changed))
        changes.inserted, changes.updated, changes.deleted = len(new), len(changed), len(gone)


def _kind_ok(found: tuple[int, str], kind: ConceptKind | None) -> bool:
    return kind is None or found[1] == kind.value


def _plain(value):
    # Enum columns come back as StrEnum members; compare and hash them as their stored value.
    return getattr(value, "value", value)


def _advance_sequences(conn: Connection) -> None:
    # Ids were given explicitly; PostgreSQL's sequences must move past them for later inserts.
    if conn.dialect.name != "postgresql":
        return
    for table in ("esco_concept", "esco_label"):
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                f" coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
            )
        )
