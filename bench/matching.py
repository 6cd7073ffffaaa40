"""Match quality on a held-out set built from ESCO v1.1.1: the SkillRanker next to TF-IDF cosine.

ESCO is read straight from the bundled CSV zips (no database): occupation→skill relations,
each occupation's ISCO group, and the skill hierarchy for the related skills a profile may name
instead (broader, narrower, and siblings under a shared broader skill).
"""

from __future__ import annotations

import csv
import io
import statistics
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

from bench import Figure
from matcher.config import project_root
from matcher.matching.evaluation import (
    HeldoutSet,
    Scores,
    build_heldout_set,
    evaluate_ranking,
    sample_vacancy_skills,
    tfidf_cosine_ranking,
)
from matcher.matching.ranker import SkillRanker

N_PROFILES = 2000
SEED = 20260527
SKILL = "KnowledgeSkillCompetence"
# Tuned on a held-out set of seed TUNING_SEED (not SEED, so the reported figure is not fitted to
# its own profiles). First round: optional_weight {0.25, 0.5, 1} at related_weight 0, then
# related_weight {0, 0.25, 0.5, 1} at optional_weight 0.5, each with and without IDF. Second
# round, nDCG@10 / MRR on the tuning seed (TF-IDF 0.724 / 0.941, first ranker 0.735 / 0.957):
# - broader, narrower and sibling kin weighed apart ({0, 0.5, 1} each): within ±0.001, so one
#   related_weight stays;
# - IDF on the profile side 0.736 / 0.958, on both sides 0.733 / 0.956: profile side only;
# - the group's bonus as the plain mean of its vacancies: 0.753 / 0.949 at 0.3; as the
#   unit-length mean (a cosine with the group): 0.790 / 0.942 at 0.5, 0.815 / 0.923 at 1.0;
#   multiplying instead of adding: at most 0.78;
# - length_norm {0.6, 0.7, 0.8, 1} × group_weight {0.5, 1, 1.25, 1.5, 2} × related_weight
#   {0.25, 0.5}: nDCG rises and MRR falls with the group weight; the rule was the best nDCG@10
#   whose MRR stays at least TF-IDF's, which is 0.7 and 1.25 (0.815 / 0.942);
# - occupation_weight on vacancies that list part of their occupation's skills: 0 0.703 / 0.703,
#   0.25 0.768 / 0.828, 0.5 0.799 / 0.892, 0.75 0.812 / 0.927, 1 0.814 / 0.941. That set calls
#   a vacancy relevant by its occupation alone, so it rewards ignoring what the employer chose;
#   0.5 keeps the employer's own list at twice the weight of the guess.
TUNING_SEED = 7
RANKER_PARAMS = {
    "essential_weight": 1.0,
    "optional_weight": 0.5,
    "related_weight": 0.5,
    "use_idf": False,
    "profile_idf": True,
    "length_norm": 0.7,
    "group_weight": 1.25,
    "occupation_weight": 0.5,
}
TIMED_PROFILES = 200


def _rows(zip_path: Path, name: str) -> Iterator[dict[str, str]]:
    with zipfile.ZipFile(zip_path) as archive:
        member = next(n for n in archive.namelist() if n.rsplit("/", 1)[-1] == name)
        with archive.open(member) as f:
            yield from csv.DictReader(io.TextIOWrapper(f, encoding="utf-8", newline=""))


def load_esco(
    folder: Path,
) -> tuple[dict[str, tuple[set[str], set[str]]], dict[str, str], dict[str, list[str]]]:
    """Occupation skills (essential, optional), ISCO group per occupation, related skills."""
    classification = folder / "esco-v1.1.1-classification-en-csv.zip"
    relations = folder / "esco-v1.1.1-relations-csv.zip"
    isco = {r["conceptUri"]: r["iscoGroup"] for r in _rows(classification, "occupations_en.csv")}
    occupation_skills: dict[str, tuple[set[str], set[str]]] = {}
    for r in _rows(relations, "occupationSkillRelations.csv"):
        essential, optional = occupation_skills.setdefault(r["occupationUri"], (set(), set()))
        (essential if r["relationType"] == "essential" else optional).add(r["skillUri"])
    # Only skill-to-skill links: a skill group is a heading, not something a client can name.
    children: dict[str, set[str]] = {}
    for r in _rows(relations, "broaderRelationsSkillPillar.csv"):
        if r["conceptType"] == SKILL and r["broaderType"] == SKILL:
            children.setdefault(r["broaderUri"], set()).add(r["conceptUri"])
    related: dict[str, set[str]] = {}
    for broader, narrower in children.items():
        related.setdefault(broader, set()).update(narrower)
        for skill in narrower:
            related.setdefault(skill, set()).update(narrower | {broader})
    return occupation_skills, isco, {s: sorted(r - {s}) for s, r in related.items() if r - {s}}


