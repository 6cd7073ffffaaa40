"""The matching engine: vacancies for a client, clients for a vacancy, and a full re-rank.

Every result passed every hard filter (filters.py) twice: once over the whole index as arrays,
to choose candidates, and once more from fresh rows for each pair returned, so neither a stale
index nor any score can put a forbidden pair in front of a person. The pure engine functions
take ids; the ``view_*`` services take the person asking and check what they may see.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TextIO

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from matcher.accounts.models import Role, User
from matcher.audit.services import record_event
from matcher.employers.models import EmployerProfile
from matcher.errors import Forbidden, NotFound
from matcher.matching import features as F
from matcher.matching.explain import explain
from matcher.matching.filters import (
    FILTER_CODES,
    ClientLimits,
    EmployerFacts,
    VacancyTerms,
    check_pair,
    client_limits,
    clients_limits,
    eligible_vacancies,
    eligible_vacancy_ids,
    employer_facts,
    matchable_client_rows,
    matchable_clients,
    vacancy_terms,
)
from matcher.matching.index import (
    ClientFacts,
    KeptPerProcess,
    VacancyIndex,
    VacancyRecord,
    get_index,
    today_or,
)
from matcher.matching.learning import apply_reranker
from matcher.matching.results import Match
from matcher.matching.state import CLIENTS, versions
from matcher.profiles.access import view_client
from matcher.profiles.consent import may_be_matched
from matcher.profiles.models import CHANGED as CLIENTS_CHANGED
from matcher.profiles.models import Client
from matcher.profiles.safety import IN_BATCH, normalise_name
from matcher.progress import Progress
from matcher.vacancies.models import Vacancy

MODEL_VERSION = "skills-1"
CHUNK = 64  # clients scored at once by rank_all: 64 × 100,000 scores is 50 MB
POOL = 3  # the second stage re-orders this many times ``top`` first-stage matches
FRESH_MARGIN = 10  # extra candidates checked on fresh rows, in case some fail

Fresh = dict[int, tuple[VacancyTerms, EmployerFacts] | None]


def rank_vacancies_for_client(
    session: Session, client_id: int, *, today: date | None = None, top: int = 10
) -> list[Match]:
    """The best open vacancies for a client who may be matched, best first."""
    today = today_or(today)
    client = session.get(Client, client_id)
    if client is None:
        raise NotFound("No client %(id)s.", id=client_id)
    if not may_be_matched(session, client, today):
        return []
    eligible = eligible_vacancy_ids(session, today)
    index = _current_index(session, eligible)
    facts = client_facts(session, client, index)
    (skills,) = index.skill_scores([facts.skills])
    allowed = index.allowed(eligible)
    matches = _best_matches(session, index, facts, skills, allowed, top * POOL, today, {})
    return apply_reranker(session, matches)[:top]


def rank_clients_for_vacancy(
    session: Session, vacancy_id: int, *, today: date | None = None, top: int = 10
) -> list[Match]:
    """The best clients who may be matched for an open vacancy, best first."""
    today = today_or(today)
    if session.get(Vacancy, vacancy_id) is None:
        raise NotFound("No vacancy %(id)s.", id=vacancy_id)
    fresh = _fresh_terms(session, [vacancy_id], today, {})
    if fresh[vacancy_id] is None:
        return []  # closed, past its date or its employer may not be matched now
    terms, employer = fresh[vacancy_id]
    index = _current_index(session, {vacancy_id})
    column = index.column[vacancy_id]
    candidates = [
        facts
        for facts in matchable_client_facts(session, index, today)
        if check_pair(facts.limits, terms, employer) is not None
    ]
    skills = index.skill_scores_for([c.skills for c in candidates], column)
    # Scored without their explanations, which only the clients shown need.
    ranked = sorted(
        (
            (-_score(index.records[column], facts, float(skill)), facts.client_id)
            for facts, skill in zip(candidates, skills, strict=True)
            if skill > 0
        )
    )
    # The candidates may come from the cache: the ones shown are read and filtered again. Only
    # a change made behind the counters' back makes some fail; then look further down the list.
    matches: list[Match] = []
    start, k = 0, top + FRESH_MARGIN
    while len(matches) < top and start < len(ranked):
        chosen = [client_id for _, client_id in ranked[start : start + k]]
        matches += _fresh_client_matches(session, index, chosen, column, terms, employer, today)
        start, k = start + len(chosen), min(2 * k, IN_BATCH)
    matches.sort(key=lambda m: (-m.score, m.client_id))
    return matches[:top]


def _fresh_client_matches(
    session: Session,
    index: VacancyIndex,
    chosen: list[int],
    column: int,
    terms: VacancyTerms,
    employer: EmployerFacts,
    today: date,
) -> list[Match]:
    """These clients' matches scored from their rows now; those failing a filter dropped."""
    facts = [
        f
        for f in _load_client_facts(session, index, today, among=chosen)
        if check_pair(f.limits, terms, employer) is not None
    ]
    skills = index.skill_scores_for([f.skills for f in facts], column)
    return [
        _match(index, f, column, float(skill))
        for f, skill in zip(facts, skills, strict=True)
        if skill > 0
    ]


