"""The hard filters of matching: checked before any score, never overridden by one.

A pair of a client and a vacancy is only ever scored, shown or proposed when every filter here
passes. The cheap ones on the vacancy and its employer run in SQL (``eligible_vacancy_ids``); the
client's own (consent, safety limits, shifts, permit) run in Python (``check_pair``), in both
directions, from the same facts. Each filter has a code that goes into
``Explanation.filters_passed`` in the order of ``FILTER_CODES``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from matcher.employers.models import EmployerProfile
from matcher.employers.states import MATCHABLE
from matcher.profiles.consent import may_be_matched_many
from matcher.profiles.models import (
    Client,
    ClientLanguage,
    ClientSkill,
    ClientWish,
    Consent,
    ConsentPurpose,
)
from matcher.profiles.safety import (
    IN_BATCH,
    Exclusions,
    excluded_for,
    excluded_for_many,
    normalise_name,
    normalise_number,
)
from matcher.vacancies.models import Vacancy, VacancyStatus

# In the order they are checked; the web layer names each (web/matching/views.py).
VACANCY_OPEN = "vacancy_open"
NOT_CLOSED = "not_past_closing_date"
EMPLOYER_VETTED = "employer_vetted"
CLIENT_CONSENT = "client_consent"
EMPLOYER_NOT_EXCLUDED = "employer_not_excluded"
SECTOR_NOT_EXCLUDED = "sector_not_excluded"
AREA_NOT_EXCLUDED = "area_not_excluded"
HOUSING_INDEPENDENT = "housing_independent"
SHIFTS_POSSIBLE = "shifts_possible"
WORK_ALLOWED = "work_allowed"

SQL_FILTERS = (VACANCY_OPEN, NOT_CLOSED, EMPLOYER_VETTED)
PAIR_FILTERS = (
    EMPLOYER_NOT_EXCLUDED,
    SECTOR_NOT_EXCLUDED,
    AREA_NOT_EXCLUDED,
    HOUSING_INDEPENDENT,
    SHIFTS_POSSIBLE,
    WORK_ALLOWED,
)
FILTER_CODES = (*SQL_FILTERS, CLIENT_CONSENT, *PAIR_FILTERS)


@dataclass(frozen=True)
class EmployerFacts:
    """What the filters compare a client's employer limits with, normalised."""

    id: int
    names: frozenset[str]  # legal name and trade names, normalise_name
    numbers: frozenset[str]  # KvK and registration numbers, normalise_number
    sector: str  # normalise_name


@dataclass(frozen=True)
class VacancyTerms:
    """The vacancy's fields the pair filters read, normalised."""

    id: int
    employer_id: int
    place: str  # normalise_name
    sector: str  # normalise_name
    shifts: frozenset[str]
    housing_tied: bool  # tied to the contract
    housing_deducted: bool  # deducted from pay
    closing_date: date


@dataclass(frozen=True)
class ClientLimits:
    """Everything a client's own side of the filters needs."""

    client_id: int
    exclusions: Exclusions
    shifts_not_possible: frozenset[str]
    work_allowed_from: date | None
    permit_ends_on: date | None


def employer_facts(profile: EmployerProfile) -> EmployerFacts:
    """An employer as the filters see it."""
    names = [profile.legal_name, *(profile.trade_names or [])]
    numbers = [profile.kvk_number, profile.registration_number]
    return EmployerFacts(
        id=profile.id,
        names=frozenset(normalise_name(n) for n in names if n and n.strip()),
        numbers=frozenset(normalise_number(n) for n in numbers if n and n.strip()),
        sector=normalise_name(profile.sector or ""),
    )


def vacancy_terms(vacancy: Vacancy) -> VacancyTerms:
    """A vacancy as the filters see it."""
    return VacancyTerms(
        id=vacancy.id,
        employer_id=vacancy.employer_id,
        place=normalise_name(vacancy.place or ""),
        sector=normalise_name(vacancy.sector or ""),
        shifts=frozenset(vacancy.shifts or ()),
        housing_tied=bool(vacancy.housing_offered and vacancy.housing_tied_to_contract),
        housing_deducted=bool(vacancy.housing_offered and vacancy.housing_deducted_from_pay),
        closing_date=vacancy.closing_date,
    )


def client_limits(
    session: Session, client: Client, exclusions: Exclusions | None = None
) -> ClientLimits:
    """The client's side of the filters; limits are read only through excluded_for.

    ``exclusions``: what excluded_for_many already read for this client (ranking many at once).
    """
    return ClientLimits(
        client_id=client.id,
        exclusions=excluded_for(session, client) if exclusions is None else exclusions,
        shifts_not_possible=frozenset(client.shifts_not_possible or ()),
        work_allowed_from=client.work_allowed_from,
        permit_ends_on=client.permit_ends_on,
    )


def clients_limits(session: Session, clients: Iterable[Client]) -> dict[int, ClientLimits]:
    """client_limits for many clients, their limits read in one query."""
    clients = list(clients)
    exclusions = excluded_for_many(session, clients)
    return {c.id: client_limits(session, c, exclusions[c.id]) for c in clients}


def eligible_vacancies(today: date) -> Select:
    """The SQL filters: open, not past its closing date, of an employer that may be matched now."""
    return (
        select(Vacancy.id)
        .join(EmployerProfile, EmployerProfile.id == Vacancy.employer_id)
        .where(
            Vacancy.status == VacancyStatus.OPEN,
            Vacancy.closing_date >= today,
            EmployerProfile.status.in_(MATCHABLE),
        )
    )


def eligible_vacancy_ids(
    session: Session, today: date, among: Collection[int] | None = None
) -> set[int]:
    """Ids of the vacancies that pass the SQL filters today (of ``among`` when given)."""
    query = eligible_vacancies(today)
    if among is not None:
        query = query.where(Vacancy.id.in_(list(among)))
    return set(session.scalars(query))


