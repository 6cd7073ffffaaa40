"""Text → skills: the skills a sentence names come first; the command keeps its contract."""

from __future__ import annotations

import json

import pytest

from matcher.skills.extract import extract_skills, extractor_for
from matcher.skills.index import LabelIndex
from tests.matcher.skills.esco_sample import (
    CLEAN_ROOMS,
    JAVA,
    OPERATE_FORKLIFT,
    WELD_METAL,
    add_concepts,
    plain_data,
    write_lines,
)


@pytest.fixture(scope="module")
def index() -> LabelIndex:
    return LabelIndex(plain_data())


def top_uris(index: LabelIndex, text: str, lang: str = "en", top: int = 10) -> list[str]:
    return [s.uri for s in extractor_for(index, lang).extract(text, top)]


def test_the_skills_a_sentence_names_rank_first(index):
    found = top_uris(index, "You will operate a forklift and weld metal parts in our workshop.")
    assert set(found[:2]) == {OPERATE_FORKLIFT, WELD_METAL}


def test_inflected_and_misspelt_mentions_are_found(index):
    assert top_uris(index, "Experience with Java programing required")[0] == JAVA
    assert top_uris(index, "She cleaned rooms in a hotel for three years")[0] == CLEAN_ROOMS


def test_a_sentence_in_dutch_uses_dutch_labels(index):
    assert top_uris(index, "Ik kan een heftruck besturen", lang="nl")[0] == OPERATE_FORKLIFT


def test_a_language_without_skill_labels_matches_every_language(index):
    assert (
        top_uris(index, "Gabelstapler fahren, heftruck besturen", lang="pl")[0] == OPERATE_FORKLIFT
    )


def test_scores_are_between_zero_and_one_best_first(index):
    skills = extractor_for(index, "en").extract("operate forklift, weld metal parts", 10)
    scores = [s.score for s in skills]
    assert scores == sorted(scores, reverse=True)
    assert all(0 < s <= 1 for s in scores)


def test_nothing_to_extract_gives_nothing(index):
    assert top_uris(index, "the and of") == []


def test_extract_skills_reads_the_database(session):
    add_concepts(session)
    skills = extract_skills(session, "Wanted: someone to weld metal parts", top=3)
    assert skills[0].uri == WELD_METAL
    assert skills[0].label == "weld metal parts"
    assert extract_skills(session, "   ") == []


def test_extract_command_writes_skills_per_line(cli, tmp_path):
    src = write_lines(
        tmp_path / "in.jsonl",
        [
            json.dumps({"id": 1, "text": "You will operate a forklift in the warehouse."}),
            json.dumps({"id": 2, "text": "Gabelstapler fahren", "lang": "de"}),
        ],
    )
    out = tmp_path / "out.jsonl"
    result = cli("extract", "--input", src, "--output", out, "--top", "3")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == [1, 2]
    assert rows[0]["skills"][0]["uri"] == OPERATE_FORKLIFT
    assert set(rows[0]["skills"][0]) == {"uri", "label", "score"}
    assert len(rows[0]["skills"]) <= 3
    assert rows[1]["skills"][0] == rows[1]["skills"][0] | {"uri": OPERATE_FORKLIFT}


def test_extract_names_the_bad_line_and_fails(cli, tmp_path):
    src = write_lines(tmp_path / "in.jsonl", [json.dumps({"id": 1, "text": "cook"}), "", "[]"])
    result = cli("extract", "--input", src, "--output", tmp_path / "out.jsonl")
    assert result.exit_code != 0
    assert "line 3: expected a JSON object" in result.output
