"""A held-out evaluation of skill-based ranking built from ESCO's occupation→skill relations.

Each profile is a client as a mediator would record one: part of an occupation's essential skills,
a few of its optional ones, and some skills named less precisely (a broader, narrower or sibling
skill instead of the one the occupation lists). The vacancies are the occupations themselves, with
all their essential and optional skills. A vacancy of the source occupation is relevant (grade 2),
one of the same 4-digit ISCO group partly relevant (grade 1), anything else not (grade 0).

Pure Python, numpy, scipy and scikit-learn: no database, so the bench and the tests can build a set
straight from the CSV files or from a handful of hand-made skills.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfTransformer

RELEVANT = 2
PARTLY_RELEVANT = 1


@dataclass(frozen=True)
class Profile:
    """One held-out client: the occupation the skills came from and the skills as recorded."""

    occupation: str
    skills: frozenset[str]
    replaced: int  # how many skills were swapped for a related one
    relevance: Mapping[str, int]  # vacancy id -> grade, only grades above 0


@dataclass(frozen=True)
class HeldoutSet:
    """Profiles to rank and the vacancies (one per occupation) to rank them against."""

    vacancy_ids: tuple[str, ...]
    vacancy_skills: tuple[frozenset[str], ...]
    profiles: tuple[Profile, ...]

    def counts(self) -> dict[str, int]:
        """Sizes worth reporting next to the scores."""
        return {
            "profiles": len(self.profiles),
            "vacancies": len(self.vacancy_ids),
            "source occupations": len({p.occupation for p in self.profiles}),
            "profile skills": sum(len(p.skills) for p in self.profiles),
            "replaced skills": sum(p.replaced for p in self.profiles),
            "partly relevant pairs": sum(
                sum(1 for g in p.relevance.values() if g == PARTLY_RELEVANT) for p in self.profiles
            ),
        }


def build_heldout_set(
    occupation_skills: Mapping[str, tuple[set[str], set[str]]],
    isco_group: Mapping[str, str],
    related: Mapping[str, Sequence[str]],
    *,
    n_profiles: int,
    seed: int,
    essential_share: tuple[float, float] = (0.4, 0.7),
    optional_share: tuple[float, float] = (0.0, 0.3),
    replace_share: float = 0.2,
    min_essential: int = 2,
) -> HeldoutSet:
    """Build ``n_profiles`` profiles and the occupation vacancies; the same seed gives the same set.

    ``occupation_skills`` maps an occupation to its (essential, optional) skills, ``isco_group``
    an occupation to its 4-digit ISCO group and ``related`` a skill to its broader, narrower and
    sibling skills. Only occupations with an ISCO group become vacancies; a profile is drawn from
    those with at least ``min_essential`` essential skills, each occupation once before any is
    drawn twice.
    """
    rng = random.Random(seed)
    # Sorted everywhere: set and dict order must not leak into what the seed selects.
    vacancy_ids = tuple(sorted(o for o in occupation_skills if o in isco_group))
    vacancy_skills = tuple(frozenset(set().union(*occupation_skills[o])) for o in vacancy_ids)
    by_group: dict[str, list[str]] = {}
    for occupation in vacancy_ids:
        by_group.setdefault(isco_group[occupation], []).append(occupation)
    sources = [o for o in vacancy_ids if len(occupation_skills[o][0]) >= min_essential]
    if not sources:
        raise ValueError("no occupation has enough essential skills to build a profile from")

    drawn: list[str] = []
    while len(drawn) < n_profiles:
        drawn += rng.sample(sources, min(len(sources), n_profiles - len(drawn)))

    profiles = []
    for occupation in drawn:
        essential, optional = (sorted(s) for s in occupation_skills[occupation])
        n_essential = max(1, round(rng.uniform(*essential_share) * len(essential)))
        n_optional = round(rng.uniform(*optional_share) * len(optional))
        kept = rng.sample(essential, n_essential) + rng.sample(optional, n_optional)
        skills, replaced = _blur(kept, related, replace_share, rng)
        relevance = {o: PARTLY_RELEVANT for o in by_group[isco_group[occupation]]}
        relevance[occupation] = RELEVANT
        profiles.append(Profile(occupation, skills, replaced, relevance))
    return HeldoutSet(vacancy_ids, vacancy_skills, tuple(profiles))


def sample_vacancy_skills(
    occupation_skills: Mapping[str, tuple[set[str], set[str]]],
    vacancy_ids: Sequence[str],
    *,
    seed: int,
    essential_share: tuple[float, float] = (0.3, 0.7),
    optional_share: tuple[float, float] = (0.0, 0.5),
) -> tuple[list[set[str]], list[set[str]]]:
    """Per vacancy, the essential and optional skills an employer would list: part of them.

    Real vacancies name a few of their occupation's skills, not ESCO's whole list; at least one
    essential skill is kept where the occupation has any. The same seed gives the same lists.
    """
    rng = random.Random(seed)
    listed_essential, listed_optional = [], []
    for occupation in vacancy_ids:
        essential, optional = (sorted(s) for s in occupation_skills[occupation])
        n_essential = min(
            len(essential), max(1, round(rng.uniform(*essential_share) * len(essential)))
        )
        n_optional = round(rng.uniform(*optional_share) * len(optional))
        listed_essential.append(set(rng.sample(essential, n_essential)))
        listed_optional.append(set(rng.sample(optional, n_optional)))
    return listed_essential, listed_optional


def _blur(
    skills: list[str], related: Mapping[str, Sequence[str]], share: float, rng: random.Random
) -> tuple[frozenset[str], int]:
    """Swap about ``share`` of the skills for a related one, as a client describes work loosely."""
    out: set[str] = set()
    replaced = 0
    for skill in skills:
        neighbours = related.get(skill, ())
        if neighbours and rng.random() < share:
            out.add(rng.choice(sorted(neighbours)))
            replaced += 1
        else:
            out.add(skill)
    return frozenset(out), replaced


def ndcg_at_k(ranked: Sequence[str], relevance: Mapping[str, int], k: int = 10) -> float:
    """Normalised discounted cumulative gain of the first ``k`` items, with gains 2^rel − 1.

    DCG@k = Σ_{i=1..k} (2^rel_i − 1) / log2(i + 1); it is divided by the DCG@k of the ideal order
    of every graded item, so a perfect ranking scores 1. With nothing relevant the score is 0.
    """
    ideal = sorted((g for g in relevance.values() if g > 0), reverse=True)[:k]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    if idcg == 0:
        return 0.0
    dcg = sum(
        (2 ** relevance.get(item, 0) - 1) / math.log2(i + 2) for i, item in enumerate(ranked[:k])
    )
    return dcg / idcg


def mrr(ranked: Sequence[str], relevance: Mapping[str, int]) -> float:
    """Reciprocal rank of the first fully relevant (grade 2) item, 0 without one.

    This is one query's term of the mean reciprocal rank; the mean is taken over the profiles.
    Partly relevant items do not count: a same-group occupation is not the right job.
    """
    return next(
        (1 / (i + 1) for i, item in enumerate(ranked) if relevance.get(item, 0) >= RELEVANT), 0.0
    )


def skill_matrix(
    documents: Sequence[Iterable[str]], vocabulary: Mapping[str, int]
) -> sparse.csr_matrix:
    """A binary document-by-skill matrix; skills outside ``vocabulary`` are left out."""
    rows, cols = [], []
    for i, skills in enumerate(documents):
        for skill in skills:
            j = vocabulary.get(skill)
            if j is not None:
                rows.append(i)
                cols.append(j)
    data = np.ones(len(rows), dtype=np.float64)
    return sparse.csr_matrix((data, (rows, cols)), shape=(len(documents), len(vocabulary)))


def tfidf_cosine_ranking(
    profiles: Sequence[Iterable[str]], vacancies: Sequence[Iterable[str]], *, k: int | None = 10
) -> np.ndarray:
    """The baseline: vacancy indices per profile, best first, by cosine of TF-IDF skill vectors.

    IDF is learnt on the vacancies (essential and optional skills alike, each present once); the
    profile is weighted with the same IDF. A profile skill no vacancy has cannot match and is
    dropped. Ties keep vacancy order, so the ranking is deterministic. ``k=None`` ranks all.
    """
    vocabulary = {s: j for j, s in enumerate(sorted(set().union(*map(set, vacancies))))}
    transformer = TfidfTransformer(norm="l2").fit(skill_matrix(vacancies, vocabulary))
    vacancy_vectors = transformer.transform(skill_matrix(vacancies, vocabulary))
    profile_vectors = transformer.transform(skill_matrix(profiles, vocabulary))
    # Both sides are l2-normalised, so the dot product is the cosine.
    scores = np.asarray((profile_vectors @ vacancy_vectors.T).todense())
    return top_k(scores, k)


def top_k(scores: np.ndarray, k: int | None) -> np.ndarray:
    """Column indices of the ``k`` highest scores per row, best first, ties in column order."""
    n = scores.shape[1]
    if k is None or k >= n:
        return np.argsort(-scores, axis=1, kind="stable")
    # argpartition alone would break ties arbitrarily: lexsort keeps them in column order.
    part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    threshold = np.take_along_axis(scores, part, axis=1).min(axis=1, keepdims=True)
    out = np.empty((scores.shape[0], k), dtype=np.intp)
    for i, row in enumerate(scores):
        candidates = np.flatnonzero(row >= threshold[i])
        order = np.lexsort((candidates, -row[candidates]))
        out[i] = candidates[order[:k]]
    return out


@dataclass(frozen=True)
class Scores:
    ndcg_at_10: float
    mrr: float


def evaluate_ranking(heldout: HeldoutSet, ranked: np.ndarray | Sequence[Sequence[int]]) -> Scores:
    """Mean nDCG@10 and MRR over the profiles, given vacancy indices per profile, best first."""
    ids = heldout.vacancy_ids
    ndcg = rr = 0.0
    for profile, row in zip(heldout.profiles, ranked, strict=True):
        items = [ids[j] for j in row]
        ndcg += ndcg_at_k(items, profile.relevance, 10)
        rr += mrr(items, profile.relevance)
    n = len(heldout.profiles) or 1
    return Scores(ndcg / n, rr / n)
