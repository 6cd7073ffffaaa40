"""Offline ranking on files (`fairmatch match rank`): the app's SkillRanker on JSON lines.

A profile line is {"id", "skills": [uri]}; a vacancy line is {"id", "occupation",
"essential_skills": [uri], "optional_skills": [uri]}. Each profile gets its best vacancies with
the score, the vacancy's skills it has ("matched", exact) and the essential ones it lacks
("missing"). ESCO (related skills, each occupation's skills and ISCO group) comes from the
database through matcher/matching/esco_data.py, so the ranking is the one the app makes.

Profiles are ranked in chunks: 10,000 profiles against 100,000 vacancies never become one dense
10,000 × 100,000 array.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from matcher.errors import ValidationError
from matcher.matching.ranker import SkillRanker

# About 32 MB of float64 scores per chunk, whatever the number of vacancies.
CHUNK_CELLS = 4_000_000


@dataclass(frozen=True)
class OfflineProfile:
    id: Any
    skills: tuple[str, ...]


@dataclass(frozen=True)
class OfflineVacancy:
    id: Any
    occupation: str | None
    essential_skills: tuple[str, ...]
    optional_skills: tuple[str, ...]


def read_profiles(lines: Iterable[str]) -> list[OfflineProfile]:
    """Profiles from JSON lines; a bad line raises ValidationError naming its number."""
    profiles = []
    for number, item in _objects(lines, "profile"):
        profiles.append(OfflineProfile(item["id"], _uris(item, "skills", number, required=True)))
    return profiles


def read_vacancies(lines: Iterable[str]) -> list[OfflineVacancy]:
    """Vacancies from JSON lines; a bad line raises ValidationError naming its number."""
    vacancies = []
    for number, item in _objects(lines, "vacancy"):
        occupation = item.get("occupation")
        if occupation is not None and not isinstance(occupation, str):
            raise ValidationError(
                'Line %(line)s: "occupation" must be an ESCO URI (a string).', line=number
            )
        essential = _uris(item, "essential_skills", number)
        optional = _uris(item, "optional_skills", number)
        vacancies.append(OfflineVacancy(item["id"], occupation, essential, optional))
    return vacancies


def fit_offline_ranker(
    vacancies: Sequence[OfflineVacancy],
    related: Mapping[str, Sequence[str]],
    occupation_skills: Mapping[str, tuple[set[str], set[str]]],
    isco_groups: Mapping[str, str],
) -> SkillRanker:
    """The app's ranker, with its default parameters, fitted on the vacancies of the file."""
    return SkillRanker().fit(
        [v.essential_skills for v in vacancies],
        [v.optional_skills for v in vacancies],
        related,
        groups=[isco_groups.get(v.occupation) if v.occupation else None for v in vacancies],
        occupation_skills=[
            occupation_skills.get(v.occupation) if v.occupation else None for v in vacancies
        ],
    )


def rank_offline(
    ranker: SkillRanker,
    profiles: Sequence[OfflineProfile],
    vacancies: Sequence[OfflineVacancy],
    *,
    top: int = 10,
    advance: Callable[[int], None] | None = None,
) -> Iterator[dict[str, Any]]:
    """Per profile, in input order, its ``top`` vacancies best first, as output lines.

    Only vacancies that score above zero are listed: one that shares nothing with the profile,
    not even through the hierarchy or its ISCO group, is no proposal.
    """
    chunk = max(1, CHUNK_CELLS // max(1, len(vacancies)))
    for start in range(0, len(profiles), chunk):
        part = profiles[start : start + chunk]
        scores = ranker.score([p.skills for p in part])
        for profile, row in zip(part, scores, strict=True):
            results = [_result(profile, vacancies[j], row[j]) for j in _best(row, top)]
            yield {"profile": profile.id, "results": results}
        if advance:
            advance(len(part))


def _best(row: np.ndarray, k: int) -> list[int]:
    """Indices of the ``k`` best positive scores, ties in vacancy order."""
    positive = np.flatnonzero(row > 0)
    if len(positive) > k:
        # Partition first: sorting 100,000 scores per profile is the slow part otherwise.
        kept = positive[np.argpartition(-row[positive], k - 1)[:k]]
        threshold = row[kept].min()
        positive = positive[row[positive] >= threshold]
    order = np.lexsort((positive, -row[positive]))
    return positive[order[:k]].tolist()


def _result(profile: OfflineProfile, vacancy: OfflineVacancy, score: float) -> dict[str, Any]:
    has = set(profile.skills)
    listed = dict.fromkeys(vacancy.essential_skills + vacancy.optional_skills)
    return {
        "vacancy": vacancy.id,
        "score": round(float(score), 6),
        "matched": [uri for uri in listed if uri in has],
        "missing": [uri for uri in vacancy.essential_skills if uri not in has],
    }


def _objects(lines: Iterable[str], kind: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """Each non-blank line as a JSON object with an id not seen before, and its line number."""
    seen: set[Any] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValidationError(
                "Line %(line)s is not valid JSON (%(reason)s).", line=number, reason=exc.msg
            ) from exc
        if not isinstance(item, dict):
            raise ValidationError("Line %(line)s is not a JSON object.", line=number)
        if isinstance(item.get("id"), bool) or not isinstance(item.get("id"), str | int):
            raise ValidationError(
                'Line %(line)s has no "id" (a string or a whole number).', line=number
            )
        if item["id"] in seen:
            raise ValidationError(
                "Line %(line)s repeats the %(kind)s id %(id)s.",
                line=number,
                kind=kind,
                id=json.dumps(item["id"]),
            )
        seen.add(item["id"])
        yield number, item


def _uris(
    item: dict[str, Any], key: str, number: int, *, required: bool = False
) -> tuple[str, ...]:
    value = item.get(key)
    if value is None and not required:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError(
            'Line %(line)s: "%(key)s" must be a list of ESCO URIs (strings).', line=number, key=key
        )
    return tuple(dict.fromkeys(value))
