"""What a ranking returns: a match of one client and one vacancy, with its explanation.

Shared by the engine (which makes them), the proposals (which store them as JSON) and the pages
(which show them). Skills are ESCO URIs; the web layer names them in the reader's language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class PartialMatch:
    """A vacancy skill the client does not have, reached through a related skill they do have."""

    skill_uri: str  # the vacancy's skill
    via_uri: str  # the client's broader, narrower or sibling skill


@dataclass(frozen=True)
class Explanation:
    """Why a client and a vacancy were put together, in terms a person can check."""

    matched: tuple[str, ...] = ()  # vacancy skills (essential first) the client has
    partly: tuple[PartialMatch, ...] = ()
    missing_essential: tuple[str, ...] = ()
    # Codes of the hard filters the pair passed (matcher.matching.filters), in the order checked.
    filters_passed: tuple[str, ...] = ()
    # Codes of the other things weighed: e.g. {"language": "meets", "hours": "fewer"}.
    fit: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "matched": list(self.matched),
            "partly": [{"skill": p.skill_uri, "via": p.via_uri} for p in self.partly],
            "missing_essential": list(self.missing_essential),
            "filters_passed": list(self.filters_passed),
            "fit": dict(self.fit),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Explanation:
        return cls(
            matched=tuple(data.get("matched", ())),
            partly=tuple(PartialMatch(p["skill"], p["via"]) for p in data.get("partly", ())),
            missing_essential=tuple(data.get("missing_essential", ())),
            filters_passed=tuple(data.get("filters_passed", ())),
            fit=dict(data.get("fit", {})),
        )


@dataclass(frozen=True)
class Match:
    """One client and one vacancy that passed every hard filter, scored and explained."""

    client_id: int
    vacancy_id: int
    score: float  # what results are ordered by (the second stage's when one is active)
    skill_score: float  # the first-stage skill score
    features: dict[str, float]  # the numbers the score was made from (also for learning)
    explanation: Explanation
    model_version: str
