"""The ESCO importer: what it loads, that it syncs by difference, that bad input changes nothing.

The fixture package (tests/fixtures/esco) is a hand-made miniature of the official packages:
an English classification folder, a relations folder, Dutch label files (one row with a URI
the classification does not know) and a German classification folder that adds labels only.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
import threading
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from matcher.config import project_root
from matcher.db import make_engine
from matcher.skills.esco_sync import EscoSync
from matcher.skills.importer import ImportSummary, import_esco
from matcher.skills.models import (
    Broader,
    Concept,
    EscoImport,
    IscoGroup,
    Label,
    Occupation,
    OccupationSkill,
    Skill,
    SkillRelation,
)
from web.cli import main
from web.cli.common import open_engine

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "esco"
E = "http://data.europa.eu/esco/"
COOK, PORTER, CHEF = (E + f"occupation/fx-{k}" for k in ("cook", "porter", "chef-de-partie"))
SKILL_COOK, SKILL_GRILL, SKILL_WASH, SKILL_HYGIENE, SKILL_TEAM = (
    E + f"skill/fx-{k}" for k in ("cook", "grill", "wash", "hygiene", "teamwork")
)
FIXTURE_COUNTS = {
    "skills": 5,
    "occupations": 3,
    "isco_groups": 8,
    "skill_groups": 2,
    "labels": 56,
    "occupation_skills": 10,
    "skill_relations": 1,
    "broader": 15,
}


def run_import(session: Session, directory: Path) -> ImportSummary:
    return import_esco(session, directory, progress_stream=io.StringIO())


@pytest.fixture
def package(tmp_path: Path) -> Path:
    """A private copy of the fixture package that a test may edit."""
    return Path(shutil.copytree(FIXTURE, tmp_path / "esco"))


def edit_csv(path: Path, change: Callable[[list[dict[str, str]]], list[dict[str, str]]]) -> None:
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        header, rows = list(reader.fieldnames or []), list(reader)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(change(rows))


def labels(session: Session, uri: str, lang: str, kind: str | None = None) -> set[str]:
    stmt = select(Label.text).join(Concept).where(Concept.uri == uri, Label.lang == lang)
    if kind is not None:
        stmt = stmt.where(Label.kind == kind)
    return set(session.scalars(stmt))


def occupation_skills(session: Session, uri: str) -> dict[str, str]:
    occupation, skill = aliased(Concept), aliased(Concept)
    rows = session.execute(
        select(skill.uri, OccupationSkill.relation_type)
        .select_from(OccupationSkill)
        .join(skill, skill.id == OccupationSkill.skill_id)
        .join(occupation, occupation.id == OccupationSkill.occupation_id)
        .where(occupation.uri == uri)
    )
    return {skill_uri: str(relation_type) for skill_uri, relation_type in rows}


def broader(session: Session, uri: str) -> set[str]:
    parent = select(Concept.uri).join(Broader, Broader.broader_id == Concept.id)
    child = select(Concept.id).where(Concept.uri == uri).scalar_subquery()
    return set(session.scalars(parent.where(Broader.concept_id == child)))


def test_imports_concepts_with_their_fields(session):
    summary = run_import(session, FIXTURE)

    assert summary.changed
    assert summary.counts == FIXTURE_COUNTS
    assert summary.languages == ["de", "en", "nl"]
    cook = session.scalars(select(Occupation).where(Occupation.uri == COOK)).one()
    assert (cook.preferred_label, cook.code) == ("cook", "5120.1")
    assert cook.description == "Cooks prepare and present food."
    assert cook.isco_group is not None and cook.isco_group.code == "5120"
    hygiene = session.scalars(select(Skill).where(Skill.uri == SKILL_HYGIENE)).one()
    assert (hygiene.skill_type, hygiene.reuse_level) == ("knowledge", "cross-sector")
    assert session.scalars(select(IscoGroup.code).order_by(IscoGroup.code)).all()[:2] == ["5", "51"]
    assert "imported" in summary.lines()[0]
    record = session.scalars(select(EscoImport)).one()
    assert record.languages == ["de", "en", "nl"] and record.counts == FIXTURE_COUNTS
    assert len(record.checksum) == 64 and record.source.startswith(str(FIXTURE))
    assert record.finished_at is not None and record.finished_at >= record.started_at


def test_labels_are_loaded_per_language_and_kind(session):
    run_import(session, FIXTURE)

    assert labels(session, SKILL_WASH, "en", "preferred") == {"wash dishes"}
    assert labels(session, SKILL_WASH, "en", "alternative") == {"clean dishes", "wash up"}
    assert labels(session, SKILL_WASH, "en", "hidden") == {"do the washing-up"}
    # Some exports join labels with " | " instead of newlines.
    assert labels(session, SKILL_TEAM, "en", "alternative") == {
        "teamwork",
        "collaborate with colleagues",
    }
    assert labels(session, PORTER, "nl", "preferred") == {"keukenhulp"}
    assert labels(session, PORTER, "nl", "hidden") == {"afwasser"}
    assert labels(session, COOK, "nl", "alternative") == {"keukenkok", "chef-kok"}
    # A German classification package adds labels, and nothing else.
    assert labels(session, COOK, "de") == {"Koch/Köchin", "Küchenchef", "Koch"}
    assert labels(session, SKILL_HYGIENE, "de", "hidden") == {"Hygiene"}
    cook = session.scalars(select(Occupation).where(Occupation.uri == COOK)).one()
    assert cook.description == "Cooks prepare and present food."


def test_relations_and_hierarchy_are_loaded(session):
    run_import(session, FIXTURE)

    assert occupation_skills(session, PORTER) == {
        SKILL_WASH: "essential",
        SKILL_HYGIENE: "optional",
        SKILL_TEAM: "optional",
    }
    related = session.execute(select(SkillRelation.relation_type)).scalars().all()
    assert [str(r) for r in related] == ["optional"]
    assert broader(session, SKILL_GRILL) == {SKILL_COOK}
    assert broader(session, SKILL_COOK) == {E + "skill/fx-group-food"}
    assert broader(session, CHEF) == {COOK}
    assert broader(session, COOK) == {E + "isco/C5120"}
    assert broader(session, E + "isco/C512") == {E + "isco/C51"}


def test_zipped_packages_import_the_same(session, tmp_path):
    for folder in ("classification-en", "relations", "labels", "classification-de"):
        with zipfile.ZipFile(tmp_path / f"esco-v1.1.1-{folder}.zip", "w") as archive:
            for path in sorted((FIXTURE / folder).iterdir()):
                archive.write(path, f"{folder}/{path.name}")

    summary = run_import(session, tmp_path)

    assert summary.counts == FIXTURE_COUNTS
    assert summary.esco_version == "1.1.1"


def test_a_second_run_changes_nothing(session, package):
    run_import(session, package)

    again = run_import(session, package)
    # An unrelated file changes the checksum, so the full comparison runs too.
    (package / "notes.csv").write_text("anything\n", encoding="utf-8")
    compared = run_import(session, package)

    assert not again.changed and "already imported" in again.lines()[0]
    assert not compared.changed and not any(compared.changes.values())
    assert compared.counts == FIXTURE_COUNTS
    assert session.scalar(select(func.count()).select_from(EscoImport)) == 1


def test_a_changed_package_updates_exactly_what_changed(session, package):
    run_import(session, package)
    classification, relations = package / "classification-en", package / "relations"
    edit_csv(classification / "skills_en.csv", _rename_grill_and_add_a_skill)
    edit_csv(classification / "occupations_en.csv", lambda rows: rows[:2])  # porter goes
    edit_csv(relations / "occupationSkillRelations.csv", _make_grill_essential_for_cook)

    summary = run_import(session, package)

    ch = {name: (c.inserted, c.updated, c.deleted) for name, c in summary.changes.items()}
    assert ch["concepts"] == (1, 1, 1)  # knife skills new, grill renamed, porter gone
    assert ch["skills"] == (1, 0, 0)
    assert ch["occupations"] == (0, 0, 1)
    # grill: one preferred label replaced; knife skills: one new; porter: 4 en + 3 nl + 2 de.
    assert ch["labels"] == (2, 0, 1 + 9)
    assert ch["occupation_skills"] == (0, 1, 3)
    assert ch["broader"] == (0, 0, 1)
    assert ch["skill_relations"] == (0, 0, 0)
    assert labels(session, SKILL_GRILL, "en", "preferred") == {"grill meat and fish"}
    assert occupation_skills(session, COOK)[SKILL_GRILL] == "essential"
    assert session.scalars(select(Concept).where(Concept.uri == PORTER)).first() is None
    assert session.scalar(select(func.count()).select_from(EscoImport)) == 2


def _rename_grill_and_add_a_skill(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    for row in rows:
        if row["conceptUri"] == SKILL_GRILL:
            row["preferredLabel"] = "grill meat and fish"
    new = dict(rows[0], conceptUri=E + "skill/fx-knife", preferredLabel="use knives")
    return [*rows, dict(new, altLabels="", hiddenLabels="")]


def _make_grill_essential_for_cook(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    for row in rows:
        if (row["occupationUri"], row["skillUri"]) == (COOK, SKILL_GRILL):
            row["relationType"] = "essential"
    return rows


def test_a_language_in_the_input_replaces_its_labels_and_others_are_kept(session, package):
    run_import(session, package)
    edit_csv(package / "labels" / "skills_nl.csv", lambda rows: rows[:1])
    only_french = package.parent / "fr"
    only_french.mkdir()
    (only_french / "occupations_fr.csv").write_text(
        f"conceptUri,preferredLabel,altLabels,hiddenLabels\n{COOK},cuisinier,chef cuisinier,\n",
        encoding="utf-8",
    )

    run_import(session, package)
    summary = run_import(session, only_french)

    assert labels(session, SKILL_WASH, "nl") == set()
    assert labels(session, SKILL_COOK, "nl") == {"gerechten koken", "maaltijden bereiden"}
    assert labels(session, COOK, "fr") == {"cuisinier", "chef cuisinier"}
    assert summary.languages == ["de", "en", "fr", "nl"]
    assert summary.counts["skills"] == 5 and labels(session, COOK, "de")


def test_labels_of_unknown_concepts_are_reported_and_skipped(session):
    summary = run_import(session, FIXTURE)

    unknown = E + "occupation/fx-retired-in-new-version"
    assert summary.unknown_label_rows == 1
    assert summary.unknown_label_examples == [f"occupations_nl.csv: {unknown}"]
    assert any("1 label rows of unknown concepts" in line for line in summary.lines())
    assert session.scalars(select(Concept).where(Concept.uri == unknown)).first() is None


# --- through the command line, committing to a database of its own --------------------------


@pytest.fixture
def cli(fresh_database_url, monkeypatch) -> Iterator[Callable[..., object]]:
    """Run `fairmatch esco import` against the fresh database, as a user would."""
    monkeypatch.setenv("DATABASE_URL", fresh_database_url)
    open_engine.cache_clear()
    runner = CliRunner()
    yield lambda *args: runner.invoke(main, ["esco", "import", *map(str, args)])
    open_engine().dispose()
    open_engine.cache_clear()


def snapshot(url: str) -> dict[str, list[tuple]]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {
                table.name: sorted(tuple(row) for row in conn.execute(select(table)))
                for table in (
                    Concept.__table__,
                    Label.__table__,
                    OccupationSkill.__table__,
                    Broader.__table__,
                    EscoImport.__table__,
                )
            }
    finally:
        engine.dispose()


def test_the_command_imports_esco_dir_and_prints_a_summary(cli, fresh_database_url, monkeypatch):
    monkeypatch.setenv("ESCO_DIR", str(FIXTURE))

    result = cli()

    assert result.exit_code == 0, result.output
    assert "skills 5, occupations 3" in result.stdout
    assert "labels 56 in 3 languages: de en nl" in result.stdout
    assert len(snapshot(fresh_database_url)["esco_concept"]) == 18


def _missing_relations(p: Path) -> None:
    (p / "relations" / "skillSkillRelations.csv").unlink()


def _wrong_columns(p: Path) -> None:
    path = p / "classification-en" / "skills_en.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("conceptUri", "uri", 1), "utf-8")


def _label_file_with_extra_column(p: Path) -> None:
    path = p / "labels" / "skills_nl.csv"
    header, _, rest = path.read_text(encoding="utf-8").partition("\n")
    path.write_text(header + ",note\n" + rest, encoding="utf-8")


def _png_named_csv(p: Path) -> None:
    (p / "labels" / "skills_nl.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 4)


def _corrupt_zip(p: Path) -> None:
    (p / "esco-labels-extra.zip").write_bytes(b"PK\x03\x04 this is not really a zip")


@pytest.mark.parametrize(
    ("spoil", "expected"),
    [
        (None, "no such file or directory"),
        (_missing_relations, "missing file skillSkillRelations.csv"),
        (_wrong_columns, "skills_en.csv: wrong columns: missing conceptUri"),
        (_label_file_with_extra_column, "skills_nl.csv: wrong columns"),
        (_png_named_csv, "skills_nl.csv: not a UTF-8 CSV file"),
        (_corrupt_zip, "esco-labels-extra.zip: not a valid zip archive"),
    ],
)
def test_bad_input_gives_one_error_line_and_changes_nothing(
    cli, fresh_database_url, package, spoil, expected
):
    assert cli(FIXTURE).exit_code == 0
    before = snapshot(fresh_database_url)
    if spoil is not None:
        spoil(package)

    result = cli(package if spoil is not None else package / "missing")

    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and expected in lines[0]
    assert snapshot(fresh_database_url) == before


def test_a_bad_value_deep_in_a_file_ends_with_one_error_line_and_changes_nothing(
    cli, fresh_database_url, package
):
    assert cli(FIXTURE).exit_code == 0
    before = snapshot(fresh_database_url)
    edit_csv(
        package / "relations" / "occupationSkillRelations.csv",
        lambda rows: [*rows[:-1], dict(rows[-1], relationType="sometimes")],
    )

    result = cli(package)

    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [result.stderr.splitlines()[-1]]
    assert "occupationSkillRelations.csv: row 10: unknown relationType 'sometimes'" in errors[0]
    assert snapshot(fresh_database_url) == before


def _delete_and_add(package: Path) -> None:
    """Changes that make the import delete, update and insert rows before it commits."""
    edit_csv(package / "classification-en" / "occupations_en.csv", lambda rows: rows[:1])
    edit_csv(package / "classification-en" / "skills_en.csv", _rename_grill_and_add_a_skill)
    (package / "labels" / "occupations_fr.csv").write_text(
        f"conceptUri,preferredLabel,altLabels,hiddenLabels\n{COOK},cuisinier,,\n", encoding="utf-8"
    )


def test_a_failure_half_way_leaves_the_previous_data(cli, fresh_database_url, package, monkeypatch):
    assert cli(FIXTURE).exit_code == 0
    before = snapshot(fresh_database_url)
    _delete_and_add(package)
    written = EscoSync.write

    def write_then_fail(self, progress):
        written(self, progress)
        raise RuntimeError("disk full")

    monkeypatch.setattr(EscoSync, "write", write_then_fail)
    result = cli(package)

    assert isinstance(result.exception, RuntimeError)
    assert snapshot(fresh_database_url) == before


KILLABLE_IMPORT = """
import sys, threading
from matcher.skills.esco_sync import EscoSync
written = EscoSync.write
def write_and_hang(self, progress):
    written(self, progress)
    print("written, not committed", flush=True)
    threading.Event().wait()
