"""Use cases of the client record: create, change, list, and the data rights (export, erase)."""

from __future__ import annotations

import enum
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import Exists

from matcher.accounts.models import Organisation, Role, User
from matcher.audit.models import AuditEvent
from matcher.audit.services import record_event
from matcher.db import first_writer_wins, utcnow
from matcher.errors import N_, Forbidden, InvalidTransition, ValidationError
from matcher.pagination import Page, fetch_page
from matcher.profiles.access import change_client, client_for, view_client
from matcher.profiles.models import (
    Cefr,
    Client,
    ClientLanguage,
    ClientSkill,
    ClientWish,
    Consent,
    ConsentPurpose,
)
from matcher.profiles.rules import (
    CLIENT_FIELDS,
    cefr_level,
    language_code,
    occupation_uris,
    sector_names,
    validated_fields,
)
from matcher.skills.services import name_concepts

# No look-alikes (0/O, 1/I/L), so a code read aloud or copied by hand stays right.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
CODE_ATTEMPTS = 10
REASON_MAX = 1000
WISHES_MAX = 30
STALE = N_("Someone else changed this client meanwhile. Reload the page and try again.")


def create_client(session: Session, coach: User, **fields: Any) -> Client:
    """A coach opens a record for a new client of their organisation, under a generated code."""
    if coach.role != Role.COACH:
        raise Forbidden("Only job coaches create clients.")
    values = validated_fields(session, fields)
    client = Client(
        organisation_id=coach.organisation_id,
        code=_new_code(session),
        created_by_id=coach.id,
        **{"profile_language": "en", **values},
    )
    session.add(client)
    session.flush()
    record_event(session, coach, "create", "client", client.id)
    return client


def update_client(
    session: Session, coach: User, client_id: int, expected_version: int, **fields: Any
) -> Client:
    """A coach changes the record's own fields, at the version they saw."""
    values = validated_fields(session, fields)
    client = _change_at_version(session, coach, client_id, expected_version, "update",
                                fields=sorted(values))  # fmt: skip
    for name, value in values.items():
        setattr(client, name, value)
    with first_writer_wins(STALE):
        session.flush()
    return client


def set_languages(
    session: Session, coach: User, client_id: int, languages: list[tuple[str, Cefr]]
) -> Client:
    """A coach records the languages the client speaks, each with a CEFR level."""
    wanted: dict[str, Cefr] = {}
    for code, level in languages:
        code = language_code(code)
        if code in wanted:
            raise ValidationError("The language %(code)s is listed twice.", code=code)
        wanted[code] = cefr_level(level)
    client = _change(session, coach, client_id, "set_languages", languages=sorted(wanted))
    for row in list(client.languages):
        if row.language in wanted:
            row.level = wanted.pop(row.language)
        else:
            client.languages.remove(row)
    client.languages.extend(ClientLanguage(language=c, level=lv) for c, lv in wanted.items())
    session.flush()
    return client


def set_wishes(
    session: Session,
    coach: User,
    client_id: int,
    occupations: Iterable[str],
    sectors: Iterable[str],
) -> Client:
    """A coach records the occupations (ESCO) and sectors the client would like to work in."""
    uris = occupation_uris(session, occupations)
    names = sector_names(sectors)
    if len(uris) + len(names) > WISHES_MAX:
        raise ValidationError("At most %(max)d wishes.", max=WISHES_MAX)
    client = _change(session, coach, client_id, "set_wishes")
    for wish in list(client.wishes):
        if wish.occupation_uri in uris:
            uris.remove(wish.occupation_uri)
        elif wish.sector is not None and wish.sector in names:
            names.remove(wish.sector)
        else:
            client.wishes.remove(wish)
    client.wishes.extend(ClientWish(occupation_uri=uri) for uri in uris)
    client.wishes.extend(ClientWish(sector=name) for name in names)
    session.flush()
    return client


def add_occupation_wish(
    session: Session, coach: User, client_id: int, occupation_uri: str
) -> Client:
    """A coach adds one occupation the client would like to do (picked through the search)."""
    uris = occupation_uris(session, [occupation_uri])
    if not uris:
        raise ValidationError("Choose an occupation.")
    uri = uris[0]
    client = _change(session, coach, client_id, "add_wish", occupation_uri=uri)
    if uri not in {wish.occupation_uri for wish in client.wishes}:
        if len(client.wishes) >= WISHES_MAX:
            raise ValidationError("At most %(max)d wishes.", max=WISHES_MAX)
        client.wishes.append(ClientWish(occupation_uri=uri))
    session.flush()
    return client


