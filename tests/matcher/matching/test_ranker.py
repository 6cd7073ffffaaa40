import numpy as np
import pytest
from sklearn.base import clone

from matcher.matching.ranker import SkillRanker

# Vacancy 0 wants welding, 1 wants baking; "arc weld" is kin of "weld" and of nothing else.
ESSENTIAL = [{"weld", "metal"}, {"dough", "oven"}, {"drive"}]
OPTIONAL = [{"grind"}, {"cake"}, {"route"}]
RELATED = {"weld": ["arc weld"], "drive": ["drive truck"]}


def _fit(**params) -> SkillRanker:
    return SkillRanker(**params).fit(ESSENTIAL, OPTIONAL, RELATED)


def test_an_exact_match_ranks_first():
    ranker = _fit()
    assert ranker.rank([{"dough", "oven"}, {"weld"}], k=1).tolist() == [[1], [0]]
    assert ranker.rank([{"drive", "route"}], k=None).tolist()[0][0] == 2


def test_a_kin_skill_scores_between_nothing_and_the_exact_skill():
    scores = _fit(related_weight=0.5).score([{"weld"}, {"arc weld"}, {"sweep"}])[:, 0]
    assert scores[2] == 0
    assert 0 < scores[1] < scores[0]
    # One kin passes the whole related_weight on.
    assert scores[1] == pytest.approx(0.5 * scores[0])


def test_kin_do_not_add_up_past_the_skill_itself():
    scores = _fit(related_weight=1.0).score([{"weld"}, {"weld", "arc weld"}])[:, 0]
    assert scores[1] == pytest.approx(scores[0])


def test_essential_outweighs_optional():
    ranker = SkillRanker(use_idf=False).fit([{"a"}, {"b"}], [{"b"}, {"a"}])
    scores = ranker.score([{"a"}])[0]
    assert scores[0] > scores[1] > 0
    assert ranker.rank([{"a"}]).tolist() == [[0, 1]]


def test_a_long_vacancy_does_not_win_by_its_size():
    many = {f"s{i}" for i in range(20)}
    ranker = SkillRanker(use_idf=False).fit([many | {"a"}, {"a", "b"}], [set(), set()])
    assert ranker.rank([{"a"}]).tolist() == [[1, 0]]


def test_fit_returns_self_and_learned_state_ends_in_underscore():
    ranker = SkillRanker()
    assert ranker.fit(ESSENTIAL, OPTIONAL, RELATED) is ranker
    learned = [name for name in vars(ranker) if name not in ranker.get_params()]
    assert learned and all(name.endswith("_") for name in learned)


def test_clone_keeps_the_parameters_and_not_the_fit():
    ranker = _fit(essential_weight=2.0, optional_weight=0.25, related_weight=0.1, use_idf=False)
    copy = clone(ranker)
    assert copy.get_params() == ranker.get_params()
    assert not hasattr(copy, "vacancy_matrix_")


def test_scores_are_deterministic_and_one_row_per_profile():
    profiles = [{"weld", "grind"}, {"cake"}, set()]
    first, second = _fit().score(profiles), _fit().score(profiles)
    assert first.shape == (3, 3)
    np.testing.assert_array_equal(first, second)
    assert not first[2].any()


def test_a_related_skill_counts_partly_but_less_than_the_exact_skill_with_the_defaults():
    ranker = SkillRanker().fit([{"weld", "metal"}, {"paint"}], [set(), set()], {"weld": ["tig"]})
    exact, kin, none = ranker.score([{"weld"}, {"tig"}, {"sweep"}])[:, 0]
    assert exact > kin > none == 0


def test_the_occupation_lifts_a_vacancy_that_lists_few_skills():
    # Vacancy 0 is a cook's job listing one skill; vacancy 1 a porter's listing its whole job.
    essential, optional = [{"cook"}, {"wash", "sweep"}], [set(), set()]
    occupations = [({"cook", "hygiene", "grill"}, {"bake"}), None]
    client = [{"hygiene", "grill", "wash"}]
    alone = SkillRanker().fit(essential, optional)
    informed = SkillRanker().fit(essential, optional, occupation_skills=occupations)
    assert alone.rank(client).tolist() == [[1, 0]]
    assert informed.rank(client).tolist() == [[0, 1]]


def test_what_the_employer_listed_outweighs_what_the_occupation_implies():
    occupations = [({"cook", "hygiene"}, set())]
    ranker = SkillRanker().fit([{"cook"}], [set()], occupation_skills=occupations)
    listed, implied = ranker.score([{"cook"}, {"hygiene"}])[:, 0]
    assert listed > implied > 0


