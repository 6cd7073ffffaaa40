"""Builders shared by the client tests: a client of an organisation, and its skills."""

from __future__ import annotations

import itertools
from datetime import date

from sqlalchemy.orm import Session

from matcher.accounts.models import Organisation, User
from matcher.employers.models import EmployerProfile
from matcher.profiles.models import (
    Client,
    ClientSkill,
    Consent,
    ConsentPurpose,
    LimitKind,
    SafetyLimit,
    SkillLevel,
    SkillSource,
)
from tests.factories import make_organisation

_codes = itertools.count(1)


def make_client(
    session: Session,
    *,
    organisation: Organisation | None = None,
    coach: User | None = None,
    **fields,
) -> Client:
    """A client of the coach's organisation (or of the one given, or of a new one)."""
    if organisation is None:
        organisation = coach.organisation if coach is not None else make_organisation(session)
    client = Client(
        organisation=organisation,
        code=fields.pop("code", f"T-{next(_codes):06d}"),
        created_by_id=coach.id if coach is not None else None,
        **fields,
    )
    session.add(client)
    session.flush()
    return client


def make_client_skill(
    session: Session,
    client: Client,
    skill_uri: str,
    *,
    source: SkillSource = SkillSource.TYPED,
    level: SkillLevel = SkillLevel.SOME_EXPERIENCE,
    **fields,
) -> ClientSkill:
    """A skill on a client's profile, as if a coach had added it."""
    skill = ClientSkill(client=client, skill_uri=skill_uri, source=source, level=level, **fields)
    session.add(skill)
    session.flush()
    return skill


_kvk_numbers = itertools.count(40_000_001)


def make_employer_profile(
    session: Session,
    *,
    legal_name: str | None = None,
    kvk_number: str | None = None,
    status: str = "approved",
    **fields,
) -> EmployerProfile:
    """A registered employer, straight in the database (no checklist), approved by default."""
    kvk = kvk_number or str(next(_kvk_numbers))
    organisation = make_organisation(session, name=legal_name or f"Firm {kvk}", kind="employer")
    profile = EmployerProfile(
        organisation=organisation,
        legal_name=organisation.name,
        kvk_number=kvk,
        employer_kind=fields.pop("employer_kind", "direct"),
        status=status,
        approved_until=fields.pop("approved_until", date(2099, 1, 1)),
        **fields,
    )
    session.add(profile)
    session.flush()
    return profile


def make_client_with_secrets(session: Session, coach: User) -> tuple[Client, list[str]]:
    """A client with everything filled in that must never reach a document the client keeps.

    Returns the client and the texts (notes, limits, permit and work dates, the organisation,
    the coach, the consent's employer) that such a document must not contain.
    """
    harmful = make_employer_profile(session, legal_name="Oldfarm Exploitation Holding")
    sharing = make_employer_profile(session, legal_name="Consentshared Bakery")
    client = make_client(
        session,
        coach=coach,
        first_name="Q.Z.",
        region="Zwaagwesteinde",
        notes="Escaped from the Oldfarm dormitory; passport kept by the boss; shelter room 12.",
        permit_ends_on=date(2031, 7, 19),
        work_allowed_from=date(2030, 2, 3),
        housing_independent=True,
    )
    limits = [
        SafetyLimit(kind=LimitKind.EMPLOYER, employer_id=harmful.id, relation="itself"),
        SafetyLimit(
            kind=LimitKind.EMPLOYER,
            employer_name="Shadowrecruit Staffing",
            registration_number="87654321",
            relation="agency_or_recruiter",
        ),
        SafetyLimit(kind=LimitKind.SECTOR, sector="mushroomharvesting"),
        SafetyLimit(kind=LimitKind.AREA, area="Kwadendamme"),
    ]
    for limit in limits:
        limit.added_by_id = coach.id
        client.limits.append(limit)
    client.consents.append(
        Consent(
            purpose=ConsentPurpose.SHARE_WITH_EMPLOYER,
            employer_id=sharing.id,
            given_recorded_by_id=coach.id,
            ends_on=date(2029, 11, 30),
        )
    )
    session.flush()
    secrets = [
        "Oldfarm",
        "dormitory",
        "passport",
        "shelter",
        "Zwaagwesteinde",
        "Shadowrecruit",
        "87654321",
        harmful.kvk_number,
        "mushroomharvesting",
        "Kwadendamme",
        "Consentshared",
        "2031",
        "2030",
        "2029",
        coach.organisation.name,
        coach.email,
    ]
    return client, secrets
