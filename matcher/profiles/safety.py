"""Use cases of a client's safety limits: employers, sectors and areas to avoid, and housing.

Limits are hard rules for matching: no score can override them. Matching reads them only
through excluded_for, so that every filter sees the same normalised limits.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.accounts.models import User
from matcher.employers.models import EmployerProfile
from matcher.employers.signals import EmployerChoice, clean_text
from matcher.employers.states import MATCHABLE
from matcher.errors import N_, NotFound, ValidationError
from matcher.profiles.access import change_client, client_for, view_client
from matcher.profiles.consent import ConsentRecord, consent_records
from matcher.profiles.models import Client, EmployerRelation, LimitKind, SafetyLimit

IN_BATCH = 1000  # ids in one IN (...) list: well inside every backend's limit on parameters

NAME_MAX, NUMBER_MAX, PLACE_MAX = 200, 64, 100


def normalise_name(text: str) -> str:
    """A firm's name, sector or area as limits compare it: without case and spaces."""
    return "".join(text.split()).casefold()


def normalise_number(text: str) -> str:
    """A registration number as limits compare it: also without the dots and dashes people add."""
    return re.sub(r"[.\-]", "", normalise_name(text))


@dataclass(frozen=True)
class Exclusions:
    """Everything a client's limits exclude from matching, normalised for comparison."""

    employer_ids: frozenset[int]  # registered employers named, or matched by name or number
    firm_names: frozenset[str]  # names entered for firms, compared with normalise_name
    firm_numbers: frozenset[str]  # registration numbers entered, compared with normalise_number
    sectors: frozenset[str]
    areas: frozenset[str]
    housing_independent: bool  # no vacancy whose housing is tied to it or paid from the wage

    def excludes_sector(self, sector: str) -> bool:
        """Whether a sector, as written anywhere, is one the client avoids."""
        return normalise_name(sector) in self.sectors

    def excludes_area(self, area: str) -> bool:
        """Whether a municipality or area, as written anywhere, is one the client avoids."""
        return normalise_name(area) in self.areas


@dataclass(frozen=True)
class LimitEntry:
    """A limit as the safety page shows it, with a registered employer's name."""

    id: int
    kind: LimitKind
    employer_id: int | None
    employer_label: str  # the registered employer's legal name, or ""
    employer_name: str
    registration_number: str
    relation: EmployerRelation | None
    sector: str
    area: str
    added_at: datetime


@dataclass(frozen=True)
class SafetyRecord:
    """What the safety page shows: the limits, the consent history and the employers to pick."""

    client: Client
    limits: list[LimitEntry]
    consents: list[ConsentRecord]
    employers: list[EmployerChoice]  # every registered employer, to avoid
    approved_employers: list[EmployerChoice]  # employers a profile may be shared with


def excluded_for(session: Session, client: Client) -> Exclusions:
    """The client's limits for matching: the one place matching reads limits from."""
    limits = session.scalars(select(SafetyLimit).where(SafetyLimit.client_id == client.id)).all()
    return _exclusions(session, client, limits)


def excluded_for_many(session: Session, clients: Iterable[Client]) -> dict[int, Exclusions]:
    """excluded_for for many clients, their limits read in one query (ranking many at once)."""
    clients = list(clients)
    by_client: dict[int, list[SafetyLimit]] = {c.id: [] for c in clients}
    for start in range(0, len(clients), IN_BATCH):
        ids = [c.id for c in clients[start : start + IN_BATCH]]
        for limit in session.scalars(select(SafetyLimit).where(SafetyLimit.client_id.in_(ids))):
            by_client[limit.client_id].append(limit)
    return {c.id: _exclusions(session, c, by_client[c.id]) for c in clients}