def test_a_skill_no_vacancy_knows_does_no_harm():
    ranker = _fit()
    plain, extra = ranker.score([{"weld", "dough"}, {"weld", "dough", "juggle"}])
    np.testing.assert_array_equal(plain, extra)


def test_a_vacancy_of_the_best_matchs_isco_group_comes_before_an_unrelated_one():
    # Vacancies 1 and 2 share as much with the client; 1 is in the group of the best match 0.
    essential = [{"dough", "oven", "bread"}, {"dough", "sugar"}, {"dough", "tyres"}]
    optional = [set(), set(), set()]
    groups = ["7512", "7512", "7231"]
    client = [{"dough", "oven", "bread"}]
    ranked = SkillRanker().fit(essential, optional, groups=groups).rank(client)
    assert ranked.tolist() == [[0, 1, 2]]
    flat = SkillRanker(group_weight=0).fit(essential, optional, groups=groups).score(client)[0]
    assert flat[1] == pytest.approx(flat[2])


def test_a_vacancy_without_a_group_is_its_own_group():
    essential, optional = [{"a", "b"}, {"a", "c"}], [set(), set()]
    unnamed = SkillRanker().fit(essential, optional, groups=[None, None]).score([{"a"}])
    distinct = SkillRanker().fit(essential, optional, groups=["1", "2"]).score([{"a"}])
    np.testing.assert_allclose(unnamed, distinct)


def test_fit_wants_one_group_and_one_occupation_per_vacancy():
    with pytest.raises(ValueError, match="groups"):
        SkillRanker().fit([{"a"}, {"b"}], [set(), set()], groups=["1"])
    with pytest.raises(ValueError, match="occupation_skills"):
        SkillRanker().fit([{"a"}], [set()], occupation_skills=[None, None])


def _random_fit(rng: np.random.Generator) -> tuple[SkillRanker, list[set[str]]]:
    """A ranker over random vacancies with kin, ISCO groups and occupations, and profiles."""
    pool = [f"s{i}" for i in range(60)]

    def some(low: int, high: int) -> set[str]:
        return set(rng.choice(pool, size=rng.integers(low, high), replace=False))

    n = 40
    related = {s: list(some(0, 4)) for s in pool[:40]}
    groups = [None if rng.random() < 0.3 else f"g{rng.integers(5)}" for _ in range(n)]
    occupations = [None if rng.random() < 0.3 else (some(1, 6), some(0, 4)) for _ in range(n)]
    ranker = SkillRanker().fit(
        [some(1, 6) for _ in range(n)],
        [some(0, 4) for _ in range(n)],
        related,
        groups=groups,
        occupation_skills=occupations,
    )
    # Profiles reach past the vacancies' skills (pool) and past the vocabulary ("unknown").
    profiles = [some(0, 8) | ({"unknown"} if rng.random() < 0.2 else set()) for _ in range(30)]
    return ranker, [*profiles, set()]


@pytest.mark.parametrize("seed", range(5))
def test_score_columns_gives_the_same_numbers_as_score(seed):
    rng = np.random.default_rng(seed)
    ranker, profiles = _random_fit(rng)
    assert ranker.group_weight > 0 and len(set(ranker.group_index_)) < ranker.n_vacancies_
    full = ranker.score(profiles)
    assert (full > 0).sum() > len(profiles)  # something to compare
    # One column, several, repeated ones and ones sharing a group, in any order.
    for columns in ([7], [3, 0, 3, 39], list(rng.permutation(40)[:12]), list(range(40))):
        expected = full[:, columns]
        np.testing.assert_array_equal(ranker.score_columns(profiles, columns), expected)
        matrix = ranker.profile_matrix(profiles)
        np.testing.assert_array_equal(ranker.score_columns(matrix, columns), expected)


def test_score_columns_of_nothing_and_out_of_range():
    ranker = _fit()
    assert ranker.score_columns([{"weld"}], []).shape == (1, 0)
    assert ranker.score_columns([], [0]).shape == (0, 1)
    with pytest.raises(IndexError):
        ranker.score_columns([{"weld"}], [3])


def test_score_columns_follows_a_new_fit():
    ranker = _fit()
    before = ranker.score_columns([{"drive"}], [2])
    ranker.fit([{"a"}, {"b"}, {"drive", "c"}], [set(), set(), set()])
    after = ranker.score_columns([{"drive"}], [2])
    assert after[0, 0] != before[0, 0]
    np.testing.assert_array_equal(after, ranker.score([{"drive"}])[:, [2]])
