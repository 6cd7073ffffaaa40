"""Demo vacancies of the approved demo employers, proposals in every state, and a placement.

Everything goes through the services the employers, the matching and the mediators use, so the
demo obeys the same rules (a flagged vacancy waits for a mediator, a proposal needs consent to
reach an employer) and leaves the same audit trail. Skills come from ESCO's lists for each
occupation; without ESCO loaded there is nothing to match on, and the demo adds no vacancies.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.accounts.models import Role, User
from matcher.db import utcnow
from matcher.demo.clients import (
    CROP_WORKER,
    DOMESTIC_CLEANER,
    FORKLIFT,
    HAND_PACKER,
    KITCHEN_ASSISTANT,
    MARK,
    WAREHOUSE,
)
from matcher.employers.models import EmployerProfile
from matcher.matching import engine
from matcher.matching.cards import decline_match, invite_to_interview
from matcher.matching.esco_data import load_occupation_skills
from matcher.matching.models import DeclineReason, Proposal, RejectReason
from matcher.matching.placements import record_interview_outcome, record_still_working
from matcher.matching.proposals import (
    approve_proposal,
    defer_proposal,
    has_share_consent,
    propose_matches,
    reject_proposal,
)
from matcher.profiles.consent import give_consent
from matcher.profiles.models import Client, ConsentPurpose
from matcher.vacancies.drafts import VacancyDraft
from matcher.vacancies.models import ContractType, Vacancy, VacancyStatus
from matcher.vacancies.review import publish_held_vacancy, refuse_held_vacancy
from matcher.vacancies.rules import V1_TABLE_OUTDATED
from matcher.vacancies.services import close_vacancy, create_vacancy

GREENHOUSE, BAKERY = "90000001", "90000005"  # the approved demo employers (KvK numbers)
# The vacancy the employer closes after it was proposed: its open proposals freeze.
CLOSED_TITLE = "Seasonal harvest helper"
PAYROLL_REASON = (
    "Every worker needs a contract, payslips and the right to work: "
    "remove the text and pay through the payroll."
)


@dataclass(frozen=True)
class DemoVacancy:
    employer_kvk: str
    title: str
    occupation: str
    place: str
    hours: int
    wage: str  # gross an hour
    description: str
    contract: ContractType = ContractType.FIXED_TERM
    months: int | None = 6
    languages: tuple[tuple[str, str], ...] = (("en", "A2"),)
    housing_rent: str | None = None  # a month, deducted from pay and tied to the contract
    support: tuple[str, ...] = ("buddy", "gradual_start")
    shifts: tuple[str, ...] = ()


DEMO_VACANCIES = (
    DemoVacancy(GREENHOUSE, "Greenhouse crop worker", CROP_WORKER, "Venlo", 32, "15.80",
                "Planting, tending and harvesting tomatoes in a modern greenhouse. "
                "Work clothes provided; a colleague shows you the work in the first weeks."),
    DemoVacancy(GREENHOUSE, "Tomato packer with housing", HAND_PACKER, "Westland", 38, "15.10",
                "Packing tomatoes for shops. Room in a shared house for €520 a month, "
                "taken from your pay; the room comes with the job.", housing_rent="520.00",
                shifts=("early",)),
    DemoVacancy(GREENHOUSE, CLOSED_TITLE, CROP_WORKER, "Venlo", 24, "15.20",
                "Help with the summer harvest.", contract=ContractType.SEASONAL, months=3),
    DemoVacancy(GREENHOUSE, "Order picker", HAND_PACKER, "Venlo", 36, "15.30",
                "Picking and packing orders of plants for garden centres.",
                contract=ContractType.PERMANENT, months=None),
    DemoVacancy(GREENHOUSE, "Forklift driver", FORKLIFT, "Venlo", 38, "16.40",
                "Moving pallets between the greenhouses and the loading docks. We pay for "
                "the forklift certificate.", support=("training",)),
    DemoVacancy(BAKERY, "Cleaner", DOMESTIC_CLEANER, "Utrecht", 24, "15.00",
                "Cleaning our shop and café in Utrecht in the early morning.",
                shifts=("early",), languages=(("nl", "A1"),)),
    DemoVacancy(BAKERY, "Kitchen assistant", KITCHEN_ASSISTANT, "Amsterdam", 28, "15.40",
                "Prepare ingredients, keep the kitchen clean and help the bakers.",
                languages=(("nl", "A2"), ("en", "A2")), support=("training", "job_coach_contact")),
    DemoVacancy(BAKERY, "Warehouse and delivery helper", WAREHOUSE, "Amsterdam", 32, "15.60",
                "Receive flour and packaging, keep stock and load the delivery vans.",
                contract=ContractType.PERMANENT, months=None),
    DemoVacancy(BAKERY, "Night cleaner", HAND_PACKER, "Amsterdam", 20, "14.90",
                "Cleaning the bakery at night. Paid cash in hand, no papers needed.",
                shifts=("night",)),
)  # fmt: skip


def seed_demo_matching(session: Session, coach: User, mediator: User) -> int:
    """Add the demo vacancies, proposals and a placement once; return how many vacancies."""
    occupation_skills = load_occupation_skills(session)
    if not occupation_skills or _has_demo_vacancies(session):
        return 0
    today = utcnow().date()
    created = [
        _post(session, spec, occupation_skills, today)
        for spec in DEMO_VACANCIES
        if spec.occupation in occupation_skills
    ]
    _review(session, mediator, [v for v in created if v is not None])
    _propose_and_decide(session, coach, mediator, today)
    return len([v for v in created if v is not None])


def _review(session: Session, mediator: User, vacancies: list[Vacancy]) -> None:
    """A mediator's first look: publish what only the wage table held, refuse risky text."""
    for vacancy in vacancies:
        if vacancy.status != VacancyStatus.HELD:
            continue
        messages = {finding["message"] for finding in vacancy.findings}
        codes = {finding["code"] for finding in vacancy.findings}
        if messages == {V1_TABLE_OUTDATED}:
            publish_held_vacancy(session, mediator, vacancy.id, vacancy.version_id,
                                 note="The wage is above the current minimum wage.")  # fmt: skip
        elif "V5" in codes:
            refuse_held_vacancy(session, mediator, vacancy.id, vacancy.version_id,
                                reason=PAYROLL_REASON)  # fmt: skip