def _exclusions(session: Session, client: Client, limits: Sequence[SafetyLimit]) -> Exclusions:
    firms = [lim for lim in limits if lim.kind == LimitKind.EMPLOYER]
    names = frozenset(normalise_name(f.employer_name) for f in firms if f.employer_name.strip())
    numbers = frozenset(
        normalise_number(f.registration_number) for f in firms if f.registration_number.strip()
    )
    ids = {f.employer_id for f in firms if f.employer_id is not None}
    if names or numbers:
        ids |= _registered_matching(session, names, numbers)
    return Exclusions(
        employer_ids=frozenset(ids),
        firm_names=names,
        firm_numbers=numbers,
        sectors=frozenset(normalise_name(lim.sector) for lim in limits if lim.sector.strip()),
        areas=frozenset(normalise_name(lim.area) for lim in limits if lim.area.strip()),
        housing_independent=client.housing_independent,
    )


def add_employer_limit(
    session: Session,
    coach: User,
    client_id: int,
    *,
    employer_id: int | None = None,
    employer_name: str = "",
    registration_number: str = "",
    relation: EmployerRelation | str,
) -> SafetyLimit:
    """Add an employer, or a firm related to it, that the client must never be matched with."""
    client = client_for(session, coach, client_id, change=True)
    relation = _relation(relation)
    name = clean_text(employer_name, N_("The employer's name"), NAME_MAX)
    number = clean_text(registration_number, N_("The registration number"), NUMBER_MAX)
    if employer_id is None and not name and not number:
        raise ValidationError(
            "Choose a registered employer, or enter a name or a registration number."
        )
    if employer_id is not None and session.get(EmployerProfile, employer_id) is None:
        raise ValidationError("No registered employer %(id)d.", id=employer_id)
    if _has_employer_limit(client, employer_id, name, number):
        raise ValidationError("This employer is already on the client's safety limits.")
    limit = SafetyLimit(
        kind=LimitKind.EMPLOYER,
        employer_id=employer_id,
        employer_name=name,
        registration_number=number,
        relation=relation,
        added_by_id=coach.id,
    )
    return _add_limit(session, coach, client, limit)


def add_sector_limit(session: Session, coach: User, client_id: int, sector: str) -> SafetyLimit:
    """Add a sector the client must never be matched in."""
    client = client_for(session, coach, client_id, change=True)
    sector = clean_text(sector, N_("The sector"), PLACE_MAX)
    if not sector:
        raise ValidationError("Enter the sector to avoid.")
    if any(normalise_name(lim.sector) == normalise_name(sector) for lim in client.limits):
        raise ValidationError("The sector %(sector)s is already avoided.", sector=sector)
    limit = SafetyLimit(kind=LimitKind.SECTOR, sector=sector, added_by_id=coach.id)
    return _add_limit(session, coach, client, limit)


def add_area_limit(session: Session, coach: User, client_id: int, area: str) -> SafetyLimit:
    """Add a municipality or area the client must never be matched in."""
    client = client_for(session, coach, client_id, change=True)
    area = clean_text(area, N_("The area"), PLACE_MAX)
    if not area:
        raise ValidationError("Enter the municipality or area to avoid.")
    if any(normalise_name(lim.area) == normalise_name(area) for lim in client.limits):
        raise ValidationError("The area %(area)s is already avoided.", area=area)
    limit = SafetyLimit(kind=LimitKind.AREA, area=area, added_by_id=coach.id)
    return _add_limit(session, coach, client, limit)


def remove_limit(session: Session, coach: User, client_id: int, limit_id: int) -> None:
    """Remove one of the client's safety limits."""
    client = client_for(session, coach, client_id, change=True)
    limit = session.get(SafetyLimit, limit_id)
    if limit is None or limit.client_id != client.id:
        raise NotFound("No safety limit %(id)d for this client.", id=limit_id)
    kind = limit.kind
    client.limits.remove(limit)
    session.flush()
    change_client(session, coach, client.id, "remove_limit", limit_id=limit_id, kind=kind.value)


