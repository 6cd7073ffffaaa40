"""The load bench's data on top of the demo: more coaches, clients, employers, vacancies, proposals.

Everything goes through the services the app's users go through (the same rules, the same audit
trail), so the pages under load read data shaped like real data. Seeded once per database: the
marker organisation says the data is there. Deterministic (one seed), so runs compare.
"""

from __future__ import annotations

import random
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matcher.accounts.models import Organisation, OrganisationKind, Role, User
from matcher.accounts.services import create_organisation, create_user
from matcher.db import utcnow
from matcher.demo import DEMO_PASSWORD
from matcher.demo.employers import DemoEmployer, _bring_to_state
from matcher.employers.models import EmployerProfile
from matcher.employers.signals import report_signal
from matcher.employers.states import VettingStatus
from matcher.matching import engine
from matcher.matching.esco_data import load_occupation_skills
from matcher.matching.models import Proposal, ProposalStatus, RejectReason
from matcher.matching.proposals import approve_proposal, propose_matches, reject_proposal
from matcher.profiles.consent import give_consent
from matcher.profiles.models import ConsentPurpose, SkillLevel
from matcher.profiles.services import create_client, set_languages, set_wishes
from matcher.profiles.skills import add_skills_from_occupation
from matcher.progress import Progress
from matcher.vacancies.drafts import VacancyDraft
from matcher.vacancies.models import ContractType, Vacancy, VacancyStatus
from matcher.vacancies.review import publish_held_vacancy
from matcher.vacancies.services import create_vacancy

SEED = 20261127
MARKER = "Load Bench Support A"  # the first organisation the bench adds: its data is there
SUPPORT_ORGS = (MARKER, "Load Bench Support B")
COACHES_PER_ORG = 4
CLIENTS_PER_ORG = 150
MEDIATORS = 4
APPROVED_EMPLOYERS = 10
SUBMITTED_EMPLOYERS = 6
VACANCIES_PER_EMPLOYER = 10
PROPOSALS_PER_CLIENT = 2
APPROVE, REJECT = 60, 40  # proposals decided by mediators; the rest wait in the queue
SIGNALS = 30
PLACES = ("Rotterdam", "Utrecht", "Venlo", "Amsterdam", "Eindhoven", "Den Haag", "Westland")
LANGUAGES = (("pl", "B2"), ("ro", "B1"), ("bg", "C1"), ("ar", "C2"), ("uk", "B2"), ("es", "B1"))
SECTORS = ("logistics", "horticulture", "hospitality", "cleaning", "food production")
# Occupations common in re-employment of survivors: warehouse, cleaning, harvest, kitchen, ...
# Clients and vacancies draw from the same ones, so rankings and proposals find each other.
OCCUPATIONS = 30


@dataclass(frozen=True)
class LoadAccounts:
    """Who the simulated users sign in as, and what each may open."""

    coaches: dict[str, list[int]]  # e-mail → its organisation's client ids
    mediators: list[str]
    employers: dict[str, list[int]]  # e-mail → its vacancy ids
    vacancies: list[int]  # open vacancies (a mediator's vacancy matches)
    proposals: list[int]  # proposals in the queue (a mediator's review)
    employer_proposals: dict[str, list[int]]  # e-mail → proposals that reached it
    submissions: list[int]  # checklist submissions waiting for vetting
    skill_words: list[str]  # what a coach types into the skill type-ahead


def has_load_data(session: Session) -> bool:
    return session.scalar(select(Organisation.id).where(Organisation.name == MARKER)) is not None


def seed_load_data(session: Session, upload_dir: Path) -> None:
    """Add the bench's data to a database holding ESCO and the demo (``fairmatch demo``)."""
    rng = random.Random(SEED)
    today = utcnow().date()
    mediators = _mediators(session)
    occupations = _occupations(session, rng)
    employers = _employers(session, mediators[0], upload_dir)
    vacancies = _vacancies(session, rng, employers, occupations, today)
    _publish(session, mediators[0], vacancies)
    coaches = _clients(session, rng, occupations)
    _proposals(session, rng, coaches, mediators)
    _signals(session, rng, coaches)


def _mediators(session: Session) -> list[User]:
    demo = session.scalar(select(User).where(User.email == "mediator@demo.test"))
    assert demo is not None, "run `fairmatch demo` first"
    users = [demo]
    for n in range(1, MEDIATORS):
        users.append(
            create_user(
                session,
                email=f"mediator{n}@load.test",
                password=DEMO_PASSWORD,
                role=Role.MEDIATOR,
                organisation=demo.organisation,
            )
        )
    return users


def _occupations(session: Session, rng: random.Random) -> list[tuple[str, list[str], list[str]]]:
    """(occupation, essential, optional skills) for occupations with a fair number of skills."""
    skills = load_occupation_skills(session)
    fitting = sorted(o for o, (e, _) in skills.items() if 8 <= len(e) <= 25)
    chosen = rng.sample(fitting, OCCUPATIONS)
    return [(o, sorted(skills[o][0]), sorted(skills[o][1] - skills[o][0])) for o in chosen]


