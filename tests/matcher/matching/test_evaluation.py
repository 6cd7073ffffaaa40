import math

import numpy as np
import pytest

from matcher.matching.evaluation import (
    build_heldout_set,
    evaluate_ranking,
    mrr,
    ndcg_at_k,
    sample_vacancy_skills,
    tfidf_cosine_ranking,
    top_k,
)

OCCUPATION_SKILLS = {
    "baker": ({"dough", "oven", "hygiene", "bread"}, {"cake"}),
    "pastry cook": ({"dough", "sugar", "cake"}, {"hygiene"}),
    "welder": ({"weld", "metal", "safety", "grind"}, {"cut"}),
    "driver": ({"drive", "route", "safety"}, set()),
    "unclassified": ({"sweep", "mop"}, set()),
}
ISCO_GROUP = {"baker": "7512", "pastry cook": "7512", "welder": "7212", "driver": "8322"}
RELATED = {
    "dough": ["flour"],
    "oven": ["bread oven", "stove"],
    "weld": ["arc weld", "metal"],
    "drive": ["drive truck"],
    "cake": ["sugar"],
}


def _build(seed: int = 1, n_profiles: int = 40, **kwargs):
    return build_heldout_set(
        OCCUPATION_SKILLS, ISCO_GROUP, RELATED, n_profiles=n_profiles, seed=seed, **kwargs
    )


def test_perfect_ranking_scores_one():
    relevance = {"a": 2, "b": 1, "c": 1}
    assert ndcg_at_k(["a", "b", "c", "x"], relevance) == pytest.approx(1.0)
    assert mrr(["a", "b", "c", "x"], relevance) == 1.0


def test_swapping_the_first_two_gives_the_known_values():
    relevance = {"a": 2, "b": 1, "c": 1}
    # Gains 2^rel − 1: 3 for a, 1 for b and c; discounts 1, 1/log2(3), 1/2.
    expected = (1 + 3 / math.log2(3) + 1 / 2) / (3 + 1 / math.log2(3) + 1 / 2)
    assert ndcg_at_k(["b", "a", "c"], relevance) == pytest.approx(expected)
    assert expected == pytest.approx(0.82132, abs=1e-5)
    assert mrr(["b", "a", "c"], relevance) == 0.5


def test_only_the_first_k_count_for_ndcg_but_mrr_looks_further():
    ranked = [f"x{i}" for i in range(10)] + ["a"]
    assert ndcg_at_k(ranked, {"a": 2}, k=10) == 0.0
    assert mrr(ranked, {"a": 2}) == pytest.approx(1 / 11)


def test_partly_relevant_items_do_not_count_for_mrr():
    assert mrr(["b", "a"], {"a": 2, "b": 1}) == 0.5
    assert mrr(["b"], {"b": 1}) == 0.0
    assert ndcg_at_k(["x"], {}) == 0.0


def test_the_heldout_set_is_the_same_for_a_seed_and_differs_between_seeds():
    assert _build(seed=7) == _build(seed=7)
    assert _build(seed=7).profiles != _build(seed=8).profiles


def test_relevance_is_two_for_the_occupation_one_for_its_isco_group():
    heldout = _build()
    for profile in heldout.profiles:
        group = ISCO_GROUP[profile.occupation]
        expected = {o: 1 for o, g in ISCO_GROUP.items() if g == group}
        expected[profile.occupation] = 2
        assert profile.relevance == expected


def test_only_occupations_with_an_isco_group_become_vacancies():
    heldout = _build()
    assert heldout.vacancy_ids == ("baker", "driver", "pastry cook", "welder")
    assert heldout.vacancy_skills[0] == {"dough", "oven", "hygiene", "bread", "cake"}
    assert "unclassified" not in {p.occupation for p in heldout.profiles}


def test_every_occupation_is_drawn_once_before_any_twice():
    heldout = _build(n_profiles=4)
    assert sorted(p.occupation for p in heldout.profiles) == list(heldout.vacancy_ids)


def test_profiles_hold_only_skills_of_the_occupation_or_related_ones():
    heldout = _build(n_profiles=200, replace_share=0.5)
    assert sum(p.replaced for p in heldout.profiles) > 0
    for profile in heldout.profiles:
        own = set().union(*OCCUPATION_SKILLS[profile.occupation])
        allowed = own | {r for s in own for r in RELATED.get(s, ())}
        essential = OCCUPATION_SKILLS[profile.occupation][0]
        assert profile.skills
        assert profile.skills <= allowed
        assert len(profile.skills) <= len(own)
        # 40–70 % of the essential skills: never all of them for these sizes.
        assert len(profile.skills & essential) < len(essential)


def test_the_baseline_ranks_the_source_occupation_first_on_an_easy_case():
    heldout = _build()
    vacancies = heldout.vacancy_skills
    ranked = tfidf_cosine_ranking([{"weld", "metal"}, {"dough", "sugar"}], vacancies, k=2)
    assert heldout.vacancy_ids[ranked[0][0]] == "welder"
    assert [heldout.vacancy_ids[j] for j in ranked[1]] == ["pastry cook", "baker"]


def test_the_baseline_ignores_skills_no_vacancy_has():
    ranked = tfidf_cosine_ranking([{"unknown"}, {"b", "unknown"}], [{"a"}, {"b"}], k=None)
    assert ranked.tolist() == [[0, 1], [1, 0]]


def test_top_k_keeps_ties_in_column_order():
    scores = np.array([[0.1, 0.5, 0.5, 0.5, 0.9]])
    assert top_k(scores, 3).tolist() == [[4, 1, 2]]
    assert top_k(scores, None).tolist() == [[4, 1, 2, 3, 0]]


def test_evaluate_ranking_averages_over_profiles():
    heldout = _build(n_profiles=4)
    perfect = [
        sorted(
            range(len(heldout.vacancy_ids)),
            key=lambda j, p=p: -p.relevance.get(heldout.vacancy_ids[j], 0),
        )
        for p in heldout.profiles
    ]
    scores = evaluate_ranking(heldout, perfect)
    assert scores.ndcg_at_10 == pytest.approx(1.0)
    assert scores.mrr == 1.0


def test_sampled_vacancies_list_part_of_their_occupation_and_at_least_one_essential_skill():
    ids = ["baker", "driver", "pastry cook", "welder"]
    essential, optional = sample_vacancy_skills(OCCUPATION_SKILLS, ids, seed=3)
    for occupation, listed_e, listed_o in zip(ids, essential, optional, strict=True):
        occ_e, occ_o = OCCUPATION_SKILLS[occupation]
        assert listed_e and listed_e <= occ_e and listed_o <= occ_o
    # 30–70 % of four essential skills is never all four.
    assert len(essential[0]) < 4 and len(essential[3]) < 4


def test_sampled_vacancies_are_the_same_for_a_seed():
    ids = ["baker", "welder"]
    first = sample_vacancy_skills(OCCUPATION_SKILLS, ids, seed=5)
    assert first == sample_vacancy_skills(OCCUPATION_SKILLS, ids, seed=5)
    draws = {str(sample_vacancy_skills(OCCUPATION_SKILLS, ids, seed=s)) for s in range(20)}
    assert len(draws) > 1
