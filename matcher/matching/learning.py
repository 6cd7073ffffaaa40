"""The second stage: a model learned from mediators' decisions that re-ranks first-stage matches.

A mediator's decision on a proposal is a label: approved (also when the employer later invited
or declined, or the client was hired) is 1, rejected is 0; open and frozen proposals are no
decision. The features are what the mediator saw (``Proposal.features``). ``ApprovalModel`` is a
standardised logistic regression: simple, explainable (one weight per feature) and stable with
the few dozen decisions a programme makes in its first months.

Training splits the decisions by time: the model learns from the older ones and is judged on the
newest quarter, which is what it will face in use. It is activated only when it orders those
held-out decisions better than the first stage did (ROC AUC); otherwise it is stored inactive
with the reason, and the first stage stays. The stored parameters are then refit on every
decision: the newest decisions say most about how mediators decide now, and the held-out figures
judge the procedure, which the refit repeats on more rows.

The final score is the approval probability times the first-stage score, so the first stage
keeps its say; only when the held-out decisions are ordered better by the probability alone is
that stored instead (``parameters["blend"]``).

Parameters are stored as JSON (feature names, scaler mean and scale, coefficients, intercept),
never as a pickle: a pickle runs code when loaded and breaks across scikit-learn versions.
Until a model is active, matches keep their first-stage order; the first stage is the fallback.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

import numpy as np
from sklearn.metrics import roc_auc_score
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from matcher.audit.services import record_event
from matcher.errors import ValidationError
from matcher.matching.approval import ApprovalModel, feature_matrix
from matcher.matching.models import (
    Placement,
    PlacementStage,
    Proposal,
    ProposalStatus,
    RankingModel,
)
from matcher.matching.results import Match

# A mediator approved these (the employer's later invitation or decline does not undo that).
APPROVED_STATUSES = frozenset(
    {
        ProposalStatus.APPROVED,
        ProposalStatus.WAITING_FOR_CONSENT,
        ProposalStatus.INVITED,
        ProposalStatus.DECLINED,
    }
)
# The key under which a re-ranked match keeps its first-stage score; never a model feature.
FIRST_STAGE = "first_stage_score"
HELD_OUT_SHARE = 0.25
VERSION_PREFIX = "rerank-"
# How the probability of approval and the first-stage score make the final score.
BLEND_PRODUCT = "product"  # probability × first-stage score: the first stage stays meaningful
BLEND_PROBABILITY = "probability"
# Why a model was or was not activated (in the report and the audit log; English, as the CLI).
BETTER = "it orders the held-out decisions better than the first stage"
NOT_BETTER = "it does not order the held-out decisions better than the first stage"
ONE_KIND_OLDER = "the older decisions are all approvals or all rejections"
ONE_KIND_HELD_OUT = "the held-out decisions are all approvals or all rejections"


def feature_names(rows: Iterable[Mapping[str, float]]) -> list[str]:
    """The union of the rows' feature names, sorted, without the first-stage score."""
    return sorted({name for row in rows for name in row} - {FIRST_STAGE})


@dataclass(frozen=True)
class Decision:
    """One mediator's decision as training sees it."""

    proposal_id: int
    at: datetime
    features: dict[str, float]
    first_stage: float  # the score the first stage gave the proposal
    approved: bool


@dataclass(frozen=True)
class TrainingReport:
    """What training did and how the model did on the newest decisions it did not learn from."""

    version: str
    n_decisions: int
    n_approved: int
    n_train: int
    n_heldout: int
    features: tuple[str, ...]
    auc_first_stage: float | None
    auc_second_stage: float | None
    # Share of approvals among the top half of the held-out decisions, ordered by each stage.
    precision_first_stage: float | None
    precision_second_stage: float | None
    blend: str
    activated: bool
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {
            "n_decisions": self.n_decisions,
            "n_approved": self.n_approved,
            "n_train": self.n_train,
            "n_heldout": self.n_heldout,
            "auc_first_stage": self.auc_first_stage,
            "auc_second_stage": self.auc_second_stage,
            "precision_first_stage": self.precision_first_stage,
            "precision_second_stage": self.precision_second_stage,
            "blend": self.blend,
            "activated": self.activated,
            "reason": self.reason,
            "refit_on_all": True,
        }


