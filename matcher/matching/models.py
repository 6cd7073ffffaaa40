"""Proposals of a client for a vacancy, the mediators' decisions, placements, learned models.

A proposal records what the mediator saw: the score, the explanation, the features and the model
version. The schema allows one open proposal per client and vacancy; decisions go through
matcher.matching.proposals, which audits each change.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matcher.db import Base, str_enum, utcnow
from matcher.profiles.models import Client
from matcher.vacancies.models import Vacancy


class ProposalStatus(enum.StrEnum):
    PROPOSED = "proposed"  # in the mediators' queue
    DEFERRED = "deferred"  # in the queue, put aside by a mediator
    WAITING_FOR_CONSENT = "waiting_for_consent"  # approved; the coach must record consent
    APPROVED = "approved"  # approved with consent: the employer sees the anonymised card
    REJECTED = "rejected"  # by a mediator, with a reason
    FROZEN = "frozen"  # left the matching while open (employer, vacancy or client)
    INVITED = "invited"  # the employer invites the client to an interview
    DECLINED = "declined"  # the employer declines, with a reason


OPEN_STATUSES = frozenset(
    {ProposalStatus.PROPOSED, ProposalStatus.DEFERRED, ProposalStatus.WAITING_FOR_CONSENT}
)
_OPEN_SQL = "status IN ('proposed', 'deferred', 'waiting_for_consent')"


class RejectReason(enum.StrEnum):
    SKILLS = "skills"  # the skills do not fit
    LANGUAGE = "language"
    PLACE_OR_TRAVEL = "place_or_travel"
    HOURS_OR_SHIFTS = "hours_or_shifts"
    CLIENT_NOT_READY = "client_not_ready"
    EMPLOYER_CONCERN = "employer_concern"
    SAFETY = "safety"  # a risk for the client that the limits do not yet capture
    OTHER = "other"


class DeclineReason(enum.StrEnum):
    POSITION_FILLED = "position_filled"
    SKILLS = "skills"
    LANGUAGE = "language"
    AVAILABILITY = "availability"
    OTHER = "other"


class PlacementStage(enum.StrEnum):
    INTERVIEW = "interview"
    HIRED = "hired"
    NOT_HIRED = "not_hired"


class NotHiredReason(enum.StrEnum):
    EMPLOYER_CHOSE_ANOTHER = "employer_chose_another"
    CLIENT_DECLINED = "client_declined"
    TERMS_CHANGED = "terms_changed"
    NOT_READY = "not_ready"
    OTHER = "other"


class Proposal(Base):
    __tablename__ = "proposal"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), index=True)
    vacancy_id: Mapped[int] = mapped_column(ForeignKey("vacancy.id"), index=True)
    status: Mapped[ProposalStatus] = mapped_column(
        str_enum(ProposalStatus), default=ProposalStatus.PROPOSED, index=True
    )
    score: Mapped[float] = mapped_column(Float)  # the score the queue is ordered by
    skill_score: Mapped[float] = mapped_column(Float)  # the first-stage skill score
    model_version: Mapped[str] = mapped_column(String(64))
    # What the mediator sees: matched, partly matched, missing skills and the filters passed.
    explanation: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The features at proposal time, so the second stage learns from what mediators saw.
    features: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    reject_reason: Mapped[RejectReason | None] = mapped_column(str_enum(RejectReason))
    decision_note: Mapped[str] = mapped_column(Text, default="")
    approved_at: Mapped[datetime | None]  # when the employer could first see the card
    frozen_reason: Mapped[str] = mapped_column(String(64), default="")
    responded_at: Mapped[datetime | None]  # the employer's invitation or decline
    responded_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    decline_reason: Mapped[DeclineReason | None] = mapped_column(str_enum(DeclineReason))
    employer_note: Mapped[str] = mapped_column(Text, default="")
    version_id: Mapped[int] = mapped_column(Integer)

    client: Mapped[Client] = relationship()
    vacancy: Mapped[Vacancy] = relationship()
    placement: Mapped[Placement | None] = relationship(back_populates="proposal")

    __mapper_args__ = {"version_id_col": version_id}
    __table_args__ = (
        # At most one open proposal per client and vacancy, whatever races the re-ranking runs.
        Index(
            "uq_proposal_open",
            "client_id",
            "vacancy_id",
            unique=True,
            postgresql_where=text(_OPEN_SQL),
            sqlite_where=text(_OPEN_SQL),
        ),
        CheckConstraint(
            "status != 'rejected' OR reject_reason IS NOT NULL", name="rejected_has_reason"
        ),
        CheckConstraint(
            "status != 'declined' OR decline_reason IS NOT NULL", name="declined_has_reason"
        ),
    )


class Placement(Base):
    """Follow-up after an invitation: interview, hired or not, still working at 3 and 6 months."""

    __tablename__ = "placement"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id"), unique=True)
    stage: Mapped[PlacementStage] = mapped_column(
        str_enum(PlacementStage), default=PlacementStage.INTERVIEW
    )
    interview_on: Mapped[date | None]
    start_date: Mapped[date | None]
    not_hired_reason: Mapped[NotHiredReason | None] = mapped_column(str_enum(NotHiredReason))
    note: Mapped[str] = mapped_column(Text, default="")
    # None: not yet known; True/False as recorded by a coach or a mediator.
    working_after_3_months: Mapped[bool | None] = mapped_column(Boolean)
    recorded_3_months_at: Mapped[datetime | None]
    recorded_3_months_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    working_after_6_months: Mapped[bool | None] = mapped_column(Boolean)
    recorded_6_months_at: Mapped[datetime | None]
    recorded_6_months_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    version_id: Mapped[int] = mapped_column(Integer)

    proposal: Mapped[Proposal] = relationship(back_populates="placement")

    __mapper_args__ = {"version_id_col": version_id}
    __table_args__ = (
        CheckConstraint("stage != 'hired' OR start_date IS NOT NULL", name="hired_has_start"),
        CheckConstraint(
            "stage != 'not_hired' OR not_hired_reason IS NOT NULL", name="not_hired_has_reason"
        ),
        CheckConstraint(
            "stage = 'hired' OR (working_after_3_months IS NULL"
            " AND working_after_6_months IS NULL)",
            name="follow_up_only_when_hired",
        ),
    )


class RankingModel(Base):
    """A trained second-stage model: its parameters as JSON (never a pickle) and its report."""

    __tablename__ = "ranking_model"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(64), unique=True)
    trained_at: Mapped[datetime] = mapped_column(default=utcnow)
    n_decisions: Mapped[int] = mapped_column(Integer)
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Held-out decisions: e.g. {"auc_first_stage", "auc_second_stage", "n_heldout"}.
    report: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    active: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (
        Index(
            "uq_ranking_model_active",
            "active",
            unique=True,
            postgresql_where=text("active"),
            sqlite_where=text("active"),
        ),
    )


class MatchingState(Base):
    """A counter per kind of input (vacancies, employers, clients) that changes bump.

    Workers compare it with the version their in-memory index was built from and rebuild when
    it moved (DESIGN.md); the scheduler (issue 6) re-ranks what changed since a version.
    """

    __tablename__ = "matching_state"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