@dataclass(frozen=True)
class ClientSummary:
    """One line of the client list; a mediator sees only the code and the organisation."""

    id: int
    code: str
    organisation: str
    first_name: str | None
    region: str
    skills: int
    matching_consent: bool
    last_activity_at: datetime


def list_clients(
    session: Session, user: User, *, page: int | None = None, per_page: int | None = None
) -> Page[ClientSummary]:
    """The clients a user may see: a coach their organisation's, a mediator everyone's codes."""
    if user.role not in (Role.COACH, Role.MEDIATOR):
        raise Forbidden("Only job coaches and mediators see clients.")
    skills = (
        select(func.count(ClientSkill.id))
        .where(ClientSkill.client_id == Client.id, ClientSkill.removed_at.is_(None))
        .scalar_subquery()
    )
    coach = user.role == Role.COACH
    # Only the columns shown: a whole client also reads every free-text field of the record.
    query = (
        select(
            Client.id, Client.code, Organisation.name, Client.first_name, Client.region, skills,
            matching_consent_in_force(), Client.last_activity_at,
        )
        .join(Organisation, Organisation.id == Client.organisation_id)
        .where(Client.erased_at.is_(None))
        .order_by(Client.last_activity_at.desc(), Client.id.desc())
    )  # fmt: skip
    if coach:
        query = query.where(Client.organisation_id == user.organisation_id)

    def summary(row: Any) -> ClientSummary:
        id_, code, organisation, first_name, region, count, consent, last_activity_at = row
        if not coach:  # a mediator sees only the code and the organisation
            first_name, region = None, ""
        return ClientSummary(
            id_, code, organisation, first_name, region, count, bool(consent), last_activity_at
        )

    return fetch_page(session, query, page, per_page).map(summary)


def matching_consent_in_force(today: date | None = None) -> Exists:
    """A SQL condition: the client's consent to matching is given, not withdrawn, not ended."""
    today = today or utcnow().date()
    return exists().where(
        Consent.client_id == Client.id,
        Consent.purpose == ConsentPurpose.MATCHING,
        Consent.withdrawn_at.is_(None),
        or_(Consent.ends_on.is_(None), Consent.ends_on >= today),
    )


@dataclass
class ClientRecord:
    """What the record page shows: the client, its wishes named, and the other pages' summaries."""

    client: Client
    wish_labels: dict[str, str]
    active_skills: int
    removed_skills: int
    limits: int
    consents_in_force: list[Consent]


def get_client_record(session: Session, user: User, client_id: int, lang: str) -> ClientRecord:
    """Open a client's record page (a view, written to the audit log)."""
    client = view_client(session, user, client_id)
    uris = [wish.occupation_uri for wish in client.wishes if wish.occupation_uri]
    labels = {uri: label for uri, (label, _) in name_concepts(session, uris, lang).items()}
    today = utcnow().date()
    return ClientRecord(
        client=client,
        wish_labels=labels,
        active_skills=sum(1 for s in client.skills if s.removed_at is None),
        removed_skills=sum(1 for s in client.skills if s.removed_at is not None),
        limits=len(client.limits),
        consents_in_force=[c for c in client.consents if consent_in_force(c, today)],
    )


def consent_in_force(consent: Consent, today: date) -> bool:
    """Whether a consent counts today: not withdrawn and not past its end."""
    return consent.withdrawn_at is None and (consent.ends_on is None or consent.ends_on >= today)


def _change_at_version(
    session: Session, coach: User, client_id: int, expected_version: int, action: str, **details
) -> Client:
    # Checked before change_client, whose audit flush moves the version on.
    if client_for(session, coach, client_id, change=True).version_id != expected_version:
        raise InvalidTransition(STALE)
    with first_writer_wins(STALE):
        return change_client(session, coach, client_id, action, **details)


def _change(session: Session, coach: User, client_id: int, action: str, **details) -> Client:
    with first_writer_wins(STALE):
        return change_client(session, coach, client_id, action, **details)


