"""The in-memory ranking index: every open vacancy of a matchable employer, ready to score.

It holds the fitted SkillRanker, ESCO's related-skill map, and one numpy array per thing the
filters and features compare, so that scoring one client against 100,000 vacancies is one sparse
product and a few array operations (issue 5: 20 ms). ``VacancyIndex`` is pure (the bench builds
one without a database); ``get_index`` loads it from the database and caches it per process,
rebuilding when the matching counters (state.py) or the ESCO import (skills/search.py) move.

The arrays only narrow the candidates. The engine checks every pair it returns again from fresh
rows (filters.check_pair), so a stale index can hide a vacancy but never show a forbidden one.
"""

from __future__ import annotations

import inspect
import threading
import weakref
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from matcher.db import utcnow
from matcher.employers.models import EmployerProfile
from matcher.employers.states import MATCHABLE
from matcher.matching import features as F
from matcher.matching.esco_data import (
    load_isco_groups,
    load_occupation_skills,
    load_related_skills,
)
from matcher.matching.filters import (
    ClientLimits,
    EmployerFacts,
    VacancyTerms,
    employer_facts,
    excluded_employer_ids,
    vacancy_terms,
)
from matcher.matching.ranker import SkillRanker
from matcher.matching.state import versions
from matcher.profiles.models import Shift
from matcher.skills.search import data_version
from matcher.vacancies.models import Vacancy, VacancyStatus

SHIFT_BITS = {shift.value: 1 << i for i, shift in enumerate(Shift)}
NO_CODE = -1  # an empty or unknown string never equals another
SCORE_CHUNK = 64  # profiles scored at once: 64 × 100,000 scores is 50 MB
SCALE_SAMPLE = 200


@dataclass(frozen=True)
class VacancyRecord:
    """One vacancy as the index keeps it."""

    id: int
    essential: frozenset[str]
    optional: frozenset[str]
    terms: VacancyTerms
    fit: F.VacancyFit


@dataclass(frozen=True)
class ClientFacts:
    """One client as scoring needs them: skills, the client's side of filters and features."""

    client_id: int
    skills: frozenset[str]
    limits: ClientLimits
    fit: F.ClientFit


class _Codes:
    """Strings as small integers, so comparisons over all vacancies are array operations."""

    def __init__(self) -> None:
        self.codes: dict[str, int] = {}

    def add(self, value: str | None) -> int:
        if not value:
            return NO_CODE
        return self.codes.setdefault(value, len(self.codes))

    def of(self, values: Iterable[str]) -> np.ndarray:
        return np.array([self.codes[v] for v in values if v in self.codes], dtype=np.int64)

    def get(self, value: str) -> int:
        return self.codes.get(value, NO_CODE - 1) if value else NO_CODE - 1


