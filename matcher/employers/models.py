"""Employers, their answers to the fair-employer checklist, and the vetting decisions."""

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
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matcher.accounts.models import Organisation
from matcher.db import Base, str_enum, utcnow
from matcher.employers.states import VettingStatus


class EmployerKind(enum.StrEnum):
    DIRECT = "direct"
    AGENCY = "agency"  # a temporary work agency (uitzendbureau)


class SubmissionStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"  # a mediator asked questions; the employer may edit again
    DECIDED = "decided"


class Decision(enum.StrEnum):
    # The same strings as the VettingStatus each decision moves the employer to.
    APPROVED = "approved"
    APPROVED_WITH_CONDITIONS = "approved_with_conditions"
    NEEDS_INFORMATION = "needs_information"
    REJECTED = "rejected"


class EmployerProfile(Base):
    __tablename__ = "employer_profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), unique=True)
    legal_name: Mapped[str] = mapped_column(String(200))
    trade_names: Mapped[list[str]] = mapped_column(JSON, default=list)
    registration_country: Mapped[str] = mapped_column(String(2), default="NL")
    kvk_number: Mapped[str | None] = mapped_column(String(8), unique=True)
    # Outside the Netherlands: the business register's own number.
    registration_number: Mapped[str | None] = mapped_column(String(64))
    vat_number: Mapped[str] = mapped_column(String(32), default="")
    employer_kind: Mapped[EmployerKind] = mapped_column(str_enum(EmployerKind))
    sector: Mapped[str] = mapped_column(String(200), default="")
    # Decides whether the housing items of the checklist apply.
    provides_housing: Mapped[bool] = mapped_column(Boolean, default=False)
    street: Mapped[str] = mapped_column(String(200), default="")
    postal_code: Mapped[str] = mapped_column(String(16), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    contact_phone: Mapped[str] = mapped_column(String(32), default="")
    status: Mapped[VettingStatus] = mapped_column(
        str_enum(VettingStatus), default=VettingStatus.PENDING
    )
    approved_until: Mapped[date | None]
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    version_id: Mapped[int] = mapped_column(Integer)

    organisation: Mapped[Organisation] = relationship()
    submissions: Mapped[list[ChecklistSubmission]] = relationship(
        back_populates="employer", order_by="ChecklistSubmission.id"
    )

    __mapper_args__ = {"version_id_col": version_id}
    __table_args__ = (
        UniqueConstraint("registration_country", "registration_number"),
        CheckConstraint(
            "registration_country != 'NL' OR kvk_number IS NOT NULL", name="nl_has_kvk"
        ),
        CheckConstraint(
            "kvk_number IS NOT NULL OR registration_number IS NOT NULL", name="registered"
        ),
        CheckConstraint(
            "approved_until IS NOT NULL OR status NOT IN ('approved', 'approved_with_conditions')",
            name="approval_has_end",
        ),
    )


class ChecklistSubmission(Base):
    """One employer's answers to one checklist version, and the mediator's decision on them."""

    __tablename__ = "checklist_submission"

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employer_profile.id"), index=True)
    checklist_version: Mapped[str] = mapped_column(String(16))
    status: Mapped[SubmissionStatus] = mapped_column(
        str_enum(SubmissionStatus), default=SubmissionStatus.DRAFT
    )
    # item id → answer; dates as ISO strings.
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    decision: Mapped[Decision | None] = mapped_column(str_enum(Decision))
    reason: Mapped[str] = mapped_column(Text, default="")
    conditions: Mapped[str] = mapped_column(Text, default="")
    conditions_due: Mapped[date | None]
    score: Mapped[float | None] = mapped_column(Float)
    knock_outs: Mapped[list[str]] = mapped_column(JSON, default=list)
    version_id: Mapped[int] = mapped_column(Integer)

    employer: Mapped[EmployerProfile] = relationship(back_populates="submissions")
    evidence: Mapped[list[EvidenceFile]] = relationship(
        back_populates="submission", order_by="EvidenceFile.id"
    )

    __mapper_args__ = {"version_id_col": version_id}
    __table_args__ = (
        CheckConstraint(
            "status != 'decided' OR (decided_by_id IS NOT NULL AND decided_at IS NOT NULL"
            " AND decision IS NOT NULL)",
            name="decided_has_decider",
        ),
        CheckConstraint(
            "decision IS NULL OR (decided_by_id IS NOT NULL AND decided_at IS NOT NULL)",
            name="decision_has_decider",
        ),
        CheckConstraint(
            "decision IS NULL OR decision != 'approved_with_conditions'"
            " OR conditions_due IS NOT NULL",
            name="conditions_have_due_date",
        ),
        CheckConstraint(
            "status NOT IN ('submitted', 'decided', 'returned') OR submitted_at IS NOT NULL",
            name="submitted_has_time",
        ),
        # One open (undecided) submission per employer: two drafts could never both be vetted.
        Index(
            "uq_checklist_submission_open",
            "employer_id",
            unique=True,
            postgresql_where=text("status != 'decided'"),
            sqlite_where=text("status != 'decided'"),
        ),
    )


EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
EVIDENCE_TYPES = ("application/pdf", "image/jpeg", "image/png")


class EvidenceFile(Base):
    """A document an employer uploaded for one checklist item; the bytes live in the upload dir."""

    __tablename__ = "evidence_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("checklist_submission.id"), index=True)
    item_id: Mapped[str] = mapped_column(String(16))
    # Random, so nothing about the employer or the file's own name reaches the file system.
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(64))  # detected from the bytes
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    issued_on: Mapped[date | None]  # the document's date, for the checklist's maximum age
    expires_on: Mapped[date | None]  # the document's own end date, when it has one
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    submission: Mapped[ChecklistSubmission] = relationship(back_populates="evidence")

    __table_args__ = (
        CheckConstraint(
            f"size_bytes > 0 AND size_bytes <= {EVIDENCE_MAX_BYTES}", name="size_limit"
        ),
        CheckConstraint(
            "content_type IN ('application/pdf', 'image/jpeg', 'image/png')", name="known_type"
        ),
    )


