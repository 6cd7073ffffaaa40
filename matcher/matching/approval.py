"""The second stage's estimator: the probability that a mediator approves a proposal.

Pure numpy and scikit-learn (STYLE.md rule 11): matcher.matching.learning loads the decisions,
builds the arrays and stores the fitted state as JSON.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler


class ApprovalModel(ClassifierMixin, BaseEstimator):
    """Probability that a mediator approves a proposal, from its feature vector.

    Standardised features into a logistic regression with balanced class weights (mediators
    may approve far more than they reject, or the other way round). Fitted state: ``mean_``,
    ``scale_``, ``coef_``, ``intercept_``, ``classes_``; ``to_parameters``/``from_parameters``
    carry it as plain JSON.
    """

    def __init__(
        self, C: float = 1.0, class_weight: str | None = "balanced", random_state: int = 0
    ) -> None:
        self.C = C
        self.class_weight = class_weight
        self.random_state = random_state

    def fit(self, X: np.ndarray, y: np.ndarray) -> ApprovalModel:
        """Learn the scaling and the weights from a decisions × features array and 0/1 labels."""
        X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=int)
        scaler = StandardScaler().fit(X)
        logistic = LogisticRegression(
            C=self.C, class_weight=self.class_weight, random_state=self.random_state
        ).fit(scaler.transform(X), y)
        self.mean_, self.scale_ = scaler.mean_, scaler.scale_
        self.coef_, self.intercept_ = logistic.coef_.ravel(), float(logistic.intercept_[0])
        self.classes_ = logistic.classes_
        self.n_features_in_ = X.shape[1]
        return self

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        z = (np.asarray(X, dtype=float) - self.mean_) / self.scale_
        return z @ self.coef_ + self.intercept_

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Per row: [probability of rejection, probability of approval]."""
        approve = 1.0 / (1.0 + np.exp(-self.decision_function(X)))
        return np.column_stack([1.0 - approve, approve])

    def predict(self, X: np.ndarray) -> np.ndarray:
        return (self.decision_function(X) > 0).astype(int)

    def to_parameters(self) -> dict[str, Any]:
        """The fitted state as plain JSON values."""
        return {
            "C": self.C,
            "class_weight": self.class_weight,
            "mean": [float(v) for v in self.mean_],
            "scale": [float(v) for v in self.scale_],
            "coef": [float(v) for v in self.coef_],
            "intercept": self.intercept_,
        }

    @classmethod
    def from_parameters(cls, parameters: Mapping[str, Any]) -> ApprovalModel:
        """A fitted model from ``to_parameters`` output, without refitting."""
        model = cls(C=parameters["C"], class_weight=parameters["class_weight"])
        model.mean_ = np.asarray(parameters["mean"], dtype=float)
        model.scale_ = np.asarray(parameters["scale"], dtype=float)
        model.coef_ = np.asarray(parameters["coef"], dtype=float)
        model.intercept_ = float(parameters["intercept"])
        model.classes_ = np.array([0, 1])
        model.n_features_in_ = len(model.coef_)
        return model


def feature_matrix(rows: Iterable[Mapping[str, float]], names: Sequence[str]) -> np.ndarray:
    """Rows of named features as an array over ``names``; a missing feature is 0."""
    return np.array(
        [[float(row.get(name, 0.0) or 0.0) for name in names] for row in rows], dtype=float
    ).reshape(-1, len(names))
