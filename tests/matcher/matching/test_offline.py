import json

import pytest

from matcher.errors import ValidationError
from matcher.matching import offline
from matcher.matching.offline import (
    OfflineProfile,
    fit_offline_ranker,
    rank_offline,
    read_profiles,
    read_vacancies,
)

OCCUPATION_SKILLS = {"urn:o:cook": ({"cook", "hygiene", "grill"}, {"bake"})}
ISCO = {"urn:o:cook": "5120", "urn:o:chef": "5120", "urn:o:porter": "9412"}
RELATED = {"grill": ["barbecue"]}


def _lines(*items) -> list[str]:
    return [json.dumps(item) + "\n" for item in items]


VACANCIES = _lines(
    {"id": "v1", "occupation": "urn:o:cook", "essential_skills": ["cook"], "optional_skills": []},
    {"id": "v2", "occupation": "urn:o:porter", "essential_skills": ["wash", "sweep"]},
    {"id": 3, "occupation": None, "essential_skills": ["drive"], "optional_skills": ["route"]},
)


def _rank(profiles, top=10):
    vacancies = read_vacancies(VACANCIES)
    ranker = fit_offline_ranker(vacancies, RELATED, OCCUPATION_SKILLS, ISCO)
    return list(rank_offline(ranker, read_profiles(_lines(*profiles)), vacancies, top=top))


def test_each_profile_gets_its_vacancies_best_first_with_matched_and_missing():
    out = _rank([{"id": "p1", "skills": ["wash", "hygiene"]}, {"id": 2, "skills": ["drive"]}])
    assert [line["profile"] for line in out] == ["p1", 2]
    first = out[0]["results"]
    assert [r["vacancy"] for r in first][:1] == ["v2"]
    assert first[0]["matched"] == ["wash"] and first[0]["missing"] == ["sweep"]
    assert all(isinstance(r["score"], float) for r in first)
    assert [r["score"] for r in first] == sorted((r["score"] for r in first), reverse=True)
    assert out[1]["results"][0] == {
        "vacancy": 3,
        "score": out[1]["results"][0]["score"],
        "matched": ["drive"],
        "missing": [],
    }


def test_the_occupation_brings_a_short_vacancy_to_a_client_with_its_other_skills():
    out = _rank([{"id": "p", "skills": ["hygiene", "grill"]}])
    (result,) = out[0]["results"]
    # Nothing exact: "cook" is missing, but the cook's occupation implies the client's skills.
    assert result == {"vacancy": "v1", "score": result["score"], "matched": [], "missing": ["cook"]}
    assert result["score"] > 0


def test_top_limits_the_results_and_nothing_shared_is_no_result():
    assert len(_rank([{"id": "p", "skills": ["wash", "drive", "cook"]}], top=2)[0]["results"]) == 2
    assert _rank([{"id": "p", "skills": ["juggle"]}])[0]["results"] == []


def test_chunks_give_the_same_ranking(monkeypatch):
    profiles = [{"id": i, "skills": s} for i, s in enumerate([["wash"], ["cook"], ["drive"]] * 3)]
    whole = _rank(profiles)
    monkeypatch.setattr(offline, "CHUNK_CELLS", 1)  # one profile per chunk
    seen = []
    vacancies = read_vacancies(VACANCIES)
    ranker = fit_offline_ranker(vacancies, RELATED, OCCUPATION_SKILLS, ISCO)
    chunked = list(
        rank_offline(
            ranker,
            [OfflineProfile(p["id"], tuple(p["skills"])) for p in profiles],
            vacancies,
            advance=seen.append,
        )
    )
    assert chunked == whole
    assert seen == [1] * len(profiles)


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (['{"id": "a", "skills": []}\n', "\n", "{oops\n"], "Line 3 is not valid JSON"),
        (['["a"]\n'], "Line 1 is not a JSON object."),
        (['{"skills": ["x"]}\n'], 'Line 1 has no "id"'),
        (['{"id": true, "skills": ["x"]}\n'], 'Line 1 has no "id"'),
        (['{"id": "a"}\n'], 'Line 1: "skills" must be a list of ESCO URIs'),
        (['{"id": "a", "skills": ["x", 3]}\n'], 'Line 1: "skills" must be a list'),
        (
            _lines({"id": "a", "skills": []}, {"id": "a", "skills": []}),
            'repeats the profile id "a"',
        ),
    ],
)
def test_a_bad_profile_line_is_named(lines, message):
    with pytest.raises(ValidationError) as caught:
        read_profiles(lines)
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({"id": "v", "occupation": 5}, '"occupation" must be an ESCO URI'),
        ({"id": "v", "essential_skills": "cook"}, '"essential_skills" must be a list'),
        ({"id": "v", "optional_skills": [None]}, '"optional_skills" must be a list'),
    ],
)
def test_a_bad_vacancy_line_is_named(item, message):
    with pytest.raises(ValidationError) as caught:
        read_vacancies(["\n", *_lines(item)])
    assert str(caught.value).startswith("Line 2") and message in str(caught.value)