def matchable_client_facts(session: Session, index: VacancyIndex, today: date) -> list[ClientFacts]:
    """Every client who may be matched today, as scoring sees them, in client id order.

    Kept between requests: a vacancy's clients page ranks all of them on every view, and reading
    them (some 300 clients with skills, languages, wishes, limits and consents) was most of its
    time. The key holds the index's own (ESCO data and the vacancies its wished groups come
    from), the clients counter, which every change to a client's side of matching moves
    (matcher/profiles/models.py), and the day, on which consents begin and end.
    """
    if index.key is None or session.info.get(CLIENTS_CHANGED):
        # An index built outside the cache, or clients changed in this very transaction (not
        # yet counted, perhaps never committed): read them as this session sees them.
        return _load_client_facts(session, index, today)
    key = (index.key, versions(session)[CLIENTS], today)
    return _pool.get(session, key, lambda: _load_client_facts(session, index, today))


_pool: KeptPerProcess[list[ClientFacts]] = KeptPerProcess()


def _load_client_facts(
    session: Session, index: VacancyIndex, today: date, among: list[int] | None = None
) -> list[ClientFacts]:
    rows = matchable_client_rows(session, today, among)
    limits = clients_limits(session, rows)
    return [client_facts(session, row, index, limits[row.id]) for row in rows]


def rank_all(
    session: Session,
    *,
    today: date | None = None,
    top: int = 10,
    progress: TextIO | None = None,
) -> Iterator[tuple[int, list[Match]]]:
    """Re-rank every client who may be matched: (client id, best matches), in client id order."""
    today = today_or(today)
    clients = matchable_clients(session, today)
    eligible = eligible_vacancy_ids(session, today)
    index = _current_index(session, eligible)
    allowed = index.allowed(eligible)
    bar = Progress("Re-ranking clients", len(clients), progress) if progress else None
    fresh: Fresh = {}  # one fresh look at each vacancy for the whole run
    for start in range(0, len(clients), CHUNK):
        some = clients[start : start + CHUNK]
        limits = clients_limits(session, some)
        chunk = [client_facts(session, c, index, limits[c.id]) for c in some]
        skills = index.skill_scores([c.skills for c in chunk])
        for facts, row in zip(chunk, skills, strict=True):
            matches = _best_matches(session, index, facts, row, allowed, top * POOL, today, fresh)
            yield facts.client_id, apply_reranker(session, matches)[:top]
        if bar:
            bar.advance(len(chunk))
    if bar:
        bar.finish()


def client_facts(
    session: Session, client: Client, index: VacancyIndex, limits: ClientLimits | None = None
) -> ClientFacts:
    """A client as scoring needs them (skills still on the profile, limits, wishes).

    ``limits``: the client's limits when clients_limits read them for many clients at once.
    """
    wished = [w.occupation_uri for w in client.wishes if w.occupation_uri]
    return ClientFacts(
        client_id=client.id,
        skills=frozenset(s.skill_uri for s in client.skills if s.removed_at is None),
        limits=client_limits(session, client) if limits is None else limits,
        fit=F.ClientFit(
            languages={lang.language: F.CEFR_ORDER[lang.level] for lang in client.languages},
            region=normalise_name(client.region or ""),
            hours_per_week=client.hours_per_week,
            wished_occupations=frozenset(wished),
            wished_groups=frozenset(index.isco_groups[o] for o in wished if o in index.isco_groups),
            wished_sectors=frozenset(normalise_name(w.sector) for w in client.wishes if w.sector),
        ),
    )


def _current_index(session: Session, eligible: set[int]) -> VacancyIndex:
    index = get_index(session)
    if not eligible.issubset(index.column):
        # A vacancy opened without a counter moving: build again rather than hide it.
        index = get_index(session, rebuild=True)
    return index


def _best_matches(
    session: Session,
    index: VacancyIndex,
    facts: ClientFacts,
    skills: np.ndarray,
    allowed: np.ndarray,
    want: int,
    today: date,
    fresh: Fresh,
) -> list[Match]:
    """The ``want`` best candidates that also pass every filter on fresh rows, best first."""
    k, passed = want + FRESH_MARGIN, []
    while True:
        columns, _, skill = index.best(facts, skills, allowed, k)
        records = [index.records[c] for c in columns]
        _fresh_terms(session, [r.id for r in records], today, fresh)
        passed = [
            _match(index, facts, int(column), float(s))
            for column, s, record in zip(columns, skill, records, strict=True)
            if fresh[record.id] is not None
            and check_pair(facts.limits, *fresh[record.id]) is not None
        ]
        # Only a stale index makes the fresh check fail; then look further down the list.
        if len(passed) >= want or len(columns) < k:
            break
        k *= 2
    passed.sort(key=lambda m: (-m.score, m.vacancy_id))
    return passed[:want]