def _employers(session: Session, mediator: User, upload_dir: Path) -> list[User]:
    """Approved employers (they post vacancies) and a few waiting in the vetting list."""
    approved = []
    total = APPROVED_EMPLOYERS + SUBMITTED_EMPLOYERS
    bar = Progress("Load bench employers", total, sys.stderr)
    for n in range(total):
        state = VettingStatus.APPROVED if n < APPROVED_EMPLOYERS else VettingStatus.SUBMITTED
        spec = DemoEmployer(
            f"Load Bench Employer {n:02d}", f"9100{n:04d}", f"employer{n:02d}@load.test", state,
            SECTORS[n % len(SECTORS)], PLACES[n % len(PLACES)],
        )  # fmt: skip
        profile = _register(session, spec)
        user = session.scalars(select(User).where(User.organisation_id == profile.organisation_id))
        employer = user.one()
        # The demo's own steps: answers, evidence, submission, the mediator's decision.
        _bring_to_state(session, spec, profile, employer, mediator, upload_dir)
        if state is VettingStatus.APPROVED:
            approved.append(employer)
        bar.advance()
    bar.finish()
    return approved


def _register(session: Session, spec: DemoEmployer) -> EmployerProfile:
    from matcher.employers.services import register_employer

    return register_employer(
        session, legal_name=spec.name, kvk_number=spec.kvk, vat_number=f"NL{spec.kvk}0B01",
        employer_kind=spec.kind, sector=spec.sector, user_email=spec.email,
        password=DEMO_PASSWORD, city=spec.city, contact_name="Load bench contact",
        contact_email=spec.email,
    )  # fmt: skip


def _vacancies(
    session: Session,
    rng: random.Random,
    employers: list[User],
    occupations: list[tuple[str, list[str], list[str]]],
    today: date,
) -> list[Vacancy]:
    created = []
    for employer in employers:
        for n in range(VACANCIES_PER_EMPLOYER):
            occupation, essential, optional = rng.choice(occupations)
            draft = VacancyDraft(
                title=f"Load bench vacancy {len(created) + 1}", place=rng.choice(PLACES),
                hours_per_week=rng.choice((24, 32, 36, 38)),
                contract_type=rng.choice((ContractType.FIXED_TERM, ContractType.PERMANENT)),
                contract_months=None, wage_amount=Decimal("16.50"), wage_period="hour",
                closing_date=today + timedelta(days=rng.randint(60, 120)),
                occupation_uri=occupation,
                description="Work in a team; a colleague shows you the work in the first weeks.",
                essential_skills=tuple(rng.sample(essential, min(8, len(essential)))),
                optional_skills=tuple(rng.sample(optional, min(3, len(optional)))),
                languages=(("en", "A2"),) if n % 2 else (("nl", "A1"),),
                support=("buddy",),
            )  # fmt: skip
            if draft.contract_type is ContractType.FIXED_TERM:
                draft = VacancyDraft(**{**draft.__dict__, "contract_months": 12})
            created.append(create_vacancy(session, employer, draft, today=today))
    return created


def _publish(session: Session, mediator: User, vacancies: list[Vacancy]) -> None:
    """A mediator reads what only the outdated minimum-wage table held, and publishes it."""
    for vacancy in vacancies:
        if vacancy.status == VacancyStatus.HELD:
            publish_held_vacancy(session, mediator, vacancy.id, vacancy.version_id,
                                 note="The wage is above the current minimum wage.")  # fmt: skip