class SignalStatus(enum.StrEnum):
    RECEIVED = "received"
    IN_REVIEW = "in_review"
    CLOSED = "closed"


class SignalOutcome(enum.StrEnum):
    ACTION_TAKEN = "action_taken"
    NO_ACTION = "no_action"
    REFERRED_TO_INSPECTORATE = "referred_to_inspectorate"  # the labour inspectorate


SIGNAL_TEXT_MAX = 10_000


class Signal(Base):
    """A report of possible exploitation by an employer or at a vacancy (the meldroute)."""

    __tablename__ = "signal"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Nullable: a reporter may only know a vacancy or a name the employer goes by.
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employer_profile.id"), index=True)
    employer_name: Mapped[str] = mapped_column(String(200), default="")
    vacancy_ref: Mapped[str] = mapped_column(String(200), default="")
    text: Mapped[str] = mapped_column(Text)
    # Nullable: the public form needs no account.
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    # The personal link a client reported through; its holder sees the feedback there.
    link_id: Mapped[int | None] = mapped_column(ForeignKey("signal_link.id"), index=True)
    contact: Mapped[str] = mapped_column(String(254), default="")
    status: Mapped[SignalStatus] = mapped_column(
        str_enum(SignalStatus), default=SignalStatus.RECEIVED
    )
    outcome: Mapped[SignalOutcome | None] = mapped_column(str_enum(SignalOutcome))
    serious: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str] = mapped_column(Text, default="")  # mediators only, never the reporter
    feedback: Mapped[str] = mapped_column(Text, default="")  # what the reporter is told
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    version_id: Mapped[int] = mapped_column(Integer)

    employer: Mapped[EmployerProfile | None] = relationship()

    __mapper_args__ = {"version_id_col": version_id}
    __table_args__ = (
        # Closed if and only if it has an outcome, a closing time and who closed it.
        CheckConstraint(
            "(status = 'closed' AND outcome IS NOT NULL AND closed_at IS NOT NULL"
            " AND closed_by_id IS NOT NULL) OR (status != 'closed' AND outcome IS NULL"
            " AND closed_at IS NULL AND closed_by_id IS NULL)",
            name="closed_has_outcome",
        ),
        CheckConstraint(f"length(text) <= {SIGNAL_TEXT_MAX}", name="text_length"),
        Index("ix_signal_status_created_at", "status", "created_at"),
    )


class SignalLink(Base):
    """A personal link a coach hands a client, to report signals without an account."""

    __tablename__ = "signal_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Only a hash of the token is kept: a leaked database yields no working links.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The coach's own reference (never a client's name): it is shown to coaches only.
    label: Mapped[str] = mapped_column(String(100), default="")
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]

    __table_args__ = (CheckConstraint("expires_at > created_at", name="expires_after_creation"),)