def set_housing_independent(session: Session, coach: User, client_id: int, value: bool) -> Client:
    """Set whether the client's housing must not depend on the employer."""
    client = client_for(session, coach, client_id, change=True)
    if client.housing_independent == value:
        return client
    client.housing_independent = value
    change_client(session, coach, client.id, "set_housing_independent", value=value)
    session.flush()
    return client


def list_limits(session: Session, user: User, client_id: int) -> list[LimitEntry]:
    """List a client's safety limits (a view of the record, so audited)."""
    client = view_client(session, user, client_id)
    return _limit_entries(session, client)


def view_safety(
    session: Session, user: User, client_id: int, today: date | None = None
) -> SafetyRecord:
    """Open a client's safety limits and consent history for the safety page (audited)."""
    client = view_client(session, user, client_id)
    return SafetyRecord(
        client=client,
        limits=_limit_entries(session, client),
        consents=consent_records(session, client, today),
        employers=_employer_choices(session, all_statuses=True),
        approved_employers=_employer_choices(session, all_statuses=False),
    )


def _relation(value: EmployerRelation | str) -> EmployerRelation:
    try:
        return EmployerRelation(value)
    except ValueError:
        raise ValidationError("Choose how the firm relates to the employer.") from None


def _has_employer_limit(client: Client, employer_id: int | None, name: str, number: str) -> bool:
    for limit in client.limits:
        if limit.kind != LimitKind.EMPLOYER:
            continue
        if employer_id is not None and limit.employer_id == employer_id:
            return True
        same_firm = normalise_name(limit.employer_name) == normalise_name(name) and (
            normalise_number(limit.registration_number) == normalise_number(number)
        )
        if employer_id is None and limit.employer_id is None and same_firm:
            return True
    return False


def _add_limit(session: Session, coach: User, client: Client, limit: SafetyLimit) -> SafetyLimit:
    client.limits.append(limit)
    session.flush()
    # Only the kind and relation: the audit log outlives an erasure, a firm's name must not.
    relation = limit.relation.value if limit.relation else None
    change_client(
        session,
        coach,
        client.id,
        "add_limit",
        limit_id=limit.id,
        kind=limit.kind.value,
        relation=relation,
    )
    return limit


def _registered_matching(session: Session, names: frozenset[str], numbers: frozenset[str]) -> set:
    # Trade names are a JSON list, so the comparison happens here rather than in SQL.
    rows = session.execute(
        select(
            EmployerProfile.id,
            EmployerProfile.legal_name,
            EmployerProfile.trade_names,
            EmployerProfile.kvk_number,
            EmployerProfile.registration_number,
        )
    )
    found = set()
    for id_, legal_name, trade_names, kvk, registration in rows:
        own_names = {normalise_name(n) for n in [legal_name, *(trade_names or [])] if n}
        own_numbers = {normalise_number(n) for n in (kvk, registration) if n}
        if own_names & names or own_numbers & numbers:
            found.add(id_)
    return found


def _limit_entries(session: Session, client: Client) -> list[LimitEntry]:
    ids = [lim.employer_id for lim in client.limits if lim.employer_id is not None]
    labels = dict(
        session.execute(
            select(EmployerProfile.id, EmployerProfile.legal_name).where(
                EmployerProfile.id.in_(ids)
            )
        ).all()
    )
    return [
        LimitEntry(
            lim.id,
            lim.kind,
            lim.employer_id,
            labels.get(lim.employer_id, ""),
            lim.employer_name,
            lim.registration_number,
            lim.relation,
            lim.sector,
            lim.area,
            lim.added_at,
        )
        for lim in client.limits
    ]


def _employer_choices(session: Session, *, all_statuses: bool) -> list[EmployerChoice]:
    query = select(EmployerProfile).order_by(EmployerProfile.legal_name)
    if not all_statuses:
        query = query.where(EmployerProfile.status.in_(MATCHABLE))
    # A coach may know a firm only by a trade name, so show those too.
    return [
        EmployerChoice(p.id, " / ".join([p.legal_name, *(p.trade_names or [])]))
        for p in session.scalars(query)
    ]