EscoSync.write = write_and_hang
from web.cli import main
main(["esco", "import", sys.argv[1]])
"""


def test_a_kill_half_way_leaves_the_previous_data(cli, fresh_database_url, package):
    assert cli(FIXTURE).exit_code == 0
    before = snapshot(fresh_database_url)
    _delete_and_add(package)
    env = dict(os.environ, DATABASE_URL=fresh_database_url)
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLABLE_IMPORT, str(package)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        text=True,
        cwd=project_root(),
    )
    watchdog = threading.Timer(120, proc.kill)  # never hang the suite if the hook is not reached
    watchdog.start()
    try:
        first_line = proc.stdout.readline() if proc.stdout else ""
        proc.kill()
        proc.wait()
    finally:
        watchdog.cancel()
        if proc.stdout:
            proc.stdout.close()

    assert first_line.strip() == "written, not committed"
    assert snapshot(fresh_database_url) == before


@pytest.mark.slow
def test_the_bundled_esco_data_imports_completely(session):
    summary = run_import(session, project_root() / "data" / "esco")

    assert summary.counts["skills"] == 13_896
    assert summary.counts["occupations"] == 3_007
    # occupationSkillRelations.csv has 123,855 rows; 67 of them name an occupation
    # (a9e54177-…) that occupations_en.csv of ESCO 1.1.1 does not contain: skipped, reported.
    assert summary.counts["occupation_skills"] == 123_855 - 67
    assert any(
        "a9e54177-a185-404d-b6e6-15663d31137e" in e for e in summary.skipped_relation_examples
    )
    assert len(summary.languages) >= 26 and "en" in summary.languages