def matchable_clients(session: Session, today: date) -> list[Client]:
    """Clients who may be matched today, in id order; consent is decided in profiles/consent.py.

    The SQL only narrows the candidates to clients with an unwithdrawn matching consent; they are
    then confirmed by may_be_matched_many, so the consent rule lives in one place.
    """
    candidates = session.scalars(
        select(Client)
        # What ranking reads of each client, loaded for all of them at once (no query per client).
        .options(
            selectinload(Client.skills),
            selectinload(Client.languages),
            selectinload(Client.wishes),
        )
        .where(Client.erased_at.is_(None), Client.id.in_(_unwithdrawn_matching_consent()))
        .order_by(Client.id)
    ).all()
    allowed = may_be_matched_many(session, candidates, today)
    return [c for c in candidates if c.id in allowed]


@dataclass
class ClientRow:
    """The columns of a client that ranking reads, named as on Client, so client_facts,
    client_limits and excluded_for_many take it in place of a client.

    A vacancy's clients page ranks every matchable client on each request; whole clients with
    their skills, languages and wishes as ORM objects (some 4,700 for 300 clients) made most of
    its time.
    """

    id: int
    region: str
    hours_per_week: int | None
    shifts_not_possible: list[str]
    work_allowed_from: date | None
    permit_ends_on: date | None
    housing_independent: bool
    erased_at: datetime | None = None
    skills: list[Any] = field(default_factory=list)  # rows: skill_uri, removed_at
    languages: list[Any] = field(default_factory=list)  # rows: language, level
    wishes: list[Any] = field(default_factory=list)  # rows: occupation_uri, sector


def matchable_client_rows(
    session: Session, today: date, among: Collection[int] | None = None
) -> list[ClientRow]:
    """matchable_clients as ClientRow: the same clients, only the columns ranking reads.

    ``among``: only these clients (those about to be shown, read again).
    """
    query = (
        select(
            Client.id, Client.region, Client.hours_per_week, Client.shifts_not_possible,
            Client.work_allowed_from, Client.permit_ends_on, Client.housing_independent,
        )
        .where(Client.erased_at.is_(None), Client.id.in_(_unwithdrawn_matching_consent()))
        .order_by(Client.id)
    )  # fmt: skip
    if among is not None:
        query = query.where(Client.id.in_(list(among)))
    rows = [ClientRow(*row) for row in session.execute(query)]
    allowed = may_be_matched_many(session, rows, today)
    by_id = {row.id: row for row in rows if row.id in allowed}
    ids = list(by_id)
    for start in range(0, len(ids), IN_BATCH):
        some = ids[start : start + IN_BATCH]
        for attr, owner, columns in (
            ("skills", ClientSkill.client_id, (ClientSkill.skill_uri, ClientSkill.removed_at)),
            (
                "languages",
                ClientLanguage.client_id,
                (ClientLanguage.language, ClientLanguage.level),
            ),
            ("wishes", ClientWish.client_id, (ClientWish.occupation_uri, ClientWish.sector)),
        ):
            found: dict[int, list[Any]] = defaultdict(list)
            for row in session.execute(select(owner, *columns).where(owner.in_(some))):
                found[row.client_id].append(row)
            for client_id in some:
                setattr(by_id[client_id], attr, found[client_id])
    return list(by_id.values())


def _unwithdrawn_matching_consent() -> Select:
    return select(Consent.client_id).where(
        Consent.purpose == ConsentPurpose.MATCHING, Consent.withdrawn_at.is_(None)
    )


def excluded_employer_ids(limits: ClientLimits, employers: Iterable[EmployerFacts]) -> set[int]:
    """The employers a client's limits exclude: named by id, or by a name or number they carry."""
    ex = limits.exclusions
    return {
        e.id
        for e in employers
        if e.id in ex.employer_ids or e.names & ex.firm_names or e.numbers & ex.firm_numbers
    }


def check_pair(
    limits: ClientLimits, vacancy: VacancyTerms, employer: EmployerFacts
) -> tuple[str, ...] | None:
    """The pair filters' codes when every one passes; None when any fails."""
    ex = limits.exclusions
    if vacancy.employer_id != employer.id:
        raise ValueError("the employer facts are not the vacancy's employer")
    if avoids(limits, vacancy, employer):
        return None
    if ex.housing_independent and (vacancy.housing_tied or vacancy.housing_deducted):
        return None
    if vacancy.shifts & limits.shifts_not_possible:
        return None
    if not work_allowed(limits, vacancy.closing_date):
        return None
    return PAIR_FILTERS


def avoids(limits: ClientLimits, vacancy: VacancyTerms, employer: EmployerFacts) -> bool:
    """Whether the client's safety limits name this employer, a related firm, its sector or place.

    These hold after a match was approved too: a card is never shown to an employer the client
    has since come to avoid.
    """
    ex = limits.exclusions
    return bool(
        excluded_employer_ids(limits, [employer])
        or vacancy.sector in ex.sectors
        or employer.sector in ex.sectors
        or vacancy.place in ex.areas
    )


def work_allowed(limits: ClientLimits, closing_date: date) -> bool:
    """Whether the client may work in a job of a vacancy that closes on this date.

    A vacancy is filled around its closing date: a client who may only start work later than
    that (``work_allowed_from``) would be offered a job they may not take; one whose permit has
    ended before then may not work at all. Both are dates only, never the kind of permit.
    """
    if limits.work_allowed_from is not None and limits.work_allowed_from > closing_date:
        return False
    return limits.permit_ends_on is None or limits.permit_ends_on >= closing_date
