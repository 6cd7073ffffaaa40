"""Reading the official ESCO CSV packages: classification, relations and label files.

Files are recognised by name wherever they are (a zip, a folder, a sub-folder), because the
official packages move files between zips from one ESCO version to the next. Everything is read
and checked before the importer writes anything, so bad input never changes the database.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import sys
import zipfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TextIO

from matcher.errors import ValidationError
from matcher.progress import Progress
from matcher.skills.models import ConceptKind, LabelKind, RelationType


class EscoImportError(ValidationError):
    """The ESCO input cannot be imported; the message names the file and the problem."""


# Bump when the reading or syncing rules change, so the checksum fast path re-runs the diff.
FORMAT_VERSION = "1"

CONCEPT_FILE = re.compile(
    r"^(skills|occupations|ISCOGroups|skillGroups)_([A-Za-z]{2,3}(?:-[A-Za-z]{2,4})?)\.csv$"
)
FILE_KIND = {
    "skills": ConceptKind.SKILL,
    "occupations": ConceptKind.OCCUPATION,
    "ISCOGroups": ConceptKind.ISCO_GROUP,
    "skillGroups": ConceptKind.SKILL_GROUP,
}
RELATION_FILE = re.compile(
    r"^(occupationSkillRelations|skillSkillRelations|broaderRelationsSkillPillar"
    r"|broaderRelationsOccPillar)(?:_[A-Za-z-]+)?\.csv$"
)
LABEL_COLUMNS = ("conceptUri", "preferredLabel", "altLabels", "hiddenLabels")
# Columns the importer needs from the English classification, per concept kind.
CONCEPT_COLUMNS = {
    ConceptKind.SKILL: ("conceptUri", "preferredLabel", "altLabels", "skillType", "reuseLevel"),
    ConceptKind.OCCUPATION: ("conceptUri", "preferredLabel", "altLabels", "iscoGroup", "code"),
    ConceptKind.ISCO_GROUP: ("conceptUri", "preferredLabel", "code"),
    ConceptKind.SKILL_GROUP: ("conceptUri", "preferredLabel", "altLabels"),
}
RELATION_COLUMNS = {
    "occupationSkillRelations": ("occupationUri", "relationType", "skillUri"),
    "skillSkillRelations": ("originalSkillUri", "relationType", "relatedSkillUri"),
    "broaderRelationsSkillPillar": ("conceptUri", "broaderUri"),
    "broaderRelationsOccPillar": ("conceptUri", "broaderUri"),
}
# Official packages list labels one per line; some exports join them with " | ".
LABEL_SEPARATOR = re.compile(r"\n| \| ")
VERSION = re.compile(r"v(\d+(?:\.\d+)+)")
# Label kinds as their stored strings: the importer handles half a million of them.
PREFERRED, ALTERNATIVE, HIDDEN = (k.value for k in LabelKind)
# Column sizes of esco_concept.uri, esco_concept.preferred_label and esco_label.text.
MAX_URI, MAX_NAME, MAX_LABEL = 255, 512, 1024


@dataclass(frozen=True)
class CsvSource:
    """One CSV file, loose or inside a zip."""

    name: str  # the file name that identifies it, e.g. skills_en.csv
    container: Path
    member: str | None = None  # its name inside the zip

    @property
    def where(self) -> str:
        return f"{self.container}:{self.member}" if self.member else str(self.container)


@dataclass(frozen=True)
class Plan:
    """How one source will be read, decided from its name and header before reading rows."""

    source: CsvSource
    role: str  # classification | labels | one of RELATION_COLUMNS
    columns: dict[str, int]
    kind: ConceptKind | None = None
    lang: str = ""


@dataclass
class ConceptRow:
    uri: str
    kind: ConceptKind
    preferred_label: str
    description: str = ""
    status: str = "released"
    code: str = ""
    skill_type: str = ""
    reuse_level: str = ""
    isco_code: str = ""


@dataclass
class EscoPackage:
    """Everything read from the input; ``concepts`` is None for a labels-only input."""

    concepts: dict[str, ConceptRow] | None
    # (uri, lang, kind, text, file) per label
    labels: list[tuple[str, str, str, str, str]]
    languages: set[str]
    occupation_skills: list[tuple[str, str, RelationType]]
    skill_relations: list[tuple[str, str, RelationType]]
    broader: list[tuple[str, str]]
    esco_version: str
    source: str
    checksum: str


@dataclass(frozen=True)
class EscoInput:
    """The ESCO files found under a path, and a checksum of their bytes."""

    path: Path
    sources: list[CsvSource]
    containers: list[Path]
    checksum: str


def find_input(path: Path) -> EscoInput:
    """Find the ESCO CSV files under ``path`` (a folder, a zip or one CSV file)."""
    containers = _containers(path)
    sources = _sources(containers)
    if not sources:
        raise EscoImportError(f"{path}: no ESCO CSV files found")
    return EscoInput(path, sources, containers, _checksum(path, containers))


def read_package(found: EscoInput, progress_stream: TextIO | None = None) -> EscoPackage:
    """Read and check every ESCO CSV file found; headers first, so most errors come early."""
    plans = [_plan(source) for source in found.sources]
    _check_complete(plans)
    package = EscoPackage(
        concepts={} if any(p.role == "classification" for p in plans) else None,
        labels=[],
        languages={p.lang for p in plans if p.lang},
        occupation_skills=[],
        skill_relations=[],
        broader=[],
        esco_version=_version(found.sources),
        source=f"{found.path}: " + ", ".join(sorted(c.name for c in found.containers)),
        checksum=found.checksum,
    )
    progress = Progress("reading ESCO files", len(plans), stream=progress_stream)
    for plan in plans:
        rows = _read_table(plan.source)[1:]
        if plan.role in RELATION_COLUMNS:
            _read_relations(plan, rows, package)
        else:
            _read_concepts(plan, rows, package)
        progress.advance()
    progress.finish()
    return package


def _containers(path: Path) -> list[Path]:
    if not path.exists():
        raise EscoImportError(f"{path}: no such file or directory")
    if path.is_file():
        return [path]
    found = [p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in (".csv", ".zip")]
    return sorted(found)


def _sources(containers: list[Path]) -> list[CsvSource]:
    sources: dict[str, CsvSource] = {}
    for container in containers:
        for source in _sources_in(container):
            if not (CONCEPT_FILE.match(source.name) or RELATION_FILE.match(source.name)):
                continue  # collections, hierarchy, concept schemes: nothing the app uses
            if source.name in sources:
                raise EscoImportError(
                    f"{source.where}: {source.name} found twice (also {sources[source.name].where})"
                )
            sources[source.name] = source
    return sorted(sources.values(), key=lambda s: s.name)


def _sources_in(container: Path) -> Iterator[CsvSource]:
    if container.suffix.lower() == ".csv":
        yield CsvSource(container.name, container)
        return
    if container.suffix.lower() != ".zip":
        raise EscoImportError(f"{container}: not a CSV file or a zip archive")
    try:
        with zipfile.ZipFile(container) as archive:
            members = [m.filename for m in archive.infolist() if not m.is_dir()]
    except (zipfile.BadZipFile, OSError) as exc:
        raise EscoImportError(f"{container}: not a valid zip archive ({exc})") from exc
    for member in members:
        name = member.rsplit("/", 1)[-1]
        if name.lower().endswith(".csv") and not member.startswith("__MACOSX"):
            yield CsvSource(name, container, member)


@contextmanager
def _open(source: CsvSource) -> Iterator[TextIO]:
    with ExitStack() as stack:
        if source.member is None:
            raw: IO[bytes] = stack.enter_context(source.container.open("rb"))
        else:
            archive = stack.enter_context(zipfile.ZipFile(source.container))
            raw = stack.enter_context(archive.open(source.member))
        yield stack.enter_context(io.TextIOWrapper(raw, encoding="utf-8-sig", newline=""))


def _read_table(source: CsvSource, header_only: bool = False) -> list[list[str]]:
    # ESCO descriptions and concept-scheme lists exceed the csv module's default field limit.
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    try:
        with _open(source) as text:
            reader = csv.reader(text)
            rows = [next(reader, [])] if header_only else list(reader)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise EscoImportError(f"{source.where}: not a UTF-8 CSV file ({exc})") from exc
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise EscoImportError(f"{source.where}: cannot be read ({exc})") from exc
    if not rows or not rows[0]:
        raise EscoImportError(f"{source.where}: empty file, expected a CSV header")
    return [rows[0], *(row for row in rows[1:] if any(row))]


def _plan(source: CsvSource) -> Plan:
    header = [column.strip() for column in _read_table(source, header_only=True)[0]]
    relation = RELATION_FILE.match(source.name)
    if relation:
        role = relation.group(1)
        return Plan(source, role, _columns(source, header, RELATION_COLUMNS[role]))
    match = CONCEPT_FILE.match(source.name)
    assert match is not None
    kind, lang = FILE_KIND[match.group(1)], match.group(2).lower()
    if "conceptType" not in header and tuple(header) != LABEL_COLUMNS:
        raise EscoImportError(
            f"{source.where}: wrong columns: a label file has exactly "
            f"{', '.join(LABEL_COLUMNS)} (found {', '.join(header[:8]) or 'none'})"
        )
    if "conceptType" in header and lang == "en":
        return Plan(
            source, "classification", _columns(source, header, CONCEPT_COLUMNS[kind]), kind, lang
        )
    return Plan(
        source, "labels", _columns(source, header, ("conceptUri", "preferredLabel")), kind, lang
    )


def _columns(source: CsvSource, header: list[str], needed: tuple[str, ...]) -> dict[str, int]:
    missing = [column for column in needed if column not in header]
    if missing:
        raise EscoImportError(
            f"{source.where}: wrong columns: missing {', '.join(missing)}"
            f" (found {', '.join(header[:8]) or 'none'})"
        )
    return {column: i for i, column in enumerate(header)}


def _read_concepts(plan: Plan, rows: list[list[str]], package: EscoPackage) -> None:
    col, where, name = plan.columns, plan.source.where, plan.source.name
    for number, row in enumerate(rows, start=1):
        uri = _cell(row, col, "conceptUri").strip()
        if not uri or len(uri) > MAX_URI:
            raise EscoImportError(f"{where}: row {number}: conceptUri empty or too long")
        if plan.role == "classification":
            assert package.concepts is not None and plan.kind is not None
            if uri in package.concepts:
                raise EscoImportError(f"{where}: row {number}: concept {uri} appears twice")
            package.concepts[uri] = concept = _concept(plan.kind, uri, row, col)
            if len(concept.preferred_label) > MAX_NAME:
                raise EscoImportError(
                    f"{where}: row {number}: preferredLabel over {MAX_NAME} characters"
                )
        first = len(package.labels)
        _add_labels(package, name, plan.lang, uri, row, col)
        # The database would refuse it (PostgreSQL) or keep it whole (SQLite): refuse it here.
        if any(len(label[3]) > MAX_LABEL for label in package.labels[first:]):
            raise EscoImportError(f"{where}: row {number}: a label over {MAX_LABEL} characters")


def _cell(row: list[str], col: dict[str, int], name: str) -> str:
    i = col.get(name)
    return row[i] if i is not None and i < len(row) else ""


def _concept(kind: ConceptKind, uri: str, row: list[str], col: dict[str, int]) -> ConceptRow:
    def get(name: str) -> str:
        return _cell(row, col, name).strip()

    return ConceptRow(
        uri=uri,
        kind=kind,
        preferred_label=get("preferredLabel"),
        description=get("description"),
        status=get("status") or "released",
        code=get("code") if kind != ConceptKind.SKILL else "",
        skill_type=get("skillType"),
        reuse_level=get("reuseLevel"),
        isco_code=get("iscoGroup") if kind == ConceptKind.OCCUPATION else "",
    )


def _add_labels(
    package: EscoPackage, file: str, lang: str, uri: str, row: list[str], col: dict[str, int]
) -> None:
    append = package.labels.append
    preferred = _cell(row, col, "preferredLabel").strip()
    if preferred:
        append((uri, lang, PREFERRED, preferred, file))
    for kind, column in ((ALTERNATIVE, "altLabels"), (HIDDEN, "hiddenLabels")):
        for text in LABEL_SEPARATOR.split(_cell(row, col, column)):
            text = text.strip()
            if text:
                append((uri, lang, kind, text, file))


def _read_relations(plan: Plan, rows: list[list[str]], package: EscoPackage) -> None:
    needed, col = RELATION_COLUMNS[plan.role], plan.columns
    for number, row in enumerate(rows, start=1):
        first, second = _cell(row, col, needed[0]).strip(), _cell(row, col, needed[-1]).strip()
        if plan.role.startswith("broader"):
            package.broader.append((first, second))
            continue
        raw_type = _cell(row, col, "relationType").strip()
        try:
            relation_type = RelationType(raw_type)
        except ValueError:
            raise EscoImportError(
                f"{plan.source.where}: row {number}: unknown relationType {raw_type!r}"
            ) from None
        target = (
            package.occupation_skills
            if plan.role == "occupationSkillRelations"
            else package.skill_relations
        )
        target.append((first, second, relation_type))


def _check_complete(plans: list[Plan]) -> None:
    roles = {p.role for p in plans}
    classification = {p.kind for p in plans if p.role == "classification"}
    if not classification and not roles & set(RELATION_COLUMNS):
        return  # a labels-only input: it adds or replaces languages, nothing else
    missing = [f"{stem}_en.csv" for stem, kind in FILE_KIND.items() if kind not in classification]
    missing += [f"{stem}.csv" for stem in RELATION_COLUMNS if stem not in roles]
    if missing:
        raise EscoImportError(
            f"missing file {', '.join(missing)}: the English classification"
            " and the relations package are imported together"
        )


def _version(sources: list[CsvSource]) -> str:
    for source in sorted(sources, key=lambda s: not s.name.endswith("_en.csv")):
        found = VERSION.search(source.where)
        if found:
            return found.group(1)
    return "unknown"


def _checksum(root: Path, containers: list[Path]) -> str:
    digest = hashlib.sha256(f"esco-import-{FORMAT_VERSION}".encode())
    for container in containers:
        digest.update(
            str(container.relative_to(root) if root.is_dir() else container.name).encode()
        )
        with container.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()
