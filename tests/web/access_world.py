"""A small world with one object behind every URL parameter, for the access tests.

Two support organisations (the second one is "another organisation"), two approved employers
(the second one is "another employer"), a mediator and an admin, and everything the pages of
each role open: clients with skills, limits and consent, vacancies, proposals in review and
shared with the employer, a placement, evidence with its file on disk, a signal, report links
and notifications. Built through the services where the tests of those pages do so.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import inspect, select, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from matcher.accounts.models import User
from matcher.employers.links import create_signal_link
from matcher.employers.models import EmployerProfile, EvidenceFile, Signal, SignalLink
from matcher.employers.signals import report_signal
from matcher.matching.cards import invite_to_interview
from matcher.matching.models import Placement, Proposal, ProposalStatus
from matcher.matching.placements import record_interview_outcome
from matcher.notifications.models import Notification, NotificationKind
from matcher.notifications.services import notify
from matcher.profiles.models import (
    Client,
    ClientSkill,
    Consent,
    ConsentPurpose,
    LimitKind,
    SafetyLimit,
)
from matcher.skills.search import clear_index_cache
from matcher.vacancies.models import Vacancy, VacancyStatus
from tests.factories import PASSWORD, make_organisation, make_user
from tests.matcher.employers.builders import employer_in
from tests.matcher.employers.builders import employer_user as user_of_employer
from tests.matcher.matching.placement_builders import make_shared_match
from tests.matcher.profiles.builders import make_client, make_client_skill
from tests.matcher.skills.esco_sample import (
    FORKLIFT_OPERATOR,
    JAVA,
    OPERATE_FORKLIFT,
    add_concepts,
)
from tests.matcher.vacancies.builders import make_proposal, make_vacancy
from tests.web.conftest import make_test_app

ROLES = ("coach", "employer", "mediator", "admin")


@dataclasses.dataclass
class Side:
    """What one organisation (support + employer) owns; the world has "ours" and "theirs"."""

    coach: User
    client: Client
    skill: ClientSkill
    limit: SafetyLimit
    consent: Consent
    employer: EmployerProfile
    employer_user: User
    colleague: User  # a second user of the employer
    evidence: EvidenceFile
    vacancy: Vacancy
    shared: Proposal  # approved, with consent: the employer's match card
    placement: Placement
    signal: Signal  # reported by this side's coach
    link: SignalLink
    link_token: str
    notification: Notification  # for this side's coach


@dataclasses.dataclass
class World:
    ours: Side
    theirs: Side
    mediator: User
    admin: User
    proposed: Proposal  # waiting in the mediators' queue
    held: Vacancy  # held for a mediator's review
    submission_id: int  # a checklist waiting for vetting
    users: dict[str, User]  # the signed-in user of each role in the matrix


def _side(session: Session, name: str, kvk: str, upload_dir: Path) -> Side:
    organisation = make_organisation(session, name=f"Shelter {name}")
    coach = make_user(session, role="coach", organisation=organisation)
    client = make_client(session, coach=coach, first_name=f"Client{name}", hours_per_week=24)
    skill = make_client_skill(session, client, OPERATE_FORKLIFT)
    make_client_skill(session, client, JAVA)
    limit = SafetyLimit(kind=LimitKind.AREA, area=f"Town{name}", added_by_id=coach.id)
    consent = Consent(purpose=ConsentPurpose.MATCHING, given_recorded_by_id=coach.id)
    client.limits.append(limit)
    client.consents.append(consent)
    session.flush()

    employer, employer_user = approved_employer(session, kvk)
    colleague = make_user(session, role="employer", organisation=employer.organisation)
    evidence = session.scalars(
        select(EvidenceFile).where(EvidenceFile.submission.has(employer_id=employer.id))
    ).first()
    (upload_dir / evidence.stored_name).write_bytes(b"%PDF-1.4 evidence of " + name.encode())

    match = make_shared_match(
        session, coach=coach, client=client, employer=employer, employer_user=employer_user
    )
    hired = make_shared_match(session, coach=coach, client=client, employer=employer,
                              employer_user=employer_user, consent=False)  # fmt: skip
    placement = invite_to_interview(
        session, employer_user, hired.proposal.id, interview_on=None, today=date(2026, 11, 1)
    )
    record_interview_outcome(session, coach, placement.id, hired=True, start_date=date(2026, 11, 2))
    signal = report_signal(session, coach, text=f"They keep our passports ({name}).")
    link, token = create_signal_link(session, coach, f"client of {name}")
    [notification] = notify(
        session, [coach], NotificationKind.CONSENT_NEEDED, link="/coach/consent-needed"
    )
    return Side(
        coach=coach,
        client=client,
        skill=skill,
        limit=limit,
        consent=consent,
        employer=employer,
        employer_user=employer_user,
        colleague=colleague,
        evidence=evidence,
        vacancy=match.proposal.vacancy,
        shared=match.proposal,
        placement=placement,
        signal=signal,
        link=link,
        link_token=token,
        notification=notification,
    )


def approved_employer(session: Session, kvk: str) -> tuple[EmployerProfile, User]:
    """An employer approved through the real checklist and vetting, with evidence stored."""
    profile = employer_in(session, "approved", kvk=kvk)
    return profile, user_of_employer(session, profile)


def build_world(session: Session, upload_dir: Path) -> World:
    add_concepts(session)
    ours = _side(session, "Ours", "70000001", upload_dir)
    theirs = _side(session, "Theirs", "70000002", upload_dir)
    mediator = make_user(session, role="mediator")
    admin = make_user(session, role="admin")
    queued = make_vacancy(session, ours.employer, essential=(OPERATE_FORKLIFT,),
                          occupation_uri=FORKLIFT_OPERATOR)  # fmt: skip
    proposed = make_proposal(session, ours.client, queued, status=ProposalStatus.PROPOSED)
    held = make_vacancy(session, ours.employer, status=VacancyStatus.HELD, title="Held job")
    waiting = employer_in(session, "submitted", kvk="70000003")
    session.flush()
    return World(
        ours=ours,
        theirs=theirs,
        mediator=mediator,
        admin=admin,
        proposed=proposed,
        held=held,
        submission_id=waiting.submissions[-1].id,
        users={
            "coach": ours.coach,
            "employer": ours.employer_user,
            "mediator": mediator,
            "admin": admin,
        },
    )


@contextmanager
def world_database(engine: Engine, upload_dir: Path) -> Iterator[tuple[Connection, World]]:
    """One world per test module, in a transaction that is rolled back when the module ends.

    Building it costs far more than a request, and the matrix makes hundreds of requests."""
    with engine.connect() as connection:
        outer = connection.begin()
        factory = sessionmaker(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        with factory() as session:
            world = build_world(session, upload_dir)
            session.commit()
        try:
            yield connection, world
        finally:
            outer.rollback()


@contextmanager
def world_app(engine: Engine, upload_dir: Path) -> Iterator[tuple[Flask, Connection, World, dict]]:
    """The world, an app on it and each role's session cookie, for one test module."""
    clear_index_cache()
    with world_database(engine, upload_dir) as (connection, world):
        factory = sessionmaker(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        # A crash answers 500 like in production (and is logged), so it shows as a wrong answer.
        app = make_test_app(factory, UPLOAD_DIR=str(upload_dir), PROPAGATE_EXCEPTIONS=False)
        yield app, connection, world, session_cookies(app, world)
    clear_index_cache()


@contextmanager
def rolled_back(connection: Connection) -> Iterator[None]:
    """Whatever a test's requests commit goes into a SAVEPOINT undone afterwards."""
    savepoint = connection.begin_nested()
    try:
        yield
    finally:
        if savepoint.is_active:
            savepoint.rollback()


def session_cookies(app: Flask, world: World) -> dict[str, str]:
    """Sign each role's user in once through /login and keep the session cookie.

    A fresh test client with that cookie is signed in without paying for scrypt again."""
    cookies = {}
    for role, user in world.users.items():
        client = app.test_client()
        response = client.post("/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302, (role, response.get_data(as_text=True))
        cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
        assert cookie is not None, role
        cookies[role] = cookie.value
    return cookies


def client_as(app: Flask, cookies: dict[str, str], role: str | None) -> FlaskClient:
    """A new test client, signed in as the role's user (None: an anonymous visitor)."""
    client = app.test_client()
    if role is not None:
        client.set_cookie(app.config.get("SESSION_COOKIE_NAME", "session"), cookies[role])
    return client


def fingerprint(connection: Connection) -> dict[str, str]:
    """A digest of every row of every table: a forbidden request must leave all of them alone."""
    names = _table_names(connection)
    if connection.dialect.name == "postgresql":
        # One round trip that hashes in the server: a query per table costs more than the
        # request it checks.
        digest = "md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), ''))"
        query = " UNION ALL ".join(
            f"SELECT '{name}', {digest} FROM \"{name}\" AS t" for name in names
        )
        return {name: digest for name, digest in connection.execute(text(query))}
    digests = {}
    for name in names:
        rows = sorted(
            repr(tuple(row)) for row in connection.execute(text(f'SELECT * FROM "{name}"'))
        )
        digests[name] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    return digests


_tables: dict[str, list[str]] = {}


def _table_names(connection: Connection) -> list[str]:
    # Every table in the database, not just the mapped ones: the job store counts too.
    url = connection.engine.url.render_as_string()
    if url not in _tables:
        _tables[url] = sorted(inspect(connection).get_table_names())
    return _tables[url]