def _has_demo_vacancies(session: Session) -> bool:
    titles = [spec.title for spec in DEMO_VACANCIES]
    return session.scalar(select(Vacancy.id).where(Vacancy.title.in_(titles)).limit(1)) is not None


def _employer_user(session: Session, kvk: str) -> User | None:
    return session.scalar(
        select(User)
        .join(EmployerProfile, EmployerProfile.organisation_id == User.organisation_id)
        .where(EmployerProfile.kvk_number == kvk, User.role == Role.EMPLOYER)
        .order_by(User.id)
        .limit(1)
    )


def _post(
    session: Session,
    spec: DemoVacancy,
    occupation_skills: dict[str, tuple[set[str], set[str]]],
    today: date,
) -> Vacancy | None:
    employer = _employer_user(session, spec.employer_kvk)
    if employer is None:
        return None
    essential, optional = occupation_skills[spec.occupation]
    # A real vacancy lists some of the occupation's skills, not all of them.
    essential_skills = tuple(sorted(essential))[:8]
    optional_skills = tuple(sorted(optional - essential))[:4]
    rent = Decimal(spec.housing_rent) if spec.housing_rent else None
    draft = VacancyDraft(
        title=spec.title, place=spec.place, hours_per_week=spec.hours,
        contract_type=spec.contract, contract_months=spec.months,
        wage_amount=Decimal(spec.wage), wage_period="hour",
        closing_date=today + timedelta(days=60), occupation_uri=spec.occupation,
        description=spec.description, essential_skills=essential_skills,
        optional_skills=optional_skills, shifts=spec.shifts, languages=spec.languages,
        support=spec.support, housing_offered=rent is not None, housing_rent=rent,
        housing_rent_period="month" if rent is not None else None,
        housing_deducted_from_pay=rent is not None, housing_tied_to_contract=rent is not None,
    )  # fmt: skip
    return create_vacancy(session, employer, draft, today=today)


