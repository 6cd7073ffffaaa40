"""`fairmatch match rank` end to end on the test ESCO package in a real, committed database."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from web.cli import main
from web.cli.common import open_engine

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "esco"
ESCO = "http://data.europa.eu/esco/"
COOK, GRILL, HYGIENE, WASH, TEAMWORK = (
    f"{ESCO}skill/fx-{name}" for name in ("cook", "grill", "hygiene", "wash", "teamwork")
)


@pytest.fixture
def esco_database(fresh_database_url: str, monkeypatch) -> Iterator[str]:
    monkeypatch.setenv("DATABASE_URL", fresh_database_url)
    monkeypatch.delenv("FAIRMATCH_ENV", raising=False)
    open_engine.cache_clear()  # the commands cache their engine per process
    result = run("esco", "import", str(FIXTURE))
    assert result.exit_code == 0, result.output
    yield fresh_database_url
    open_engine().dispose()
    open_engine.cache_clear()


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def write(path: Path, *items) -> Path:
    path.write_text("".join(json.dumps(i) + "\n" for i in items), encoding="utf-8")
    return path


@pytest.fixture
def vacancies(tmp_path) -> Path:
    return write(
        tmp_path / "vacancies.jsonl",
        {"id": "line-cook", "occupation": f"{ESCO}occupation/fx-cook",
         "essential_skills": [COOK], "optional_skills": []},
        {"id": "porter", "occupation": f"{ESCO}occupation/fx-porter",
         "essential_skills": [WASH], "optional_skills": [TEAMWORK]},
        {"id": "station", "occupation": f"{ESCO}occupation/fx-chef-de-partie",
         "essential_skills": [COOK, GRILL], "optional_skills": [HYGIENE]},
    )  # fmt: skip


def rank(tmp_path: Path, vacancies: Path, *profiles, extra: tuple[str, ...] = ()):
    source = write(tmp_path / "profiles.jsonl", *profiles)
    output = tmp_path / "ranked.jsonl"
    result = run(
        "match", "rank", "--profiles", str(source), "--vacancies", str(vacancies),
        "--output", str(output), *extra,
    )  # fmt: skip
    return result, output


def test_rank_writes_each_profiles_best_vacancies_with_what_matched_and_is_missing(
    esco_database, tmp_path, vacancies
):
    result, output = rank(
        tmp_path, vacancies, {"id": "ana", "skills": [COOK, GRILL]}, {"id": 7, "skills": [WASH]}
    )
    assert result.exit_code == 0, result.output
    assert "ranked 2 profiles against 3 vacancies" in result.output
    ana, seven = (json.loads(line) for line in output.read_text().splitlines())
    assert ana["profile"] == "ana"
    assert [r["vacancy"] for r in ana["results"]][:2] == ["station", "line-cook"]
    assert ana["results"][0]["matched"] == [COOK, GRILL] and ana["results"][0]["missing"] == []
    assert seven["profile"] == 7 and seven["results"][0] == {
        "vacancy": "porter", "score": seven["results"][0]["score"],
        "matched": [WASH], "missing": [],
    }  # fmt: skip


def test_the_occupation_from_the_database_reaches_a_vacancy_that_listed_little(
    esco_database, tmp_path, vacancies
):
    # The line cook's vacancy lists only "cook dishes"; ESCO's cook also needs food hygiene.
    result, output = rank(tmp_path, vacancies, {"id": "p", "skills": [HYGIENE]})
    assert result.exit_code == 0, result.output
    results = json.loads(output.read_text())["results"]
    cook = next(r for r in results if r["vacancy"] == "line-cook")
    assert cook["score"] > 0 and cook["matched"] == [] and cook["missing"] == [COOK]


def test_top_limits_the_results(esco_database, tmp_path, vacancies):
    profile = {"id": "p", "skills": [COOK, WASH, GRILL]}
    result, output = rank(tmp_path, vacancies, profile, extra=("--top", "1"))
    assert result.exit_code == 0, result.output
    assert [r["vacancy"] for r in json.loads(output.read_text())["results"]] == ["station"]


def test_a_bad_line_is_named_and_no_output_is_written(esco_database, tmp_path, vacancies):
    (tmp_path / "out").mkdir()
    output = tmp_path / "out" / "ranked.jsonl"
    source = tmp_path / "profiles.jsonl"
    source.write_text('{"id": "a", "skills": []}\n{"id": "b", "skills": "cook"}\n')
    result = run(
        "match", "rank", "--profiles", str(source), "--vacancies", str(vacancies),
        "--output", str(output),
    )  # fmt: skip
    assert result.exit_code == 1
    assert f'error: {source}: Line 2: "skills" must be a list of ESCO URIs' in result.output
    assert list(output.parent.iterdir()) == []


def test_a_run_that_breaks_off_leaves_no_partial_file(
    esco_database, tmp_path, vacancies, monkeypatch
):
    def broken(*args, **kwargs):
        yield {"profile": "p", "results": []}
        raise RuntimeError("disk full")

    monkeypatch.setattr("web.cli.matching.rank_offline", broken)
    result, output = rank(tmp_path, vacancies, {"id": "p", "skills": [WASH]})
    assert isinstance(result.exception, RuntimeError)
    assert not output.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".ranked")]


def test_a_failed_run_keeps_the_previous_output(esco_database, tmp_path, vacancies):
    result, output = rank(tmp_path, vacancies, {"id": "p", "skills": [WASH]})
    assert result.exit_code == 0, result.output
    before = output.read_text()
    write(vacancies, {"id": "v", "essential_skills": [WASH]}, {"id": "v"})
    result, _ = rank(tmp_path, vacancies, {"id": "p", "skills": [WASH]})
    assert result.exit_code == 1 and "Line 2 repeats the vacancy id" in result.output
    assert output.read_text() == before


def test_rank_without_esco_asks_for_the_import(fresh_database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", fresh_database_url)
    open_engine.cache_clear()
    try:
        vacancies = write(tmp_path / "v.jsonl", {"id": "v", "essential_skills": [WASH]})
        result, output = rank(tmp_path, vacancies, {"id": "p", "skills": [WASH]})
    finally:
        open_engine().dispose()
        open_engine.cache_clear()
    assert result.exit_code == 1
    assert "run `fairmatch esco import` first" in result.output
    assert not output.exists()


def test_a_long_run_shows_its_progress_on_stderr(esco_database, tmp_path, vacancies):
    profiles = [{"id": i, "skills": [WASH]} for i in range(200)]
    result, output = rank(tmp_path, vacancies, *profiles)
    assert result.exit_code == 0, result.output
    assert "ranking: 100% (200/200)" in result.stderr
    assert len(output.read_text().splitlines()) == 200
