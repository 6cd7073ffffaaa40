"""What is weighed besides skills, and how it combines with the skill score into one score.

The score of a pair is ``skill × language × travel × hours × wish``: the skill score (a cosine in
[0, 1], see index.py) times one factor per other feature, each at most 1. Multiplying keeps the
skill score dominant (no skills, no score, whatever else fits) while a missing language still
costs a lot. The factors are fixed here, not learnt; the second stage (learning.py) learns from
``Match.features``, which keeps every one of them.

Each feature also gives a code for the explanation: FIT_CODES lists them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from matcher.profiles.models import Cefr

CEFR_ORDER = {level: rank for rank, level in enumerate(Cefr, start=1)}  # A1 < ... < C2 < native

# Factor per code. Language: a needed language the client lacks makes the job hard to do and
# unsafe to take (contracts, instructions), so it costs most. Travel: there is no geodata, only
# whether the place is the client's own; another place may still be near, so it costs little.
LANGUAGE_FACTORS = {"meets": 1.0, "below": 0.6, "missing": 0.3}
TRAVEL_FACTORS = {"same_place": 1.0, "other_place": 0.85, "unknown": 0.85}
HOURS_FACTORS = {"fits": 1.0, "fewer": 0.9, "more": 0.8}
WISH_FACTORS = {"occupation": 1.0, "isco_group": 0.95, "sector": 0.92, "none": 0.85}
# Hours within this many of the client's count as fitting.
HOURS_SLACK = 4

FIT_CODES = {
    "language": tuple(LANGUAGE_FACTORS),
    "travel": tuple(TRAVEL_FACTORS),
    "hours": tuple(HOURS_FACTORS),
    "wish": tuple(WISH_FACTORS),
}


@dataclass(frozen=True)
class ClientFit:
    """The client's side of the non-skill features, normalised."""

    languages: Mapping[str, int]  # language → CEFR rank
    region: str  # normalise_name; "" when unknown
    hours_per_week: int | None
    wished_occupations: frozenset[str]
    wished_groups: frozenset[str]  # ISCO groups of the wished occupations
    wished_sectors: frozenset[str]  # normalise_name


@dataclass(frozen=True)
class VacancyFit:
    """The vacancy's side of the non-skill features, normalised."""

    languages: Mapping[str, int]  # language → lowest CEFR rank that will do
    place: str  # normalise_name
    hours_per_week: int
    occupation_uri: str | None
    isco_group: str | None
    sector: str  # normalise_name: the vacancy's, else the employer's


def language_fit(client: ClientFit, vacancy: VacancyFit) -> str:
    """'meets' when the client has every needed language at the level, else the worst gap."""
    worst = "meets"
    for language, needed in vacancy.languages.items():
        has = client.languages.get(language)
        if has is None:
            return "missing"
        if has < needed:
            worst = "below"
    return worst


def travel_fit(client: ClientFit, vacancy: VacancyFit) -> str:
    """Whether the work is in the client's own place; anything more would need geodata."""
    if not client.region:
        return "unknown"
    return "same_place" if client.region == vacancy.place else "other_place"


def hours_fit(client: ClientFit, vacancy: VacancyFit) -> str:
    """The vacancy's hours against the hours the client wants: fits, more or fewer."""
    if client.hours_per_week is None:
        return "fits"
    difference = vacancy.hours_per_week - client.hours_per_week
    if abs(difference) <= HOURS_SLACK:
        return "fits"
    return "more" if difference > 0 else "fewer"


def wish_fit(client: ClientFit, vacancy: VacancyFit) -> str:
    """The closest wish the vacancy meets: its occupation, its ISCO group, its sector, or none."""
    if vacancy.occupation_uri and vacancy.occupation_uri in client.wished_occupations:
        return "occupation"
    if vacancy.isco_group and vacancy.isco_group in client.wished_groups:
        return "isco_group"
    if vacancy.sector and vacancy.sector in client.wished_sectors:
        return "sector"
    return "none"


def fit_codes(client: ClientFit, vacancy: VacancyFit) -> dict[str, str]:
    """Every feature's code for the explanation."""
    return {
        "language": language_fit(client, vacancy),
        "travel": travel_fit(client, vacancy),
        "hours": hours_fit(client, vacancy),
        "wish": wish_fit(client, vacancy),
    }


def fit_factors(codes: Mapping[str, str]) -> dict[str, float]:
    """The factor of each feature's code."""
    return {
        "language": LANGUAGE_FACTORS[codes["language"]],
        "travel": TRAVEL_FACTORS[codes["travel"]],
        "hours": HOURS_FACTORS[codes["hours"]],
        "wish": WISH_FACTORS[codes["wish"]],
    }


def combine(skill: float, factors: Mapping[str, float]) -> float:
    """The one score: the skill score times every factor."""
    score = skill
    for value in factors.values():
        score *= value
    return score