def figures() -> list[Figure]:
    started = time.perf_counter()
    occupation_skills, isco, related = load_esco(project_root() / "data" / "esco")
    loaded = time.perf_counter()
    heldout = build_heldout_set(occupation_skills, isco, related, n_profiles=N_PROFILES, seed=SEED)
    built = time.perf_counter()
    profiles = [p.skills for p in heldout.profiles]
    ranked = tfidf_cosine_ranking(profiles, heldout.vacancy_skills, k=None)
    ranked_at = time.perf_counter()
    scores = evaluate_ranking(heldout, ranked)
    per_profile_ms = (ranked_at - built) / len(heldout.profiles) * 1000

    ids = heldout.vacancy_ids
    groups = [isco[o] for o in ids]
    occupations = [occupation_skills[o] for o in ids]
    fitting = time.perf_counter()
    ranker = SkillRanker(**RANKER_PARAMS).fit(
        [e for e, _ in occupations], [o for _, o in occupations], related, groups=groups
    )
    fitted = time.perf_counter()
    ranker_scores = evaluate_ranking(heldout, ranker.rank(profiles, None))
    # One client at a time, as the mediator's page asks: the median of single-profile top 10s.
    single_ms = []
    for profile in profiles[:TIMED_PROFILES]:
        t = time.perf_counter()
        ranker.rank([profile], 10)
        single_ms.append((time.perf_counter() - t) * 1000)

    # Real vacancies list part of their occupation's skills: the same profiles against those.
    essential, optional = sample_vacancy_skills(occupation_skills, ids, seed=SEED)
    listed = [e | o for e, o in zip(essential, optional, strict=True)]
    partial_tfidf = evaluate_ranking(heldout, tfidf_cosine_ranking(profiles, listed, k=10))
    partial_alone = evaluate_ranking(
        heldout,
        SkillRanker(**RANKER_PARAMS)
        .fit(essential, optional, related, groups=groups)
        .rank(profiles),
    )
    partial_ranker = evaluate_ranking(
        heldout,
        SkillRanker(**RANKER_PARAMS)
        .fit(essential, optional, related, groups=groups, occupation_skills=occupations)
        .rank(profiles),
    )
    return [
        Figure(
            "held-out set (ESCO v1.1.1)",
            _describe(heldout),
            "",
            f"seed {SEED}; 40–70 % essential, 0–30 % optional; 20 % of skills with kin swapped",
        ),
        Figure(
            "TF-IDF cosine: nDCG@10 / MRR",
            _pair(scores),
            "nDCG@10 ≈ 0.78 (issue 5)",
            "gains 2^rel − 1; same occupation 2, same ISCO group 1; MRR on grade 2",
        ),
        Figure(
            "SkillRanker: nDCG@10 / MRR",
            _pair(ranker_scores),
            f"> TF-IDF {_pair(scores)}",
            f"tuned on seed {TUNING_SEED}: "
            + ", ".join(f"{k} {v}" for k, v in RANKER_PARAMS.items()),
        ),
        Figure(
            "listed part: TF-IDF / ranker / + occupation",
            f"{_pair(partial_tfidf)}; {_pair(partial_alone)}; {_pair(partial_ranker)}",
            "",
            "vacancies list 30–70 % of the essential, 0–50 % of the optional skills; "
            "+ occupation: the rest of the occupation's skills at occupation_weight",
        ),
        Figure(
            "SkillRanker: fit / p50 per profile",
            f"{fitted - fitting:.2f} s / {statistics.median(single_ms):.2f} ms",
            "",
            f"top 10 of {len(ids)} vacancies, one profile at a time, {TIMED_PROFILES} profiles",
        ),
        Figure(
            "held-out: read CSV / build / rank",
            f"{loaded - started:.1f} s / {built - loaded:.1f} s / {ranked_at - built:.1f} s",
            "",
            f"TF-IDF full ranking of every vacancy, {per_profile_ms:.2f} ms per profile",
        ),
    ]


def _pair(scores: Scores) -> str:
    return f"{scores.ndcg_at_10:.3f} / {scores.mrr:.3f}"


def _describe(heldout: HeldoutSet) -> str:
    c = heldout.counts()
    return (
        f"{c['profiles']} profiles from {c['source occupations']} occupations × "
        f"{c['vacancies']} vacancies; {c['profile skills']} skills, {c['replaced skills']} swapped"
    )
