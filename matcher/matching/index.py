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
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

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
    vacancy_terms,
)
from matcher.matching.ranker import SkillRanker
from matcher.matching.state import EMPLOYERS, VACANCIES, versions
from matcher.profiles.models import Shift
from matcher.skills.search import data_version
from matcher.vacancies.models import Vacancy, VacancyStatus

T = TypeVar("T")

SHIFT_BITS = {shift.value: 1 << i for i, shift in enumerate(Shift)}
NO_CODE = -1  # an empty or unknown string never equals another
SCORE_CHUNK = 64  # profiles scored at once: 64 × 100,000 scores is 50 MB
SCALE_SAMPLE = 200
CANDIDATES = 256  # vacancies with the best skill scores that filters and factors first run on


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
        # Employers by position, and where each name and number leads, so a client's employer
        # limits resolve to positions without a scan over every employer.
        self.employer_position = {e: i for i, e in enumerate(self.employers)}
        self.by_name: dict[str, set[int]] = {}
        self.by_number: dict[str, set[int]] = {}
        for facts in self.employers.values():
            for name in facts.names:
                self.by_name.setdefault(name, set()).add(facts.id)
            for number in facts.numbers:
                self.by_number.setdefault(number, set()).add(facts.id)
        employer = [self.employer_position[r.terms.employer_id] for r in recs]
        self.employer = np.array(employer, dtype=np.int32)
        self.place = _codes([self.places.add(r.terms.place) for r in recs])
        self.sector = _codes([self.sectors.add(r.terms.sector) for r in recs])
        self.employer_sector = _codes(
            [self.sectors.add(self.employers[r.terms.employer_id].sector) for r in recs]
        )
        self.wish_sector = _codes([self.sectors.add(r.fit.sector) for r in recs])
        self.housing_bad = np.array(
            [r.terms.housing_tied or r.terms.housing_deducted for r in recs], dtype=bool
        )
        self.shift_bits = np.array(
            [sum(SHIFT_BITS.get(s, 0) for s in r.terms.shifts) for r in recs], dtype=np.int8
        )
        self.closing = np.array([r.terms.closing_date.toordinal() for r in recs], dtype=np.int64)
        self.hours = np.array([r.fit.hours_per_week for r in recs], dtype=np.int16)
        self.occupation = _codes([self.occupations.add(r.fit.occupation_uri) for r in recs])
        self.group = _codes([self.groups.add(r.fit.isco_group) for r in recs])
        self.languages = sorted({lang for r in recs for lang in r.fit.languages})
        # language × vacancy: the lowest CEFR rank that will do, 0 where it is not needed.
        self.language_needs = np.array(
            [[r.fit.languages.get(lang, 0) for r in recs] for lang in self.languages],
            dtype=np.int8,
        ).reshape(len(self.languages), len(recs))

    def _scale(self) -> float:
        """The median raw score of a vacancy's own skills against itself, over a sample."""
        n = len(self.records)
        if n == 0:
            return 1.0
        # Evenly spaced, so the same vacancies give the same scale.
        sample = np.unique(np.linspace(0, n - 1, min(n, SCALE_SAMPLE)).astype(np.intp))
        profiles = [self.records[c].essential | self.records[c].optional for c in sample]
        # Each sampled vacancy's own column only: the diagonal of sample × sample.
        own = np.diagonal(self.ranker.score_columns(profiles, sample))
        scale = float(np.median(own))
        return scale if scale > 0 else 1.0

    def allowed(self, vacancy_ids: Iterable[int]) -> np.ndarray:
        """A mask of the columns of these vacancies (those passing the SQL filters today)."""
        mask = np.zeros(len(self.records), dtype=bool)
        mask[[self.column[i] for i in vacancy_ids if i in self.column]] = True
        return mask

    def skill_scores(self, profiles: Sequence[Iterable[str]]) -> np.ndarray:
        """Profile × vacancy skill scores in [0, 1): the SkillRanker's score, squashed.

        ``score / (score + scale / 2)`` keeps the ranker's order in both directions and gives the
        other factors and the proposal threshold a fixed range, whatever the ranker's tuning does
        to its raw scale. ``scale`` is the median score of a vacancy's own skills against it, so
        a client with all of a typical vacancy's skills scores about 2/3.
        """
        scores = self.ranker.score(profiles)
        np.maximum(scores, 0.0, out=scores)
        # In place: this runs over every vacancy for every client.
        return np.divide(scores, scores + self.scale / 2, out=scores)

    def skill_scores_for(self, profiles: Sequence[Iterable[str]], column: int) -> np.ndarray:
        """The skill scores of many profiles for one vacancy: ``skill_scores(...)[:, column]``.

        Only the vacancy's column is computed (SkillRanker.score_columns), so one vacancy's
        clients cost milliseconds, not a re-rank of every client against every vacancy.
        """
        (scores,) = self.ranker.score_columns(profiles, [column]).T
        np.maximum(scores, 0.0, out=scores)
        return np.divide(scores, scores + self.scale / 2, out=scores)

    def rank(
        self, clients: Sequence[ClientFacts], allowed: np.ndarray, k: int
    ) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Per client: the columns of the ``k`` best vacancies passing every filter, best first
        (ties in column order), with their scores and skill scores."""
        skill = self.skill_scores([c.skills for c in clients])
        return [self.best(c, row, allowed, k) for c, row in zip(clients, skill, strict=True)]

    def best(
        self, client: ClientFacts, skill: np.ndarray, allowed: np.ndarray, k: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """One client's ``k`` best columns, scores and skill scores, given its skill scores.

        Every factor is at most 1, so a vacancy's score is at most its skill score: filters and
        factors need only run over the vacancies with the highest skill scores, widening the
        candidates until the k-th score found beats every skill score left out (exact, not an
        approximation). That keeps the work per client to one argpartition over the vacancies.
        """
        n = len(self.records)
        if k <= 0 or n == 0:
            empty = np.zeros(0)
            return empty.astype(np.intp), empty, empty
        size = min(n, max(CANDIDATES, 4 * k))
        while True:
            columns = np.arange(n) if size >= n else np.argpartition(-skill, size - 1)[:size]
            s = skill[columns]
            ok = self._passes(client.limits, columns)
            ok &= allowed[columns]
            ok &= s > 0
            scores = np.where(ok, s * self._factors(client.fit, columns), -np.inf)
            found = np.sort(scores[ok])[::-1]
            left_out = s.min() if size < n else 0.0
            if size >= n or left_out <= 0 or (len(found) >= k and found[k - 1] > left_out):
                break
            size *= 4
        order = np.lexsort((columns, -scores))[: min(k, int(ok.sum()))]
        return columns[order], scores[order], s[order]

    def _passes(self, limits: ClientLimits, columns: np.ndarray) -> np.ndarray:
        """filters.check_pair over these columns at once."""
        ex = limits.exclusions
        bad = np.zeros(len(columns), dtype=bool)
        excluded = set(ex.employer_ids)
        for name in ex.firm_names:
            excluded |= self.by_name.get(name, set())
        for number in ex.firm_numbers:
            excluded |= self.by_number.get(number, set())
        positions = [self.employer_position[e] for e in excluded if e in self.employer_position]
        if positions:
            bad |= _table(len(self.employer_position), positions)[self.employer[columns]]
        if ex.sectors:
            table = _table(len(self.sectors.codes), self.sectors.of(ex.sectors))
            bad |= table[self.sector[columns]] | table[self.employer_sector[columns]]
        if ex.areas:
            bad |= _table(len(self.places.codes), self.places.of(ex.areas))[self.place[columns]]
        if ex.housing_independent:
            bad |= self.housing_bad[columns]
        client_bits = sum(SHIFT_BITS.get(s, 0) for s in limits.shifts_not_possible)
        if client_bits:
            bad |= (self.shift_bits[columns] & client_bits) != 0
        if limits.work_allowed_from is not None:
            bad |= self.closing[columns] < limits.work_allowed_from.toordinal()
        if limits.permit_ends_on is not None:
            bad |= self.closing[columns] > limits.permit_ends_on.toordinal()
        return ~bad

    def _factors(self, fit: F.ClientFit, columns: np.ndarray) -> np.ndarray:
        """features.fit_factors over these columns at once, multiplied together.

        Each feature becomes a small code per vacancy (as the FACTORS tables order them); the
        codes combine into one, looked up in a table of the products of the factors.
        """
        n = len(columns)
        has = np.array([fit.languages.get(lang, 0) for lang in self.languages], dtype=np.int8)
        needs = self.language_needs[:, columns]
        # Missing implies below (a need above 0), so below + missing counts 0, 1 or 2.
        language = (needs > has[:, None]).any(axis=0).astype(np.int16)
        if (has == 0).any():
            language += (needs[has == 0] > 0).any(axis=0)
        if fit.region:
            travel = (self.place[columns] != self.places.get(fit.region)).astype(np.int16)
        else:
            travel = np.full(n, 2, dtype=np.int16)
        hours = np.zeros(n, dtype=np.int16)
        if fit.hours_per_week is not None:
            diff = self.hours[columns] - np.int16(fit.hours_per_week)
            hours += (diff < -F.HOURS_SLACK) + 2 * (diff > F.HOURS_SLACK)
        wish = np.full(n, 3, dtype=np.int16)
        for code, wished, codes, values in (
            (2, fit.wished_sectors, self.sectors, self.wish_sector),
            (1, fit.wished_groups, self.groups, self.group),
            (0, fit.wished_occupations, self.occupations, self.occupation),
        ):
            if wished:
                wish[_table(len(codes.codes), codes.of(wished))[values[columns]]] = code
        code = ((language * 3 + travel) * 3 + hours) * 4 + wish
        return _FACTOR_TABLE[code]


def _codes(values: list[int]) -> np.ndarray:
    return np.array(values, dtype=np.int32)


def _table(size: int, true_at: Iterable[int]) -> np.ndarray:
    """A lookup table of ``size`` + 1 entries; the last is for NO_CODE (-1) and stays False."""
    table = np.zeros(size + 1, dtype=bool)
    table[np.fromiter(true_at, dtype=np.int64)] = True
    table[-1] = False
    return table


def _factor_table() -> np.ndarray:
    """The product of the four factors for every combination of codes, in _factors' order."""
    table = np.empty(3 * 3 * 3 * 4)
    for li, lf in enumerate(F.LANGUAGE_FACTORS.values()):
        for ti, tf in enumerate(F.TRAVEL_FACTORS.values()):
            for hi, hf in enumerate(F.HOURS_FACTORS.values()):
                for wi, wf in enumerate(F.WISH_FACTORS.values()):
                    table[((li * 3 + ti) * 3 + hi) * 4 + wi] = lf * tf * hf * wf
    return table


