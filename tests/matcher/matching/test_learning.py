"""The second stage: learning from mediators' decisions, judged on the newest ones, as JSON."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date, timedelta

import numpy as np
import pytest
from sklearn.base import clone
from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.audit.models import AuditEvent
from matcher.db import utcnow
from matcher.errors import ValidationError
from matcher.matching import learning
from matcher.matching.learning import (
    FIRST_STAGE,
    ApprovalModel,
    apply_reranker,
    feature_matrix,
    load_active_reranker,
    load_decisions,
    reranker_from_row,
    train_reranker,
)
from matcher.matching.models import (
    DeclineReason,
    Placement,
    PlacementStage,
    ProposalStatus,
    RankingModel,
    RejectReason,
)
from matcher.matching.results import Explanation, Match
from tests.matcher.profiles.builders import make_client
from tests.matcher.vacancies.builders import make_proposal, make_vacancy

Rule = Callable[[dict[str, float], float], bool]


def language_rule(features: dict[str, float], score: float) -> bool:
    """Mediators approve when the language fits, whatever the skill score."""
    return features["language"] == 1.0


def score_rule(features: dict[str, float], score: float) -> bool:
    """Mediators approve exactly what the first stage ranks high: nothing left to learn."""
    return score > 0.5


def make_decisions(
    session: Session, n: int, rule: Rule = language_rule, seed: int = 1, days_ago: int = 0
) -> None:
    """n decided proposals a day apart, the first ``days_ago`` (or n) days ago, by the rule."""
    rng = np.random.default_rng(seed)
    client, vacancy = make_client(session), make_vacancy(session)
    start = utcnow() - timedelta(days=days_ago or n)
    for i in range(n):
        score = float(rng.uniform(0.2, 1.0))
        features = {
            "skill_score": score,
            "language": float(rng.integers(0, 2)),
            "travel": float(rng.uniform(0, 1)),
        }
        approved = rule(features, score)
        make_proposal(
            session,
            client,
            vacancy,
            status=ProposalStatus.APPROVED if approved else ProposalStatus.REJECTED,
            reject_reason=None if approved else RejectReason.LANGUAGE,
            score=score,
            features=features,
            decided_at=start + timedelta(days=i),
        )


def match(vacancy_id: int, score: float, language: float) -> Match:
    return Match(
        client_id=1,
        vacancy_id=vacancy_id,
        score=score,
        skill_score=score,
        features={"skill_score": score, "language": language, "travel": 0.5},
        explanation=Explanation(),
        model_version="skills-1",
    )


@pytest.fixture(autouse=True)
def no_cached_reranker() -> Iterator[None]:
    # Rolled-back tests hand out the same ids again; start every test without a cached model.
    learning.forget_reranker()
    yield
    learning.forget_reranker()


def test_a_model_that_learns_the_mediators_rule_beats_the_first_stage_and_is_activated(session):
    make_decisions(session, 80)

    report = train_reranker(session)

    assert (report.n_decisions, report.n_train, report.n_heldout) == (80, 60, 20)
    assert report.features == ("language", "skill_score", "travel")
    assert report.auc_second_stage > 0.95 > 0.75 > report.auc_first_stage
    assert report.precision_second_stage > report.precision_first_stage
    assert report.activated
    stored = session.scalars(select(RankingModel)).one()
    assert (stored.version, stored.active, stored.n_decisions) == ("rerank-1", True, 80)
    assert stored.report["auc_second_stage"] == report.auc_second_stage
    event = session.scalars(select(AuditEvent).where(AuditEvent.object_type == "ranking_model"))
    assert [(e.action, e.to_state) for e in event] == [("train", "active")]


def test_the_active_model_puts_what_mediators_approve_first(session):
    make_decisions(session, 80)
    train_reranker(session)
    first_stage = [match(1, 0.9, language=0.0), match(2, 0.6, language=1.0)]

    reranked = apply_reranker(session, first_stage)

    assert [m.vacancy_id for m in reranked] == [2, 1]
    assert {m.model_version for m in reranked} == {"skills-1+rerank-1"}
    assert [m.features[FIRST_STAGE] for m in reranked] == [0.6, 0.9]
    assert [m.skill_score for m in reranked] == [0.6, 0.9]


def test_without_an_active_model_matches_keep_their_first_stage_order(session):
    first_stage = [match(1, 0.4, language=1.0), match(2, 0.9, language=0.0)]

    reranked = apply_reranker(session, first_stage)

    assert reranked == [first_stage[1], first_stage[0]]


def test_too_few_decisions_are_refused_and_nothing_is_stored(session):
    make_decisions(session, 10)

    with pytest.raises(ValidationError) as refused:
        train_reranker(session)

    assert str(refused.value) == "Only 10 decisions so far; training needs at least 50."
    assert session.scalars(select(RankingModel)).all() == []


def test_decisions_of_one_kind_only_are_refused(session):
    make_decisions(session, 60, rule=lambda features, score: True)

    with pytest.raises(ValidationError, match="all approvals or all rejections"):
        train_reranker(session)


def test_a_model_no_better_than_the_first_stage_is_stored_inactive(session):
    make_decisions(session, 60, rule=score_rule)

    report = train_reranker(session)

    assert report.auc_first_stage == 1.0
    assert not report.activated
    assert "does not order the held-out decisions better" in report.reason
    assert session.scalars(select(RankingModel.active)).all() == [False]
    assert load_active_reranker(session) is None
    first_stage = [match(1, 0.9, language=0.0), match(2, 0.6, language=1.0)]
    assert [m.vacancy_id for m in apply_reranker(session, first_stage)] == [1, 2]


def test_a_worse_model_leaves_the_active_one_in_place(session):
    make_decisions(session, 80, days_ago=400)
    train_reranker(session)
    make_decisions(session, 200, rule=score_rule, seed=2)  # mediators now follow the score

    report = train_reranker(session)

    assert (report.version, report.activated) == ("rerank-2", False)
    active = session.scalars(select(RankingModel).where(RankingModel.active)).one()
    assert active.version == "rerank-1"
    assert load_active_reranker(session).version == "rerank-1"


def test_a_better_model_replaces_the_active_one_and_the_cache_follows(session):
    make_decisions(session, 80, days_ago=200)
    train_reranker(session)
    assert load_active_reranker(session).version == "rerank-1"
    make_decisions(session, 80, seed=3)

    report = train_reranker(session)

    assert report.activated
    assert session.scalars(select(RankingModel.version).where(RankingModel.active)).all() == [
        "rerank-2"
    ]
    assert load_active_reranker(session).version == "rerank-2"


def test_the_parameters_round_trip_through_json(session):
    make_decisions(session, 80)
    train_reranker(session)
    row = session.scalars(select(RankingModel)).one()

    # What the database holds is plain JSON: numbers, strings and lists, no pickled bytes.
    restored = json.loads(json.dumps(row.parameters))
    assert set(restored) >= {"features", "mean", "scale", "coef", "intercept", "blend"}
    reloaded = ApprovalModel.from_parameters(restored)
    reranker = reranker_from_row(row)
    x = feature_matrix(
        [{"language": 1.0, "skill_score": 0.3}, {"travel": 0.9}], restored["features"]
    )
    np.testing.assert_allclose(reloaded.predict_proba(x), reranker.model.predict_proba(x))
    assert reloaded.predict_proba(x)[0, 1] > 0.5 > reloaded.predict_proba(x)[1, 1]


def test_the_model_follows_the_estimator_contract():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = (X[:, 1] > 0).astype(int)
    model = ApprovalModel(C=0.5)

    assert model.fit(X, y) is model
    assert clone(model).get_params() == {"C": 0.5, "class_weight": "balanced", "random_state": 0}
    assert not hasattr(clone(model), "coef_")
    assert model.score(X, y) > 0.9
    restored = ApprovalModel.from_parameters(model.to_parameters())
    np.testing.assert_allclose(restored.predict_proba(X), model.predict_proba(X))


def test_only_decided_proposals_are_decisions_and_a_decline_or_hire_counts_as_approval(session):
    client, vacancy = make_client(session), make_vacancy(session)
    day = utcnow() - timedelta(days=5)
    for status in (ProposalStatus.PROPOSED, ProposalStatus.DEFERRED, ProposalStatus.FROZEN):
        make_proposal(session, client, make_vacancy(session), status=status)
    declined = make_proposal(
        session,
        client,
        vacancy,
        status=ProposalStatus.DECLINED,
        decline_reason=DeclineReason.POSITION_FILLED,
        decided_at=day,
    )
    rejected = make_proposal(
        session,
        client,
        vacancy,
        status=ProposalStatus.REJECTED,
        reject_reason=RejectReason.SKILLS,
        decided_at=day + timedelta(days=1),
    )
    hired = make_proposal(
        session, client, vacancy, status=ProposalStatus.INVITED, decided_at=day + timedelta(days=2)
    )
    session.add(Placement(proposal=hired, stage=PlacementStage.HIRED, start_date=date.today()))
    session.flush()

    decisions = load_decisions(session)

    assert [(d.proposal_id, d.approved) for d in decisions] == [
        (declined.id, True),
        (rejected.id, False),
        (hired.id, True),
    ]
    assert [d.proposal_id for d in load_decisions(session, today=day.date())] == [declined.id]


def test_a_reranked_proposal_is_judged_by_its_first_stage_score(session):
    client, vacancy = make_client(session), make_vacancy(session)
    make_proposal(
        session,
        client,
        vacancy,
        status=ProposalStatus.APPROVED,
        score=0.42,  # the blended score the queue showed
        features={"language": 1.0, FIRST_STAGE: 0.7},
        model_version="skills-1+rerank-1",
        decided_at=utcnow(),
    )

    (decision,) = load_decisions(session)

    assert decision.first_stage == 0.7
    assert learning.feature_names([decision.features]) == ["language"]


def test_older_decisions_of_one_kind_cannot_be_judged_and_are_not_activated(session):
    make_decisions(session, 45, rule=lambda features, score: False, days_ago=100)
    make_decisions(session, 15, seed=4)  # only the newest include approvals

    report = train_reranker(session)

    assert (report.n_train, report.n_heldout) == (45, 15)
    assert report.reason == "the older decisions are all approvals or all rejections"
    assert report.auc_second_stage is None
    assert not report.activated
    assert load_active_reranker(session) is None


def test_decisions_without_features_are_refused(session):
    client, vacancy = make_client(session), make_vacancy(session)
    for approved in (True, False):
        make_proposal(
            session,
            client,
            vacancy,
            status=ProposalStatus.APPROVED if approved else ProposalStatus.REJECTED,
            reject_reason=None if approved else RejectReason.OTHER,
            decided_at=utcnow(),
        )

    with pytest.raises(ValidationError, match="no features to learn from"):
        train_reranker(session, min_decisions=2)