class VacancyIndex:
    """Vacancies, the fitted SkillRanker over their skills, and arrays for filters and features."""

    def __init__(
        self,
        records: Sequence[VacancyRecord],
        employers: Mapping[int, EmployerFacts],
        related: Mapping[str, Sequence[str]],
        *,
        occupation_skills: Mapping[str, tuple[set[str], set[str]]] | None = None,
        isco_groups: Mapping[str, str] | None = None,
        key: Any = None,
    ) -> None:
        self.records = list(records)
        self.isco_groups = dict(isco_groups or {})  # occupation → ISCO group, for wishes
        self.employers = dict(employers)
        self.related = related
        self.key = key
        self.column = {r.id: j for j, r in enumerate(self.records)}
        self.ranker = _fit_ranker(self.records, related, occupation_skills)
        self.scale = self._scale()
        self._build_arrays()

    def __len__(self) -> int:
        return len(self.records)

    def _build_arrays(self) -> None:
        recs = self.records
        self.places, self.sectors, self.occupations, self.groups = (_Codes() for _ in range(4))
        self.employer_id = np.array([r.terms.employer_id for r in recs], dtype=np.int64)
        self.place = np.array([self.places.add(r.terms.place) for r in recs], dtype=np.int64)
        self.sector = np.array([self.sectors.add(r.terms.sector) for r in recs], dtype=np.int64)
        self.employer_sector = np.array(
            [self.sectors.add(self.employers[r.terms.employer_id].sector) for r in recs],
            dtype=np.int64,
        )
        self.wish_sector = np.array([self.sectors.add(r.fit.sector) for r in recs], dtype=np.int64)
        self.housing_bad = np.array(
            [r.terms.housing_tied or r.terms.housing_deducted for r in recs], dtype=bool
        )
        self.shift_bits = np.array(
            [sum(SHIFT_BITS.get(s, 0) for s in r.terms.shifts) for r in recs], dtype=np.int64
        )
        self.closing = np.array([r.terms.closing_date.toordinal() for r in recs], dtype=np.int64)
        self.hours = np.array([r.fit.hours_per_week for r in recs], dtype=np.int64)
        self.occupation = np.array(
            [self.occupations.add(r.fit.occupation_uri) for r in recs], dtype=np.int64
        )
        self.group = np.array([self.groups.add(r.fit.isco_group) for r in recs], dtype=np.int64)
        languages = sorted({lang for r in recs for lang in r.fit.languages})
        # language × vacancy: the lowest CEFR rank that will do, 0 where it is not needed.
        self.language_needs = {
            lang: np.array([r.fit.languages.get(lang, 0) for r in recs], dtype=np.int64)
            for lang in languages
        }

    def _scale(self) -> float:
        """The median raw score of a vacancy's own skills against itself, over a sample."""
        n = len(self.records)
        if n == 0:
            return 1.0
        # Evenly spaced, so the same vacancies give the same scale.
        sample = np.unique(np.linspace(0, n - 1, min(n, SCALE_SAMPLE)).astype(np.intp))
        own = []
        for start in range(0, len(sample), SCORE_CHUNK):
            columns = sample[start : start + SCORE_CHUNK]
            profiles = [self.records[c].essential | self.records[c].optional for c in columns]
            raw = self.ranker.score(profiles)
            own.extend(raw[np.arange(len(columns)), columns])
        scale = float(np.median(own))
        return scale if scale > 0 else 1.0

    def allowed(self, vacancy_ids: Iterable[int]) -> np.ndarray:
        """A mask of the columns of these vacancies (those passing the SQL filters today)."""
        mask = np.zeros(len(self.records), dtype=bool)
        mask[[self.column[i] for i in vacancy_ids if i in self.column]] = True
        return mask

    def skill_scores(self, profiles: Sequence[Iterable[str]]) -> np.ndarray:
        """Profile × vacancy skill scores in [0, 1): the SkillRanker's score, squashed.

        ``1 − exp(−score / scale)`` keeps the ranker's order in both directions and gives the
        other factors and the proposal threshold a fixed range, whatever the ranker's tuning
        does to its raw scale (``scale``: the median score of a vacancy's own skills against it).
        """
        return 1.0 - np.exp(-self.ranker.score(profiles) / self.scale)

    def skill_scores_for(self, profiles: Sequence[Iterable[str]], column: int) -> np.ndarray:
        """The skill scores of many profiles for one vacancy, a chunk of profiles at a time."""
        out = [
            self.skill_scores(profiles[start : start + SCORE_CHUNK])[:, column]
            for start in range(0, len(profiles), SCORE_CHUNK)
        ]
        return np.concatenate(out) if out else np.zeros(0)

    def scores(
        self, clients: Sequence[ClientFacts], allowed: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Client × vacancy scores (-inf where a filter fails or nothing is shared), and skills."""
        skill = self.skill_scores([c.skills for c in clients])
        out = skill.copy()
        for row, client in zip(out, clients, strict=True):
            passes = allowed & self._passes(client.limits)
            row *= self._factors(client.fit)
            row[~passes | (row <= 0)] = -np.inf
        return out, skill

    def _passes(self, limits: ClientLimits) -> np.ndarray:
        """filters.check_pair over every vacancy at once."""
        ex = limits.exclusions
        excluded = list(excluded_employer_ids(limits, self.employers.values()))
        bad = np.isin(self.employer_id, excluded)
        sectors = self.sectors.of(ex.sectors)
        bad |= np.isin(self.sector, sectors) | np.isin(self.employer_sector, sectors)
        bad |= np.isin(self.place, self.places.of(ex.areas))
        if ex.housing_independent:
            bad |= self.housing_bad
        client_bits = sum(SHIFT_BITS.get(s, 0) for s in limits.shifts_not_possible)
        if client_bits:
            bad |= (self.shift_bits & client_bits) != 0
        if limits.work_allowed_from is not None:
            bad |= self.closing < limits.work_allowed_from.toordinal()
        if limits.permit_ends_on is not None:
            bad |= self.closing > limits.permit_ends_on.toordinal()
        return ~bad

    def _factors(self, fit: F.ClientFit) -> np.ndarray:
        """features.fit_factors over every vacancy at once, multiplied together."""
        n = len(self.records)
        missing, below = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
        for lang, needs in self.language_needs.items():
            has = fit.languages.get(lang, 0)
            needed = needs > 0
            missing |= needed & (has == 0)
            below |= needed & (has > 0) & (has < needs)
        lf = F.LANGUAGE_FACTORS
        factor = np.where(missing, lf["missing"], np.where(below, lf["below"], lf["meets"]))
        tf = F.TRAVEL_FACTORS
        if fit.region:
            same = self.place == self.places.get(fit.region)
            factor *= np.where(same, tf["same_place"], tf["other_place"])
        else:
            factor *= tf["unknown"]
        if fit.hours_per_week is not None:
            hf = F.HOURS_FACTORS
            diff = self.hours - fit.hours_per_week
            hours = np.where(diff > F.HOURS_SLACK, hf["more"], hf["fewer"])
            factor *= np.where(np.abs(diff) <= F.HOURS_SLACK, hf["fits"], hours)
        wf = F.WISH_FACTORS
        wish = np.full(n, wf["none"])
        wish[np.isin(self.wish_sector, self.sectors.of(fit.wished_sectors))] = wf["sector"]
        wish[np.isin(self.group, self.groups.of(fit.wished_groups))] = wf["isco_group"]
        wish[np.isin(self.occupation, self.occupations.of(fit.wished_occupations))] = wf[
            "occupation"
        ]
        return factor * wish


def _fit_ranker(
    records: Sequence[VacancyRecord],
    related: Mapping[str, Sequence[str]],
    occupation_skills: Mapping[str, tuple[set[str], set[str]]] | None,
) -> SkillRanker:
    ranker = SkillRanker()
    accepts = inspect.signature(ranker.fit).parameters
    args: dict[str, Any] = {}
    # What the vacancy's occupation implies and its ISCO group, where the ranker takes them.
    if "groups" in accepts:
        args["groups"] = [r.fit.isco_group for r in records]
    if occupation_skills is not None and "occupation_skills" in accepts:
        args["occupation_skills"] = [
            occupation_skills.get(r.fit.occupation_uri or "") for r in records
        ]
    return ranker.fit(
        [r.essential for r in records], [r.optional for r in records], related, **args
    )


def load_index(session: Session, key: Any = None) -> VacancyIndex:
    """Build the index from the database: open vacancies of employers that may be matched."""
    vacancies = session.scalars(
        select(Vacancy)
        .join(EmployerProfile, EmployerProfile.id == Vacancy.employer_id)
        .where(Vacancy.status == VacancyStatus.OPEN, EmployerProfile.status.in_(MATCHABLE))
        .options(selectinload(Vacancy.skills), selectinload(Vacancy.languages))
        .order_by(Vacancy.id)
    ).all()
    employer_ids = {v.employer_id for v in vacancies}
    employers = {
        p.id: employer_facts(p)
        for p in session.scalars(
            select(EmployerProfile).where(EmployerProfile.id.in_(employer_ids))
        )
    }
    groups = load_isco_groups(session)
    records = [vacancy_record(v, employers[v.employer_id], groups) for v in vacancies]
    return VacancyIndex(
        records,
        employers,
        load_related_skills(session),
        occupation_skills=load_occupation_skills(session),
        isco_groups=groups,
        key=key,
    )


def vacancy_record(
    vacancy: Vacancy, employer: EmployerFacts, groups: Mapping[str, str]
) -> VacancyRecord:
    """A vacancy row as the index keeps it."""
    terms = vacancy_terms(vacancy)
    return VacancyRecord(
        id=vacancy.id,
        essential=frozenset(s.skill_uri for s in vacancy.skills if s.essential),
        optional=frozenset(s.skill_uri for s in vacancy.skills if not s.essential),
        terms=terms,
        fit=F.VacancyFit(
            languages={lang.language: F.CEFR_ORDER[lang.level] for lang in vacancy.languages},
            place=terms.place,
            hours_per_week=vacancy.hours_per_week,
            occupation_uri=vacancy.occupation_uri,
            isco_group=groups.get(vacancy.occupation_uri or ""),
            sector=terms.sector or employer.sector,
        ),
    )


class _IndexCache:
    """One index per database connection target per process, rebuilt when the counters move."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entry: tuple[weakref.ref, VacancyIndex] | None = None

    def get(self, session: Session, *, rebuild: bool = False) -> VacancyIndex:
        # The bind is the engine in the app and a per-test connection in the tests, so a test
        # never sees another test's rolled-back vacancies through the cache.
        bind = session.get_bind()
        key = (tuple(sorted(versions(session).items())), data_version(session))
        entry = self._entry
        if not rebuild and entry and entry[0]() is bind and entry[1].key == key:
            return entry[1]
        with self._lock:
            index = load_index(session, key)
            self._entry = (weakref.ref(bind), index)
            return index

    def clear(self) -> None:
        self._entry = None


_cache = _IndexCache()


def get_index(session: Session, *, rebuild: bool = False) -> VacancyIndex:
    """The process's ranking index, built on first use and when something it holds changed."""
    return _cache.get(session, rebuild=rebuild)


def clear_index_cache() -> None:
    """Forget the cached index (tests; after loading data behind the counters' back)."""
    _cache.clear()


def today_or(today: date | None) -> date:
    """Today, unless a day is given (tests and the scheduler pass one)."""
    return today or utcnow().date()
