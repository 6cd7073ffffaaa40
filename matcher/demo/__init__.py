"""Demo data for trying Fairmatch out: never for production."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.accounts.models import Organisation, OrganisationKind, Role, User
from matcher.accounts.services import create_organisation, create_user
from matcher.demo.clients import seed_demo_clients
from matcher.demo.employers import seed_demo_employers
from matcher.demo.matching import seed_demo_matching

# Published in the README; the data it guards is fictional.
DEMO_PASSWORD = "demo-password"

DEMO_ORGANISATIONS = (
    ("Demo Shelter Foundation", OrganisationKind.SUPPORT),
    ("Demo Fair Work Mediation", OrganisationKind.MEDIATING),
)

DEMO_USERS = (
    ("coach@demo.test", Role.COACH, "Demo Shelter Foundation"),
    ("mediator@demo.test", Role.MEDIATOR, "Demo Fair Work Mediation"),
    ("admin@demo.test", Role.ADMIN, "Demo Fair Work Mediation"),
)


@dataclass(frozen=True)
class DemoResult:
    organisations_created: int
    users_created: int
    employers_created: int
    clients_created: int
    vacancies_created: int


def seed_demo(session: Session, upload_dir: Path) -> DemoResult:
    """Create the demo organisations, users, employers, clients and vacancies still missing."""
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
    users = {u.email: u for u in session.scalars(select(User))}
    employers = seed_demo_employers(
        session, users["coach@demo.test"], users["mediator@demo.test"], DEMO_PASSWORD, upload_dir
    )
    clients = seed_demo_clients(session, users["coach@demo.test"])
    vacancies = seed_demo_matching(session, users["coach@demo.test"], users["mediator@demo.test"])
    # Each demo employer brings its own first user.
    return DemoResult(
        created_organisations + employers, created_users + employers, employers, clients, vacancies
    )


def has_users(session: Session) -> bool:
    """True once anyone can sign in; `fairmatch demo --if-empty` then leaves the data alone."""
    return session.scalar(select(User.id).limit(1)) is not None