def _fresh_terms(session: Session, ids: Sequence[int], today: date, fresh: Fresh) -> Fresh:
    """The filters' view of these vacancies from the database now; None for one failing SQL."""
    wanted = [i for i in ids if i not in fresh]
    if wanted:
        rows = session.execute(
            select(Vacancy, EmployerProfile)
            .join(EmployerProfile, EmployerProfile.id == Vacancy.employer_id)
            .where(Vacancy.id.in_(eligible_vacancies(today).where(Vacancy.id.in_(wanted))))
        ).all()
        found = {v.id: (vacancy_terms(v), employer_facts(e)) for v, e in rows}
        for i in wanted:
            fresh[i] = found.get(i)
    return fresh


def _score(record: VacancyRecord, facts: ClientFacts, skill: float) -> float:
    """_match's score alone: cheap, to order many candidates before explaining a few."""
    return _combined(skill, F.fit_factors(F.fit_codes(facts.fit, record.fit)))


def _combined(skill: float, factors: dict[str, float]) -> float:
    score = F.combine(skill, factors)
    return score if math.isfinite(score) else 0.0


def _match(index: VacancyIndex, facts: ClientFacts, column: int, skill: float) -> Match:
    record = index.records[column]
    codes = F.fit_codes(facts.fit, record.fit)
    factors = F.fit_factors(codes)
    explanation = explain(
        record.essential,
        record.optional,
        facts.skills,
        index.related,
        filters_passed=FILTER_CODES,  # only pairs that passed them all get here
        fit=codes,
    )
    n_essential = len(record.essential)
    matched_essential = len(record.essential & facts.skills)
    features = {
        "skill": skill,
        **factors,
        "matched": float(len(explanation.matched)),
        "partly": float(len(explanation.partly)),
        "missing_essential": float(len(explanation.missing_essential)),
        "essential_share": matched_essential / n_essential if n_essential else 0.0,
    }
    score = _combined(skill, factors)
    return Match(
        client_id=facts.client_id,
        vacancy_id=record.id,
        score=score,
        skill_score=skill,
        features=features,
        explanation=explanation,
        model_version=MODEL_VERSION,
    )


@dataclass(frozen=True)
class ClientMatches:
    """What the client's matches page shows."""

    client: Client
    may_be_matched: bool
    matches: list[Match]
    vacancies: dict[int, Vacancy]


@dataclass(frozen=True)
class VacancyMatches:
    """What the vacancy's matches page shows: clients by code only."""

    vacancy: Vacancy
    matchable: bool  # the vacancy passes the SQL filters today
    matches: list[Match]
    client_codes: dict[int, str]


def view_client_matches(
    session: Session, user: User, client_id: int, *, today: date | None = None, top: int = 10
) -> ClientMatches:
    """Show a coach of the client's organisation, or a mediator, the client's best vacancies."""
    today = today_or(today)
    client = view_client(session, user, client_id)
    matches = rank_vacancies_for_client(session, client.id, today=today, top=top)
    ids = [m.vacancy_id for m in matches]
    vacancies = session.scalars(
        select(Vacancy).where(Vacancy.id.in_(ids)).options(selectinload(Vacancy.employer))
    )
    return ClientMatches(
        client=client,
        may_be_matched=may_be_matched(session, client, today),
        matches=matches,
        vacancies={v.id: v for v in vacancies},
    )


def view_vacancy_matches(
    session: Session, user: User, vacancy_id: int, *, today: date | None = None, top: int = 10
) -> VacancyMatches:
    """Show a mediator the best clients for a vacancy, by code (a view of clients, so audited)."""
    if user.role != Role.MEDIATOR:
        raise Forbidden("Only a mediator sees the clients matched with a vacancy.")
    today = today_or(today)
    vacancy = session.get(Vacancy, vacancy_id)
    if vacancy is None:
        raise NotFound("No vacancy %(id)s.", id=vacancy_id)
    matches = rank_clients_for_vacancy(session, vacancy_id, today=today, top=top)
    client_ids = [m.client_id for m in matches]
    codes = dict(
        session.execute(select(Client.id, Client.code).where(Client.id.in_(client_ids))).all()
    )
    record_event(
        session, user, "view_matches", "vacancy", vacancy.id, details={"clients": client_ids}
    )
    return VacancyMatches(
        vacancy=vacancy,
        matchable=bool(eligible_vacancy_ids(session, today, among=[vacancy_id])),
        matches=matches,
        client_codes=codes,
    )