def load_decisions(session: Session, today: date | None = None) -> list[Decision]:
    """Every decided proposal (up to and including ``today``), oldest first."""
    hired = select(Placement.proposal_id).where(Placement.stage == PlacementStage.HIRED)
    decided = {*APPROVED_STATUSES, ProposalStatus.REJECTED}
    rows = session.execute(
        select(
            Proposal.id,
            Proposal.status,
            Proposal.features,
            Proposal.score,
            Proposal.decided_at,
            Proposal.created_at,
            Proposal.id.in_(hired),
        ).where(or_(Proposal.status.in_(decided), Proposal.id.in_(hired)))
    )
    decisions = [
        Decision(
            proposal_id=pid,
            at=decided_at or created_at,
            features=dict(features or {}),
            # A proposal made while a second stage was active kept its first-stage score apart.
            first_stage=float((features or {}).get(FIRST_STAGE, score)),
            approved=bool(was_hired) or status in APPROVED_STATUSES,
        )
        for pid, status, features, score, decided_at, created_at, was_hired in rows
    ]
    if today is not None:
        decisions = [d for d in decisions if d.at.date() <= today]
    return sorted(decisions, key=lambda d: (d.at, d.proposal_id))


def blended(probability: np.ndarray, first_stage: np.ndarray, blend: str) -> np.ndarray:
    """The second-stage score from the approval probability and the first-stage score."""
    return probability * first_stage if blend == BLEND_PRODUCT else probability


def _precision_top_half(scores: np.ndarray, labels: np.ndarray) -> float:
    top = np.argsort(-scores, kind="stable")[: math.ceil(len(scores) / 2)]
    return float(labels[top].mean())


_FIGURES = (
    "auc_first_stage",
    "auc_second_stage",
    "precision_first_stage",
    "precision_second_stage",
)


def evaluate_split(
    train: list[Decision], held: list[Decision], names: list[str], seed: int
) -> dict[str, Any]:
    """Fit on the older decisions, judge both stages on the held-out ones."""
    y_train = np.array([d.approved for d in train], dtype=int)
    y_held = np.array([d.approved for d in held], dtype=int)
    first = np.array([d.first_stage for d in held])
    # Without both kinds on each side there is nothing to learn or no AUC to judge by.
    for y, reason in ((y_train, ONE_KIND_OLDER), (y_held, ONE_KIND_HELD_OUT)):
        if len(set(y)) < 2:
            return {
                **dict.fromkeys(_FIGURES),
                "blend": BLEND_PRODUCT,
                "activated": False,
                "reason": reason,
            }
    model = ApprovalModel(random_state=seed).fit(feature_matrix(_rows(train), names), y_train)
    probability = model.predict_proba(feature_matrix(_rows(held), names))[:, 1]
    # Keep the first stage in the score unless the held-out decisions say it only hurts.
    candidates = {b: blended(probability, first, b) for b in (BLEND_PRODUCT, BLEND_PROBABILITY)}
    aucs = {b: float(roc_auc_score(y_held, s)) for b, s in candidates.items()}
    blend = max(aucs, key=lambda b: (aucs[b], b == BLEND_PRODUCT))
    auc_first = float(roc_auc_score(y_held, first))
    activated = aucs[blend] > auc_first
    return {
        "blend": blend,
        "auc_first_stage": auc_first,
        "auc_second_stage": aucs[blend],
        "precision_first_stage": _precision_top_half(first, y_held),
        "precision_second_stage": _precision_top_half(candidates[blend], y_held),
        "activated": activated,
        "reason": BETTER if activated else NOT_BETTER,
    }


def _rows(decisions: Iterable[Decision]) -> list[dict[str, float]]:
    return [d.features for d in decisions]


def _next_version(session: Session) -> str:
    count = session.scalar(
        select(func.count())
        .select_from(RankingModel)
        .where(RankingModel.version.startswith(VERSION_PREFIX))
    )
    return f"{VERSION_PREFIX}{(count or 0) + 1}"


