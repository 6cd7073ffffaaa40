"""Small builders for vacancies and proposals, straight in the database (no rules, no pages)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from matcher.db import utcnow
from matcher.employers.models import EmployerProfile
from matcher.matching.models import Proposal, ProposalStatus
from matcher.profiles.models import Cefr, Client
from matcher.vacancies.models import (
    ContractType,
    Vacancy,
    VacancyLanguage,
    VacancySkill,
    VacancyStatus,
)
from tests.matcher.profiles.builders import make_employer_profile


def make_vacancy(
    session: Session,
    employer: EmployerProfile | None = None,
    *,
    essential: tuple[str, ...] = (),
    optional: tuple[str, ...] = (),
    languages: dict[str, Cefr] | None = None,
    **fields,
) -> Vacancy:
    """An open vacancy of the employer (of a new approved one when none is given)."""
    employer = employer or make_employer_profile(session)
    status = fields.pop("status", VacancyStatus.OPEN)
    vacancy = Vacancy(
        employer=employer,
        title=fields.pop("title", "Warehouse worker"),
        place=fields.pop("place", "Utrecht"),
        sector=fields.pop("sector", employer.sector),
        hours_per_week=fields.pop("hours_per_week", 32),
        contract_type=fields.pop("contract_type", ContractType.FIXED_TERM),
        wage_amount=fields.pop("wage_amount", Decimal("16.00")),
        closing_date=fields.pop("closing_date", date.today() + timedelta(days=30)),
        status=status,
        published_at=utcnow() if status == VacancyStatus.OPEN else None,
        closed_at=utcnow() if status == VacancyStatus.CLOSED else None,
        **fields,
    )
    vacancy.skills = [VacancySkill(skill_uri=uri, essential=True) for uri in essential] + [
        VacancySkill(skill_uri=uri, essential=False) for uri in optional
    ]
    vacancy.languages = [
        VacancyLanguage(language=lang, level=level) for lang, level in (languages or {}).items()
    ]
    session.add(vacancy)
    session.flush()
    return vacancy


def make_proposal(
    session: Session,
    client: Client,
    vacancy: Vacancy,
    *,
    status: ProposalStatus = ProposalStatus.PROPOSED,
    score: float = 0.8,
    **fields,
) -> Proposal:
    """A proposal as the matching would make it, in any status."""
    proposal = Proposal(
        client=client,
        vacancy=vacancy,
        status=status,
        score=score,
        skill_score=fields.pop("skill_score", score),
        model_version=fields.pop("model_version", "test-1"),
        explanation=fields.pop(
            "explanation", {"matched": [], "partly": [], "missing_essential": []}
        ),
        **fields,
    )
    session.add(proposal)
    session.flush()
    return proposal
