"""Demo data for trying Fairmatch out: never for production."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.accounts.models import Organisation, OrganisationKind, Role, User
from matcher.accounts.services import create_organisation, create_user

# Published in the README; the data it guards is fictional.
DEMO_PASSWORD = "demo-password"

DEMO_ORGANISATIONS = (
    ("Demo Shelter Foundation", OrganisationKind.SUPPORT),
    ("Demo Fair Work Mediation", OrganisationKind.MEDIATING),
    ("Demo Greenhouse Growers (approved employer)", OrganisationKind.EMPLOYER),
)

DEMO_USERS = (
    ("coach@demo.test", Role.COACH, "Demo Shelter Foundation"),
    ("mediator@demo.test", Role.MEDIATOR, "Demo Fair Work Mediation"),
    ("admin@demo.test", Role.ADMIN, "Demo Fair Work Mediation"),
    ("employer@demo.test", Role.EMPLOYER, "Demo Greenhouse Growers (approved employer)"),
)


@dataclass(frozen=True)
class DemoResult:
    organisations_created: int
    users_created: int


def seed_demo(session: Session) -> DemoResult:
    """Create the demo organisations and users that are still missing."""
    organisations = {o.name: o for o in session.scalars(select(Organisation))}
    created_organisations = 0
    for name, kind in DEMO_ORGANISATIONS:
        if name not in organisations:
            organisations[name] = create_organisation(session, name, kind)
            created_organisations += 1
    existing = set(session.scalars(select(User.email)))
    created_users = 0
    for email, role, organisation in DEMO_USERS:
        if email not in existing:
            create_user(
                session,
                email=email,
                password=DEMO_PASSWORD,
                role=role,
                organisation=organisations[organisation],
            )
            created_users += 1
    return DemoResult(created_organisations, created_users)


def has_users(session: Session) -> bool:
    """True once anyone can sign in; `fairmatch demo --if-empty` then leaves the data alone."""
    return session.scalar(select(User.id).limit(1)) is not None