def _new_code(session: Session, generate: Callable[[], str] | None = None) -> str:
    for _ in range(CODE_ATTEMPTS):
        code = (generate or _random_code)()
        if session.scalar(select(Client.id).where(Client.code == code)) is None:
            return code
    raise RuntimeError("no free client code found")  # 31**8 codes: never in practice


def _random_code() -> str:
    return "C-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def export_client(session: Session, user: User, client_id: int) -> dict[str, Any]:
    """Everything held about a client, as JSON-ready data (a data subject's right of access)."""
    client = client_for(session, user, client_id, change=True)  # notes: the organisation only
    record_event(session, user, "export", "client", client.id)
    return {
        "client": _row(client, EXPORTED_CLIENT_FIELDS),
        "organisation": client.organisation.name,
        "languages": [_row(r, ("language", "level")) for r in client.languages],
        "wishes": [_row(r, ("occupation_uri", "sector")) for r in client.wishes],
        "skills": [_row(r, EXPORTED_SKILL_FIELDS) for r in client.skills],
        "safety_limits": [_row(r, EXPORTED_LIMIT_FIELDS) for r in client.limits],
        "consents": [_row(r, EXPORTED_CONSENT_FIELDS) for r in client.consents],
        "audit_events": [_row(e, EXPORTED_EVENT_FIELDS) for e in _events(session, client.id)],
        "exported_at": utcnow().isoformat(),
    }


def erase_client(
    session: Session, coach: User, client_id: int, expected_version: int, reason: str
) -> Client:
    """A coach erases a client: the statistics row stays, empty; everything else is deleted."""
    reason = " ".join((reason or "").split())
    if not reason or len(reason) > REASON_MAX:
        raise ValidationError("Give a reason of at most %(max)d characters.", max=REASON_MAX)
    client = _change_at_version(session, coach, client_id, expected_version, "erase",
                                reason=reason)  # fmt: skip
    anonymise_client(client)
    with first_writer_wins(STALE):
        session.flush()
    return client


def anonymise_client(client: Client) -> None:
    """Empty a client for good, keeping the statistics row (erasure, and retention by the jobs)."""
    for name, value in ERASED_VALUES.items():
        setattr(client, name, value)
    client.code = f"ERASED-{client.id}"
    client.erased_at = utcnow()
    for related in (client.languages, client.wishes, client.skills, client.limits,
                    client.consents):  # fmt: skip
        related.clear()


EXPORTED_CLIENT_FIELDS = ("id", "code", *sorted(CLIENT_FIELDS), "created_by_id", "created_at",
                          "last_activity_at")  # fmt: skip
EXPORTED_SKILL_FIELDS = ("skill_uri", "source", "source_detail", "level", "informal",
                         "added_by_id", "added_at", "removed_at", "removed_by_id")  # fmt: skip
EXPORTED_LIMIT_FIELDS = ("kind", "employer_id", "employer_name", "registration_number",
                         "relation", "sector", "area", "added_by_id", "added_at")  # fmt: skip
EXPORTED_CONSENT_FIELDS = ("purpose", "employer_id", "given_at", "given_recorded_by_id",
                           "ends_on", "withdrawn_at", "withdrawn_recorded_by_id")  # fmt: skip
EXPORTED_EVENT_FIELDS = ("at", "actor_id", "action", "from_state", "to_state", "reason",
                         "details")  # fmt: skip
# Everything that could point at the person; the row keeps organisation and dates of record.
ERASED_VALUES: dict[str, Any] = {
    "first_name": None,
    "profile_language": "en",
    "region": "",
    "max_travel_minutes": None,
    "hours_per_week": None,
    "earliest_start": None,
    "shifts_not_possible": [],
    "work_allowed_from": None,
    "permit_ends_on": None,
    "housing_independent": False,
    "notes": "",
}


def _row(obj: object, names: Iterable[str]) -> dict[str, Any]:
    return {name: _plain(getattr(obj, name)) for name in names}


def _plain(value: Any) -> Any:
    if isinstance(value, date):  # datetimes too
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _events(session: Session, client_id: int) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.object_type == "client", AuditEvent.object_id == client_id)
            .order_by(AuditEvent.at, AuditEvent.id)
        )
    )
