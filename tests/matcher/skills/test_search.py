"""Label search: typo-tolerant, accent- and word-order-blind, type-ahead, per language and kind."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from matcher.skills.index import LabelIndex
from matcher.skills.models import EscoImport, Occupation
from matcher.skills.search import (
    available_languages,
    hits_from_index,
    search_concepts,
)
from tests.matcher.skills.esco_sample import (
    CLEAN_ROOMS,
    COOK,
    ESCO,
    FORKLIFT_OPERATOR,
    JAVA,
    OPERATE_FORKLIFT,
    WELDER,
    add_concepts,
    plain_data,
    write_lines,
)
from web.cli import main
from web.cli.common import open_engine


@pytest.fixture(scope="module")
def index() -> LabelIndex:
    return LabelIndex(plain_data())


def uris(index: LabelIndex, q: str, **kwargs) -> list[str]:
    return [hit.uri for hit in hits_from_index(index, q, **kwargs)]


@pytest.mark.parametrize(
    ("query", "kind", "lang", "expected"),
    [
        ("forklfit operater", "occupation", None, FORKLIFT_OPERATOR),  # typos
        ("schweisser", None, "de", WELDER),  # no ß
        ("operator forklift", "occupation", None, FORKLIFT_OPERATOR),  # word order
        ("forkl", "occupation", None, FORKLIFT_OPERATOR),  # type-ahead
        ("heftruk", "occupation", "nl", FORKLIFT_OPERATOR),  # typo in Dutch
        ("heftr", "skill", "nl", OPERATE_FORKLIFT),
        ("koechin", "occupation", None, COOK),  # ö typed as oe
        ("java programing", "skill", "en", JAVA),
    ],
)
def test_forgiving_queries_find_the_concept_first(index, query, kind, lang, expected):
    assert uris(index, query, kind=kind, lang=lang)[0] == expected


def test_the_language_filter_restricts_matched_labels_and_sets_the_display_language(index):
    hits = hits_from_index(index, "schweisser", lang="de")
    assert hits and {h.matched_lang for h in hits} == {"de"}
    assert (hits[0].label, hits[0].lang) == ("Schweißer/Schweißerin", "de")
    assert hits[0].matched_label == "Schweißer"
    assert {h.matched_lang for h in hits_from_index(index, "Gabelstapler", lang="nl")} <= {"nl"}


def test_without_a_language_every_language_matches_and_english_is_shown(index):
    hit = hits_from_index(index, "heftruckchauffeur")[0]
    assert (hit.uri, hit.label, hit.lang) == (FORKLIFT_OPERATOR, "forklift operator", "en")
    assert (hit.matched_label, hit.matched_lang) == ("heftruckchauffeur", "nl")
    assert 0 < hit.score <= 1


def test_the_display_label_falls_back_to_english(index):
    hit = hits_from_index(index, "schoonmaken", lang="nl")[0]
    assert (hit.uri, hit.label, hit.lang) == (CLEAN_ROOMS, "clean rooms", "en")
    assert (hit.matched_label, hit.matched_lang) == ("kamers schoonmaken", "nl")


def test_the_kind_filter_keeps_one_kind(index):
    assert {h.kind for h in hits_from_index(index, "forklift", kind="skill")} == {"skill"}
    assert {h.kind for h in hits_from_index(index, "forklift", kind="occupation")} == {"occupation"}


def test_results_are_distinct_concepts_best_first(index):
    hits = hits_from_index(index, "forklift", limit=10)
    assert len({h.uri for h in hits}) == len(hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert {FORKLIFT_OPERATOR, OPERATE_FORKLIFT} <= {h.uri for h in hits[:2]}


def test_empty_queries_and_unknown_languages_find_nothing(index):
    assert hits_from_index(index, "   ") == []
    assert hits_from_index(index, "forklift", lang="xx") == []
    with pytest.raises(ValueError, match="kind"):
        hits_from_index(index, "forklift", kind="isco_group")


# --- through the database -------------------------------------------------------------------


def test_search_concepts_reads_the_database(session):
    add_concepts(session)
    hits = search_concepts(session, "heftruk", kind="occupation", lang="nl", limit=3)
    assert hits[0].uri == FORKLIFT_OPERATOR
    assert hits[0].label == "heftruckchauffeur"
    assert {"de", "en", "nl"} <= set(available_languages(session))


def test_a_new_import_rebuilds_the_index(session, monkeypatch):
    monkeypatch.setattr("matcher.skills.search.VERSION_CHECK_SECONDS", 0)
    add_concepts(session)
    tractor = ESCO + "occupation/tractor"
    assert tractor not in {h.uri for h in search_concepts(session, "tractor driver")}
    session.add(Occupation(uri=tractor, preferred_label="tractor driver"))
    session.add(EscoImport(esco_version="test 2"))
    session.flush()
    assert search_concepts(session, "tractor driver")[0].uri == tractor


# --- through the command line ---------------------------------------------------------------


def test_map_writes_candidates_per_line_with_line_overrides(cli, tmp_path):
    src = write_lines(
        tmp_path / "in.jsonl",
        [
            json.dumps({"id": "a", "q": "forklift driver"}),
            json.dumps({"id": "b", "q": "schweisser", "lang": "de"}),
            json.dumps({"id": "c", "q": "forklift", "kind": "skill"}),
        ],
    )
    out = tmp_path / "out.jsonl"
    result = cli("map", "--input", src, "--output", out, "--kind", "occupation", "--top", "2")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["a", "b", "c"]
    assert rows[0]["q"] == "forklift driver"
    assert rows[0]["candidates"][0]["uri"] == FORKLIFT_OPERATOR
    assert set(rows[0]["candidates"][0]) == {"uri", "label", "lang", "score"}
    assert len(rows[0]["candidates"]) <= 2
    assert rows[1]["candidates"][0] | {"score": 0} == {
        "uri": WELDER,
        "label": "Schweißer/Schweißerin",
        "lang": "de",
        "score": 0,
    }
    assert rows[2]["candidates"][0]["uri"] == OPERATE_FORKLIFT


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [("{not json", "line 2: not valid JSON"), ('{"id": "x"}', 'line 2: missing "q"')],
)
def test_map_names_the_bad_line_and_fails(cli, tmp_path, bad_line, message):
    src = write_lines(tmp_path / "in.jsonl", [json.dumps({"id": "a", "q": "cook"}), bad_line])
    result = cli("map", "--input", src, "--output", tmp_path / "out.jsonl")
    assert result.exit_code != 0
    assert message in result.output


def test_search_prints_a_table_or_json(cli):
    table = cli("search", "schweisser", "--lang", "de", "--limit", "3")
    assert table.exit_code == 0, table.output
    assert "Schweißer/Schweißerin" in table.output and WELDER in table.output
    as_json = cli("search", "forkl", "--kind", "occupation", "--json")
    assert as_json.exit_code == 0, as_json.output
    hits = json.loads(as_json.output)
    assert hits[0]["uri"] == FORKLIFT_OPERATOR and hits[0]["kind"] == "occupation"
    assert {"label", "lang", "matched_label", "matched_lang", "score"} <= set(hits[0])


def test_search_refuses_an_unloaded_language(cli):
    result = cli("search", "cook", "--lang", "xx")
    assert result.exit_code != 0
    assert "language 'xx'" in result.output


def test_commands_on_an_empty_database_say_what_to_do(fresh_database_url, monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", fresh_database_url)
    open_engine.cache_clear()
    src = write_lines(tmp_path / "in.jsonl", [json.dumps({"id": "a", "q": "cook"})])
    try:
        for args in (["search", "cook"], ["map", "--input", src, "--output", tmp_path / "o"]):
            result = CliRunner().invoke(main, ["esco", *map(str, args)])
            assert result.exit_code != 0
            assert "run `fairmatch esco import` first" in result.output
    finally:
        open_engine().dispose()
        open_engine.cache_clear()