def _clients(
    session: Session, rng: random.Random, occupations: list[tuple[str, list[str], list[str]]]
) -> list[User]:
    coaches = []
    bar = Progress("Load bench clients", len(SUPPORT_ORGS) * CLIENTS_PER_ORG, sys.stderr)
    for name in SUPPORT_ORGS:
        organisation = create_organisation(session, name, OrganisationKind.SUPPORT)
        slug = name.rsplit(" ", 1)[-1].lower()
        team = [
            create_user(
                session,
                email=f"coach{n}.{slug}@load.test",
                password=DEMO_PASSWORD,
                role=Role.COACH,
                organisation=organisation,
            )
            for n in range(COACHES_PER_ORG)
        ]
        coaches += team
        for n in range(CLIENTS_PER_ORG):
            coach = team[n % len(team)]
            occupation, essential, _ = rng.choice(occupations)
            client = create_client(
                session, coach, first_name=None, profile_language="en",
                region=rng.choice(PLACES), notes="Load bench client: fictional.",
            )  # fmt: skip
            set_languages(session, coach, client.id, [rng.choice(LANGUAGES), ("en", "A2")])
            ticked = rng.sample(essential, max(3, len(essential) * 2 // 3))
            add_skills_from_occupation(
                session, coach, client.id, occupation, ticked, SkillLevel.EXPERIENCED, False
            )
            set_wishes(session, coach, client.id, [occupation], [rng.choice(SECTORS)])
            give_consent(session, coach, client.id, ConsentPurpose.MATCHING)
            give_consent(session, coach, client.id, ConsentPurpose.SHARE_WITH_MEDIATORS)
            bar.advance()
    bar.finish()
    return coaches


def _proposals(
    session: Session, rng: random.Random, coaches: list[User], mediators: list[User]
) -> None:
    """Rank every bench client, queue their best matches, and let mediators decide some."""
    client_ids = _bench_client_ids(session)
    matches = [m for cid in client_ids for m in engine.rank_vacancies_for_client(session, cid)]
    proposals = propose_matches(session, matches, threshold=0.05, per_client=PROPOSALS_PER_CLIENT)
    print(f"Load bench proposals: {len(proposals)}", file=sys.stderr)
    rng.shuffle(proposals)
    coach_of = {c.organisation_id: c for c in coaches}
    for proposal in proposals[:APPROVE]:
        coach = coach_of[proposal.client.organisation_id]
        give_consent(session, coach, proposal.client_id, ConsentPurpose.SHARE_WITH_EMPLOYER,
                     employer_id=proposal.vacancy.employer_id)  # fmt: skip
        approve_proposal(session, rng.choice(mediators), proposal.id, note="A good fit.")
    for proposal in proposals[APPROVE : APPROVE + REJECT]:
        reason = RejectReason.HOURS_OR_SHIFTS
        reject_proposal(
            session, rng.choice(mediators), proposal.id, reason=reason, note="Mornings only."
        )


def _bench_client_ids(session: Session) -> list[int]:
    from matcher.profiles.models import Client

    return list(
        session.scalars(
            select(Client.id)
            .where(Client.notes == "Load bench client: fictional.")
            .order_by(Client.id)
        )
    )


def _signals(session: Session, rng: random.Random, coaches: list[User]) -> None:
    employers = list(session.scalars(select(EmployerProfile.id).order_by(EmployerProfile.id)))
    for n in range(SIGNALS):
        report_signal(
            session, rng.choice(coaches), employer_id=rng.choice(employers),
            text=f"Load bench signal {n}: a client says overtime is not paid.",
        )  # fmt: skip


def load_accounts(session: Session) -> LoadAccounts:
    """Read back who signs in and which objects each may open."""
    from matcher.employers.models import ChecklistSubmission, SubmissionStatus
    from matcher.profiles.models import Client

    coaches: dict[str, list[int]] = {}
    for user in session.scalars(
        select(User).where(User.role == Role.COACH, User.active).order_by(User.id)
    ):
        ids = session.scalars(
            select(Client.id).where(
                Client.organisation_id == user.organisation_id, Client.erased_at.is_(None)
            )
        ).all()
        if ids:
            coaches[user.email] = list(ids)
    mediators = list(
        session.scalars(select(User.email).where(User.role == Role.MEDIATOR).order_by(User.id))
    )
    employers: dict[str, list[int]] = {}
    employer_proposals: dict[str, list[int]] = {}
    for user in session.scalars(select(User).where(User.role == Role.EMPLOYER).order_by(User.id)):
        profile = session.scalar(
            select(EmployerProfile).where(EmployerProfile.organisation_id == user.organisation_id)
        )
        if profile is None:
            continue
        ids = session.scalars(select(Vacancy.id).where(Vacancy.employer_id == profile.id)).all()
        if ids:
            employers[user.email] = list(ids)
            employer_proposals[user.email] = list(
                session.scalars(
                    select(Proposal.id)
                    .join(Vacancy, Vacancy.id == Proposal.vacancy_id)
                    .where(
                        Vacancy.employer_id == profile.id,
                        Proposal.status.in_(_SHARED),
                    )
                )
            )
    open_vacancies = session.scalars(
        select(Vacancy.id).where(Vacancy.status == VacancyStatus.OPEN).order_by(Vacancy.id)
    ).all()
    queue = session.scalars(
        select(Proposal.id).where(Proposal.status == ProposalStatus.PROPOSED).order_by(Proposal.id)
    ).all()
    submissions = session.scalars(
        select(ChecklistSubmission.id).where(
            ChecklistSubmission.status == SubmissionStatus.SUBMITTED
        )
    ).all()
    return LoadAccounts(
        coaches=coaches,
        mediators=mediators,
        employers=employers,
        vacancies=list(open_vacancies),
        proposals=list(queue),
        employer_proposals=employer_proposals,
        submissions=list(submissions),
        skill_words=list(SKILL_WORDS),
    )


_SHARED = (ProposalStatus.APPROVED,)
# Words coaches type into the skill type-ahead, a letter at a time (English and Dutch).
SKILL_WORDS = ("forklift", "cleaning", "harvest", "warehouse", "kitchen", "schoonmaken", "koken")


def bench_counts(session: Session) -> dict[str, int]:
    """How much data the pages read: for the bench's note."""
    from matcher.profiles.models import Client

    return {
        "clients": session.scalar(select(func.count(Client.id))) or 0,
        "vacancies": session.scalar(select(func.count(Vacancy.id))) or 0,
        "proposals": session.scalar(select(func.count(Proposal.id))) or 0,
    }
