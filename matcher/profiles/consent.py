"""Use cases of a client's consent: given and withdrawn per purpose, with who recorded each.

Matching reads consent only through may_be_matched (and consents_in_force), so withdrawing
matching consent takes the client out of matching at once. A consent with an end date is in
force up to and including that day.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from matcher.accounts.models import User
from matcher.db import utcnow
from matcher.employers.models import EmployerProfile
from matcher.errors import N_, InvalidTransition, NotFound, ValidationError
from matcher.profiles.access import change_client, client_for, view_client
from matcher.profiles.models import Client, Consent, ConsentPurpose

# Words for the purposes inside messages; the web layer translates them like any N_ msgid.
PURPOSE_WORDS = {
    ConsentPurpose.MATCHING: N_("matching"),
    ConsentPurpose.SHARE_WITH_MEDIATORS: N_("sharing with mediators"),
    ConsentPurpose.SHARE_WITH_EMPLOYER: N_("sharing with this employer"),
}


class InForce(NamedTuple):
    """A consent in force: its purpose, and the employer when it is for sharing with one."""

    purpose: ConsentPurpose
    employer_id: int | None = None


@dataclass(frozen=True)
class ConsentRecord:
    """One consent in a client's history, with who recorded it given and withdrawn."""

    id: int
    purpose: ConsentPurpose
    employer_id: int | None
    employer_label: str  # the employer's legal name, for sharing with one
    given_at: datetime
    given_by: str  # the e-mail address of who recorded it
    ends_on: date | None
    withdrawn_at: datetime | None
    withdrawn_by: str
    in_force: bool
    ended: bool  # its end date passed before it was withdrawn (or it is not withdrawn)


def give_consent(
    session: Session,
    coach: User,
    client_id: int,
    purpose: ConsentPurpose | str,
    *,
    employer_id: int | None = None,
    ends_on: date | None = None,
    today: date | None = None,
) -> Consent:
    """Record a consent the client gave, for one purpose (and one employer when sharing)."""
    client = client_for(session, coach, client_id, change=True)
    today = today or utcnow().date()
    purpose = _purpose(purpose)
    _check_employer(session, purpose, employer_id)
    if ends_on is not None and ends_on < today:
        raise ValidationError("A consent cannot end before today.")
    previous = _unwithdrawn(session, client, purpose, employer_id)
    if previous is not None and _in_force(previous, today):
        raise InvalidTransition(
            "Consent for %(purpose)s is already in force; withdraw it before recording it again.",
            purpose=PURPOSE_WORDS[purpose],
        )
    if previous is not None:
        # Its end date has passed; closing it keeps one open record per purpose (the schema's
        # unique index) and the page still shows it as ended on that date.
        _close(previous, coach)
    consent = Consent(
        purpose=purpose, employer_id=employer_id, ends_on=ends_on, given_recorded_by_id=coach.id
    )
    client.consents.append(consent)
    session.flush()
    change_client(
        session,
        coach,
        client.id,
        "give_consent",
        consent_id=consent.id,
        purpose=purpose.value,
        employer_id=employer_id,
    )
    # Imported here: matcher.matching.proposals reads consent through this module.
    from matcher.matching.proposals import approve_waiting_proposals

    approve_waiting_proposals(session, coach, consent)
    return consent


def withdraw_consent(session: Session, coach: User, client_id: int, consent_id: int) -> Consent:
    """Record that the client withdrew a consent; it stops counting at once."""
    client = client_for(session, coach, client_id, change=True)
    consent = session.get(Consent, consent_id)
    if consent is None or consent.client_id != client.id:
        raise NotFound("No consent %(id)d for this client.", id=consent_id)
    if consent.withdrawn_at is not None:
        raise InvalidTransition("This consent has already been withdrawn.")
    _close(consent, coach)
    session.flush()
    change_client(
        session,
        coach,
        client.id,
        "withdraw_consent",
        consent_id=consent.id,
        purpose=consent.purpose.value,
    )
    from matcher.matching.proposals import freeze_proposals_without_consent

    freeze_proposals_without_consent(session, coach, consent)
    return consent


def consents_in_force(session: Session, client: Client, today: date) -> set[InForce]:
    """The client's consents in force today: not withdrawn and not past their end date."""
    consents = session.scalars(
        select(Consent).where(Consent.client_id == client.id, *_in_force_clauses(today))
    )
    return {InForce(c.purpose, c.employer_id) for c in consents}


def _in_force_clauses(today: date) -> tuple:
    """Not withdrawn and not past its end date: the one definition of a consent in force."""
    return (
        Consent.withdrawn_at.is_(None),
        or_(Consent.ends_on.is_(None), Consent.ends_on >= today),
    )