_FACTOR_TABLE = _factor_table()


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


class KeptPerProcess(Generic[T]):
    """One value per process, for one database and key at a time, loaded again when either
    changes. The bind is the engine in the app and a per-test connection in the tests, so a
    test never sees another test's rolled-back rows through it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entry: tuple[weakref.ref, Hashable, T] | None = None

    def get(
        self, session: Session, key: Hashable, load: Callable[[], T], *, reload: bool = False
    ) -> T:
        bind, entry = session.get_bind(), self._entry
        if not reload and entry and entry[0]() is bind and entry[1] == key:
            return entry[2]
        with self._lock:
            value = load()
            self._entry = (weakref.ref(bind), key, value)
            return value

    def clear(self) -> None:
        self._entry = None


_cache: KeptPerProcess[VacancyIndex] = KeptPerProcess()


def get_index(session: Session, *, rebuild: bool = False) -> VacancyIndex:
    """The process's ranking index, built on first use and when something it holds changed."""
    # Not the clients counter: the index holds no client, and every coach's edit moves it
    # (the load bench found each skill saved rebuilding the index, 0.9 s, in every worker).
    counted = versions(session)
    key = (counted[VACANCIES], counted[EMPLOYERS], data_version(session))
    return _cache.get(session, key, lambda: load_index(session, key), reload=rebuild)


def clear_index_cache() -> None:
    """Forget the cached index (tests; after loading data behind the counters' back)."""
    _cache.clear()


def today_or(today: date | None) -> date:
    """Today, unless a day is given (tests and the scheduler pass one)."""
    return today or utcnow().date()
