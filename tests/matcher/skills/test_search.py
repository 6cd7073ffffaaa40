"""Label search: typo-tolerant, accent- and word-order-blind, type-ahead, per language and kind."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest
from click.testing import CliRunner
from sqlalchemy.orm import Session

from matcher.db import make_engine, make_session_factory, session_scope
from matcher.skills.index import ConceptData, IndexData, LabelIndex
from matcher.skills.models import EscoImport, Label, Occupation, OccupationSkill, Skill
from matcher.skills.search import (
    available_languages,
    clear_index_cache,
    hits_from_index,
    search_concepts,
)
from web.cli import main
from web.cli.common import open_engine

ESCO = "http://data.europa.eu/esco/"
FORKLIFT_OPERATOR = ESCO + "occupation/forklift-operator"
WELDER = ESCO + "occupation/welder"
COOK = ESCO + "occupation/cook"
OPERATE_FORKLIFT = ESCO + "skill/operate-forklift"
WELD_METAL = ESCO + "skill/weld-metal"
CLEAN_ROOMS = ESCO + "skill/clean-rooms"
JAVA = ESCO + "skill/java"

# (uri, kind, English preferred label, description, {lang: [(label kind, text), ...]})
CONCEPTS = [
    (
        FORKLIFT_OPERATOR,
        "occupation",
        "forklift operator",
        "Forklift operators drive forklifts to move goods in warehouses.",
        {
            "en": [("alternative", "forklift driver")],
            "nl": [("preferred", "heftruckchauffeur"), ("alternative", "heftruckbestuurder")],
            "de": [("preferred", "Gabelstaplerfahrer/Gabelstaplerfahrerin")],
        },
    ),
    (
        WELDER,
        "occupation",
        "welder",
        "Welders join metal parts.",
        {"nl": [("preferred", "lasser")], "de": [("preferred", "Schweißer/Schweißerin")]},
    ),
    (
        COOK,
        "occupation",
        "cook",
        "Cooks prepare food in kitchens.",
        {"nl": [("preferred", "kok")], "de": [("preferred", "Koch/Köchin")]},
    ),
    (
        OPERATE_FORKLIFT,
        "skill",
        "operate forklift",
        "Operate a forklift to lift and carry heavy loads.",
        {"nl": [("preferred", "heftruck besturen")], "de": [("preferred", "Gabelstapler fahren")]},
    ),
    (
        WELD_METAL,
        "skill",
        "weld metal parts",
        "Join pieces of metal with welding equipment.",
        {"de": [("preferred", "Metallteile schweißen")]},
    ),
    (
        CLEAN_ROOMS,
        "skill",
        "clean rooms",
        "Clean rooms, floors and windows by vacuuming and mopping.",
        {"en": [("hidden", "room cleaning")], "nl": [("alternative", "kamers schoonmaken")]},
    ),
    (
        JAVA,
        "skill",
        "Java (computer programming)",
        "Programming in Java: analysis, algorithms, coding, testing.",
        {"en": [("alternative", "Java programming")]},
    ),
]


def plain_data() -> IndexData:
    concepts, labels = [], []
    for i, (uri, kind, label, description, more) in enumerate(CONCEPTS):
        concepts.append(ConceptData(uri, kind, label, description))
        labels.append((i, "en", "preferred", label))
        labels.extend((i, lang, k, text) for lang, rows in more.items() for k, text in rows)
    return IndexData(concepts, labels, version=1)


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


def add_concepts(session: Session) -> None:
    """The plain-data concepts as rows, as the importer would write them."""
    rows = {}
    for uri, kind, label, description, more in CONCEPTS:
        cls = Skill if kind == "skill" else Occupation
        concept = cls(uri=uri, preferred_label=label, description=description)
        concept.labels = [Label(lang="en", kind="preferred", text=label)] + [
            Label(lang=lang, kind=k, text=text) for lang, rs in more.items() for k, text in rs
        ]
        rows[uri] = concept
        session.add(concept)
    session.flush()
    for occupation, skill in ((FORKLIFT_OPERATOR, OPERATE_FORKLIFT), (WELDER, WELD_METAL)):
        session.add(
            OccupationSkill(
                occupation_id=rows[occupation].id,
                skill_id=rows[skill].id,
                relation_type="essential",
            )
        )
    session.add(EscoImport(esco_version="test"))
    session.flush()


@pytest.fixture(autouse=True)
def _no_stale_index() -> Iterator[None]:
    # Rolled-back tests can reuse an import id; never let one test see another's index.
    clear_index_cache()
    yield
    clear_index_cache()


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


@pytest.fixture
def cli(fresh_database_url, monkeypatch) -> Iterator[Callable[..., object]]:
    """Run `fairmatch esco ...` against a fresh database holding the test concepts."""
    engine = make_engine(fresh_database_url)
    with session_scope(make_session_factory(engine)) as session:
        add_concepts(session)
    engine.dispose()
    monkeypatch.setenv("DATABASE_URL", fresh_database_url)
    open_engine.cache_clear()
    runner = CliRunner()
    yield lambda *args: runner.invoke(main, ["esco", *map(str, args)])
    open_engine().dispose()
    open_engine.cache_clear()


def write_lines(path, lines: list[str]) -> str:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return str(path)


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