def may_be_matched(session: Session, client: Client, today: date) -> bool:
    """Whether the client may be matched today: the only consent check matching makes."""
    if client.erased_at is not None:
        return False
    return InForce(ConsentPurpose.MATCHING) in consents_in_force(session, client, today)


def may_be_matched_many(session: Session, clients: Iterable[Client], today: date) -> set[int]:
    """The ids of the clients who may be matched today: may_be_matched in one query for all.

    Ranking many clients at once (a vacancy's clients, the re-rank) asked once per client.
    """
    ids = [c.id for c in clients if c.erased_at is None]
    found: set[int] = set()
    for start in range(0, len(ids), 1000):  # well inside every backend's limit on parameters
        found.update(
            session.scalars(
                select(Consent.client_id).where(
                    Consent.client_id.in_(ids[start : start + 1000]),
                    Consent.purpose == ConsentPurpose.MATCHING,
                    Consent.employer_id.is_(None),
                    *_in_force_clauses(today),
                )
            )
        )
    return found


def list_consents(
    session: Session, user: User, client_id: int, today: date | None = None
) -> list[ConsentRecord]:
    """List a client's whole consent history, oldest first (a view of the record, so audited)."""
    client = view_client(session, user, client_id)
    return consent_records(session, client, today)


def consent_records(
    session: Session, client: Client, today: date | None = None
) -> list[ConsentRecord]:
    """The consent history of a client already opened through matcher.profiles.access."""
    today = today or utcnow().date()
    consents = session.scalars(
        select(Consent).where(Consent.client_id == client.id).order_by(Consent.id)
    ).all()
    user_ids = {c.given_recorded_by_id for c in consents} | {
        c.withdrawn_recorded_by_id for c in consents if c.withdrawn_recorded_by_id
    }
    emails = dict(session.execute(select(User.id, User.email).where(User.id.in_(user_ids))).all())
    employer_ids = {c.employer_id for c in consents if c.employer_id is not None}
    labels = dict(
        session.execute(
            select(EmployerProfile.id, EmployerProfile.legal_name).where(
                EmployerProfile.id.in_(employer_ids)
            )
        ).all()
    )
    return [_record(c, emails, labels, today) for c in consents]


def _record(consent: Consent, emails: dict, labels: dict, today: date) -> ConsentRecord:
    withdrawn_on = consent.withdrawn_at.date() if consent.withdrawn_at else None
    ended = consent.ends_on is not None and consent.ends_on < (withdrawn_on or today)
    return ConsentRecord(
        id=consent.id,
        purpose=consent.purpose,
        employer_id=consent.employer_id,
        employer_label=labels.get(consent.employer_id, ""),
        given_at=consent.given_at,
        given_by=emails.get(consent.given_recorded_by_id, ""),
        ends_on=consent.ends_on,
        withdrawn_at=consent.withdrawn_at,
        withdrawn_by=emails.get(consent.withdrawn_recorded_by_id, ""),
        in_force=_in_force(consent, today),
        ended=ended,
    )


def _purpose(value: ConsentPurpose | str) -> ConsentPurpose:
    try:
        return ConsentPurpose(value)
    except ValueError:
        raise ValidationError("Choose what the consent is for.") from None


def _check_employer(session: Session, purpose: ConsentPurpose, employer_id: int | None) -> None:
    if purpose != ConsentPurpose.SHARE_WITH_EMPLOYER:
        if employer_id is not None:
            raise ValidationError("Only consent to share with one employer names an employer.")
        return
    if employer_id is None:
        raise ValidationError("Choose the employer the profile may be shared with.")
    if session.get(EmployerProfile, employer_id) is None:
        raise ValidationError("No registered employer %(id)d.", id=employer_id)


def _unwithdrawn(
    session: Session, client: Client, purpose: ConsentPurpose, employer_id: int | None
) -> Consent | None:
    return session.scalar(
        select(Consent).where(
            Consent.client_id == client.id,
            Consent.purpose == purpose,
            Consent.employer_id.is_(None)
            if employer_id is None
            else Consent.employer_id == employer_id,
            Consent.withdrawn_at.is_(None),
        )
    )


def _in_force(consent: Consent, today: date) -> bool:
    return consent.withdrawn_at is None and (consent.ends_on is None or consent.ends_on >= today)


def _close(consent: Consent, coach: User) -> None:
    consent.withdrawn_at = utcnow()
    consent.withdrawn_recorded_by_id = coach.id
