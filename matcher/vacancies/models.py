"""Vacancies of vetted employers: the job, its ESCO occupation and skills, its terms.

A vacancy is matched only while it is open and its employer may be matched (issue 3). Amounts
are gross euros as Numeric, never floats. Skills and the occupation point at ESCO by URI.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matcher.db import Base, str_enum, utcnow
from matcher.employers.models import EmployerProfile
from matcher.profiles.models import Cefr, Shift
from matcher.vacancies.rules import PayPeriod


class VacancyStatus(enum.StrEnum):
    HELD = "held"  # a rule sent it to a mediator before publication
    OPEN = "open"  # published: matched while the employer may be matched
    REFUSED = "refused"  # a mediator refused a held vacancy; the employer may change it
    CLOSED = "closed"  # closed by the employer, past its closing date, or withdrawn


class ContractType(enum.StrEnum):
    PERMANENT = "permanent"
    FIXED_TERM = "fixed_term"
    TEMPORARY_AGENCY = "temporary_agency"  # through a temporary work agency
    SEASONAL = "seasonal"
    ON_CALL = "on_call"


class Support(enum.StrEnum):
    BUDDY = "buddy"
    GRADUAL_START = "gradual_start"
    TRAINING = "training"
    JOB_COACH_CONTACT = "job_coach_contact"  # the employer talks with the client's coach


TITLE_MAX, PLACE_MAX, DESCRIPTION_MAX = 200, 100, 20_000
MONEY = Numeric(10, 2)


class Vacancy(Base):
    __tablename__ = "vacancy"

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employer_profile.id"), index=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    occupation_uri: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    # Where the work is: a municipality (compared with a client's region and area limits).
    place: Mapped[str] = mapped_column(String(PLACE_MAX))
    country: Mapped[str] = mapped_column(String(2), default="NL")
    # The employer's sector when the vacancy was saved, so a sector limit needs no join.
    sector: Mapped[str] = mapped_column(String(200), default="")
    hours_per_week: Mapped[int] = mapped_column(Integer)
    shifts: Mapped[list[str]] = mapped_column(JSON, default=list)  # Shift values
    contract_type: Mapped[ContractType] = mapped_column(str_enum(ContractType))
    contract_months: Mapped[int | None] = mapped_column(Integer)  # None: no end date
    wage_amount: Mapped[Decimal] = mapped_column(MONEY)
    wage_period: Mapped[PayPeriod] = mapped_column(str_enum(PayPeriod), default=PayPeriod.HOUR)
    housing_offered: Mapped[bool] = mapped_column(Boolean, default=False)
    housing_rent: Mapped[Decimal | None] = mapped_column(MONEY)
    housing_rent_period: Mapped[PayPeriod | None] = mapped_column(
        str_enum(PayPeriod, name="rentperiod")
    )
    housing_deducted_from_pay: Mapped[bool] = mapped_column(Boolean, default=False)
    housing_tied_to_contract: Mapped[bool] = mapped_column(Boolean, default=False)
    worker_fees: Mapped[bool] = mapped_column(Boolean, default=False)
    support: Mapped[list[str]] = mapped_column(JSON, default=list)  # Support values
    closing_date: Mapped[date]
    status: Mapped[VacancyStatus] = mapped_column(
        str_enum(VacancyStatus), default=VacancyStatus.HELD, index=True
    )
    # The rules that fired at the last save: [{"code","severity","message","params"}].
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    review_note: Mapped[str] = mapped_column(Text, default="")  # a mediator's, on a held one
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    version_id: Mapped[int] = mapped_column(Integer)

    employer: Mapped[EmployerProfile] = relationship()
    skills: Mapped[list[VacancySkill]] = relationship(
        back_populates="vacancy", cascade="all, delete-orphan", order_by="VacancySkill.id"
    )
    languages: Mapped[list[VacancyLanguage]] = relationship(
        back_populates="vacancy", cascade="all, delete-orphan", order_by="VacancyLanguage.id"
    )

    __mapper_args__ = {"version_id_col": version_id}
    __table_args__ = (
        CheckConstraint("hours_per_week >= 1 AND hours_per_week <= 60", name="hours_range"),
        CheckConstraint("wage_amount > 0", name="wage_positive"),
        CheckConstraint(
            "contract_months IS NULL OR (contract_months >= 1 AND contract_months <= 120)",
            name="contract_months_range",
        ),
        CheckConstraint(
            "housing_offered OR (housing_rent IS NULL AND NOT housing_deducted_from_pay"
            " AND NOT housing_tied_to_contract)",
            name="housing_terms_need_housing",
        ),
        CheckConstraint(
            "housing_rent IS NULL OR (housing_rent >= 0 AND housing_rent_period IS NOT NULL)",
            name="rent_has_period",
        ),
        CheckConstraint("(status = 'closed') = (closed_at IS NOT NULL)", name="closed_has_date"),
    )


class VacancySkill(Base):
    """An ESCO skill the employer confirmed for a vacancy: essential or optional."""

    __tablename__ = "vacancy_skill"

    id: Mapped[int] = mapped_column(primary_key=True)
    vacancy_id: Mapped[int] = mapped_column(ForeignKey("vacancy.id"), index=True)
    skill_uri: Mapped[str] = mapped_column(String(255))
    essential: Mapped[bool] = mapped_column(Boolean, default=True)

    vacancy: Mapped[Vacancy] = relationship(back_populates="skills")

    __table_args__ = (UniqueConstraint("vacancy_id", "skill_uri"),)


class VacancyLanguage(Base):
    """A language the work needs, with the lowest CEFR level that will do."""

    __tablename__ = "vacancy_language"

    id: Mapped[int] = mapped_column(primary_key=True)
    vacancy_id: Mapped[int] = mapped_column(ForeignKey("vacancy.id"), index=True)
    language: Mapped[str] = mapped_column(String(8))
    level: Mapped[Cefr] = mapped_column(str_enum(Cefr))

    vacancy: Mapped[Vacancy] = relationship(back_populates="languages")

    __table_args__ = (UniqueConstraint("vacancy_id", "language"),)


__all__ = [
    "ContractType",
    "Shift",
    "Support",
    "Vacancy",
    "VacancyLanguage",
    "VacancySkill",
    "VacancyStatus",
]
