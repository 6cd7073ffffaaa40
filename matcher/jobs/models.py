"""Job runs, the leases that keep two schedulers from running one job, and expiry warnings sent."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from matcher.db import Base, str_enum


class RunStatus(enum.StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class RunTrigger(enum.StrEnum):
    SCHEDULED = "scheduled"
    MANUAL = "manual"


class JobRun(Base):
    """One run of a job: when, how it ended, what it counted, and the error if it failed."""

    __tablename__ = "job_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(64))
    trigger: Mapped[RunTrigger] = mapped_column(str_enum(RunTrigger))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    status: Mapped[RunStatus] = mapped_column(str_enum(RunStatus))
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        Index("ix_job_run_job_started", "job", "started_at"),
        CheckConstraint(
            "(status = 'running') = (finished_at IS NULL)", name="finished_unless_running"
        ),
    )


class JobLease(Base):
    """Who runs a job right now, until when: taken by a conditional write, so only one wins."""

    __tablename__ = "job_lease"

    job: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime]


class ExpiryWarning(Base):
    """An expiry warning sent: one per employer, end date and threshold, never twice."""

    __tablename__ = "expiry_warning"

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employer_profile.id"), index=True)
    ends_on: Mapped[date]
    days_before: Mapped[int]
    sent_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("employer_id", "ends_on", "days_before"),)