def _propose_and_decide(session: Session, coach: User, mediator: User, today: date) -> None:
    clients = session.scalars(
        select(Client.id).where(
            Client.organisation_id == coach.organisation_id, Client.notes.like(_mark_pattern())
        )
    ).all()
    matches = [m for cid in clients for m in engine.rank_vacancies_for_client(session, cid)]
    # Every match with some skill in common: the demo should show a full queue, whatever the
    # threshold in production.
    proposals = propose_matches(session, matches, threshold=0.01, per_client=5)
    closing = [p for p in proposals if p.vacancy.title == CLOSED_TITLE]
    steps = [p for p in proposals if p.vacancy.title != CLOSED_TITLE]
    if steps:
        _hire(session, coach, mediator, steps.pop(0), today)
    if steps:
        _approve(session, coach, mediator, steps.pop(0), consent=True)
    if steps:
        proposal = _approve(session, coach, mediator, steps.pop(0), consent=True)
        decline_match(session, _employer_user_of(session, proposal), proposal.id,
                      reason=DeclineReason.POSITION_FILLED)  # fmt: skip
    # After every consent above, so that none of them completes it: waiting for the coach.
    unshared = [
        p for p in steps if not has_share_consent(session, p.client, p.vacancy.employer_id, today)
    ]
    if unshared:
        steps.remove(unshared[0])
        _approve(session, coach, mediator, unshared[0], consent=False)
    if steps:
        proposal = steps.pop(0)
        reject_proposal(session, mediator, proposal.id, reason=RejectReason.HOURS_OR_SHIFTS,
                        note="The client can only work mornings for now.")  # fmt: skip
    if steps:
        defer_proposal(
            session, mediator, steps.pop(0).id, note="Ask the coach about the start date."
        )
    # What is left waits in the queue; the closed vacancy's proposals freeze.
    for vacancy in {p.vacancy for p in closing}:
        close_vacancy(session, _employer_user_of_vacancy(session, vacancy), vacancy.id)


def _approve(
    session: Session, coach: User, mediator: User, proposal: Proposal, *, consent: bool
) -> Proposal:
    if consent and not has_share_consent(
        session, proposal.client, proposal.vacancy.employer_id, utcnow().date()
    ):
        give_consent(session, coach, proposal.client_id, ConsentPurpose.SHARE_WITH_EMPLOYER,
                     employer_id=proposal.vacancy.employer_id)  # fmt: skip
    return approve_proposal(session, mediator, proposal.id, note="A good fit; the coach agrees.")


def _hire(session: Session, coach: User, mediator: User, proposal: Proposal, today: date) -> None:
    """A placement that has lasted: invited, hired four months ago, working after three."""
    _approve(session, coach, mediator, proposal, consent=True)
    placement = invite_to_interview(
        session, _employer_user_of(session, proposal), proposal.id, interview_on=today
    )
    started = today - timedelta(days=125)
    record_interview_outcome(session, mediator, placement.id, hired=True, start_date=started)
    record_still_working(session, coach, placement.id, months=3, working=True, today=today)


def _employer_user_of(session: Session, proposal: Proposal) -> User:
    return _employer_user_of_vacancy(session, proposal.vacancy)


def _employer_user_of_vacancy(session: Session, vacancy: Vacancy) -> User:
    user = _employer_user(session, vacancy.employer.kvk_number or "")
    assert user is not None  # the vacancy was posted by this employer's user
    return user


def _mark_pattern() -> str:
    return MARK.replace("{n}", "%")