def train_reranker(
    session: Session, *, min_decisions: int = 50, today: date | None = None, seed: int = 0
) -> TrainingReport:
    """Train the second-stage model on mediators' decisions; activate it only if it does better."""
    decisions = load_decisions(session, today)
    if len(decisions) < min_decisions:
        raise ValidationError(
            "Only %(n)s decisions so far; training needs at least %(min)s.",
            n=len(decisions),
            min=min_decisions,
        )
    labels = np.array([d.approved for d in decisions], dtype=int)
    if len(set(labels)) < 2:
        raise ValidationError(
            "The %(n)s decisions are all approvals or all rejections; training needs both.",
            n=len(decisions),
        )
    names = feature_names(_rows(decisions))
    if not names:
        raise ValidationError("The decided proposals carry no features to learn from.")
    n_held = max(1, round(len(decisions) * HELD_OUT_SHARE))
    train, held = decisions[:-n_held], decisions[-n_held:]
    result = evaluate_split(train, held, names, seed)
    final = ApprovalModel(random_state=seed).fit(feature_matrix(_rows(decisions), names), labels)
    report = TrainingReport(
        version=_next_version(session),
        n_decisions=len(decisions),
        n_approved=int(labels.sum()),
        n_train=len(train),
        n_heldout=len(held),
        features=tuple(names),
        **result,
    )
    _store(session, report, final)
    return report


def _store(session: Session, report: TrainingReport, model: ApprovalModel) -> RankingModel:
    if report.activated:
        # The partial unique index allows one active model: switch the old one off first.
        session.execute(update(RankingModel).where(RankingModel.active).values(active=False))
        session.flush()
    row = RankingModel(
        version=report.version,
        n_decisions=report.n_decisions,
        parameters={
            "features": list(report.features),
            "blend": report.blend,
            **model.to_parameters(),
        },
        report=report.to_json(),
        active=report.activated,
    )
    session.add(row)
    session.flush()
    record_event(
        session,
        None,
        "train",
        "ranking_model",
        row.id,
        to_state="active" if report.activated else "inactive",
        reason=report.reason,
        details=report.to_json(),
    )
    return row


@dataclass(frozen=True)
class Reranker:
    """An active second-stage model, ready to score matches."""

    id: int
    version: str
    features: tuple[str, ...]
    blend: str
    model: ApprovalModel

    def score(self, matches: Sequence[Match]) -> np.ndarray:
        probability = self.model.predict_proba(
            feature_matrix((m.features for m in matches), self.features)
        )[:, 1]
        return blended(probability, np.array([m.score for m in matches]), self.blend)


def reranker_from_row(row: RankingModel) -> Reranker:
    """Build the scorer from a stored model's JSON parameters."""
    parameters = row.parameters
    return Reranker(
        id=row.id,
        version=row.version,
        features=tuple(parameters["features"]),
        blend=parameters["blend"],
        model=ApprovalModel.from_parameters(parameters),
    )


# One per process: (id, version, trained_at) of the active model → its scorer. The key has more
# than the id because a rolled-back test database may hand an id out again.
_cached: tuple[tuple[Any, ...], Reranker] | None = None


def forget_reranker() -> None:
    """Drop the cached model (tests that roll back the database call this)."""
    global _cached
    _cached = None


def load_active_reranker(session: Session) -> Reranker | None:
    """The active second-stage model, built once per process until another one is activated."""
    global _cached
    key = session.execute(
        select(RankingModel.id, RankingModel.version, RankingModel.trained_at).where(
            RankingModel.active
        )
    ).first()
    if key is None:
        return None
    key = tuple(key)
    if _cached is None or _cached[0] != key:
        _cached = (key, reranker_from_row(session.get_one(RankingModel, key[0])))
    return _cached[1]


def apply_reranker(session: Session, matches: list[Match]) -> list[Match]:
    """Re-score matches with the active second-stage model, best first; unchanged without one."""
    reranker = load_active_reranker(session) if matches else None
    if reranker is None:
        return sorted(matches, key=lambda m: -m.score)
    scores = reranker.score(matches)
    rescored = [
        replace(
            m,
            score=float(score),
            features={**m.features, FIRST_STAGE: m.score},
            model_version=f"{m.model_version}+{reranker.version}",
        )
        for m, score in zip(matches, scores, strict=True)
    ]
    return sorted(rescored, key=lambda m: -m.score)
