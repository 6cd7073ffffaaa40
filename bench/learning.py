"""The second stage on simulated mediators' decisions: held-out ROC AUC and the re-scoring cost.

There are no real decisions yet, so mediators are simulated: they weigh the same features the
first stage multiplies, but language and hours more than its fixed factors do, with noise. The
model learns from the older 75% of decisions and is judged on the newest 25%, as in training.
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime, timedelta

import numpy as np

from bench import Figure
from matcher.matching.approval import ApprovalModel, feature_matrix
from matcher.matching.features import (
    HOURS_FACTORS,
    LANGUAGE_FACTORS,
    TRAVEL_FACTORS,
    WISH_FACTORS,
    combine,
)
from matcher.matching.learning import Decision, Reranker, evaluate_split, feature_names
from matcher.matching.results import Explanation, Match

N_DECISIONS = 400
N_MATCHES = 100
SEED = 20260527


def _simulate(n: int, rng: np.random.Generator) -> list[Decision]:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    decisions = []
    for i in range(n):
        factors = {
            "language": float(rng.choice(list(LANGUAGE_FACTORS.values()))),
            "travel": float(rng.choice(list(TRAVEL_FACTORS.values()))),
            "hours": float(rng.choice(list(HOURS_FACTORS.values()))),
            "wish": float(rng.choice(list(WISH_FACTORS.values()))),
        }
        skill = float(rng.uniform(0.1, 0.9))
        logit = 4 * (skill - 0.45) + 6 * (factors["language"] - 0.8) + 8 * (factors["hours"] - 0.9)
        approved = rng.uniform() < 1 / (1 + np.exp(-logit - rng.normal(0, 0.5)))
        decisions.append(
            Decision(
                proposal_id=i,
                at=start + timedelta(hours=i),
                features={"skill_score": skill, **factors},
                first_stage=combine(skill, factors),
                approved=bool(approved),
            )
        )
    return decisions


def figures() -> list[Figure]:
    rng = np.random.default_rng(SEED)
    decisions = _simulate(N_DECISIONS, rng)
    names = feature_names(d.features for d in decisions)
    n_held = N_DECISIONS // 4
    result = evaluate_split(decisions[:-n_held], decisions[-n_held:], names, SEED)

    labels = np.array([d.approved for d in decisions], dtype=int)
    model = ApprovalModel().fit(feature_matrix((d.features for d in decisions), names), labels)
    reranker = Reranker(0, "rerank-bench", tuple(names), result["blend"], model)
    matches = [
        Match(1, d.proposal_id, d.first_stage, d.features["skill_score"], d.features,
              Explanation(), "bench")
        for d in decisions[:N_MATCHES]
    ]  # fmt: skip
    timings = []
    for _ in range(200):
        started = time.perf_counter()
        reranker.score(matches)
        timings.append((time.perf_counter() - started) * 1000)
    note = f"{N_DECISIONS} simulated decisions, newest {n_held} held out; score: {result['blend']}"
    return [
        Figure(
            "second stage: held-out ROC AUC, first → second",
            f"{result['auc_first_stage']:.3f} → {result['auc_second_stage']:.3f}",
            "second > first",
            note,
        ),
        Figure(
            "second stage: approvals in the held-out top half",
            f"{result['precision_first_stage']:.3f} → {result['precision_second_stage']:.3f}",
            "",
            note,
        ),
        Figure(
            f"second stage: re-score {N_MATCHES} matches, p50",
            f"{statistics.median(timings):.2f} ms",
            "",
            "without the one query for the active model",
        ),
    ]
