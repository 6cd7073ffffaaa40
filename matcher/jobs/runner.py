"""Run a job once: take its lease, record the run, do the work in one transaction, let go.

The lease is a row per job, taken by a conditional UPDATE (an expired lease) or an INSERT (none
yet) and committed before the work starts: of two schedulers, or a scheduler and an admin's
"Run now", exactly one wins; the other records nothing and is told who holds the job.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from matcher.accounts.models import Role, User
from matcher.audit.services import record_event
from matcher.db import session_scope, utcnow
from matcher.errors import Forbidden, NotFound
from matcher.jobs.catalog import JOBS
from matcher.jobs.models import JobLease, JobRun, RunStatus, RunTrigger

log = logging.getLogger(__name__)
ERROR_MAX = 4000


@dataclass
class RunOutcome:
    """What became of one attempt: a recorded run, or the holder of the lease that stopped it."""

    job: str
    run_id: int | None = None
    status: RunStatus | None = None
    counts: dict[str, Any] = field(default_factory=dict)
    error: str = ""
    held_by: str = ""

    def __str__(self) -> str:
        if self.held_by:
            return f"{self.job}: skipped, held by {self.held_by}"
        detail = self.error or ", ".join(f"{k}={v}" for k, v in self.counts.items())
        return f"{self.job}: {self.status} ({detail})"


def default_holder() -> str:
    """Who takes a lease: this host and process, and a token so each attempt is told apart."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def run_job(
    factory: sessionmaker[Session],
    name: str,
    *,
    now: datetime | None = None,
    trigger: RunTrigger = RunTrigger.SCHEDULED,
    holder: str | None = None,
) -> RunOutcome:
    """Run one job once under its lease and record the run (start, end, status, counts, error)."""
    job = JOBS[name]
    now, holder = now or utcnow(), holder or default_holder()
    with session_scope(factory) as session:
        other = take_lease(session, name, holder, now, job.lease_seconds)
    if other is not None:
        log.info("job %s skipped: held by %s", name, other)
        return RunOutcome(name, held_by=other)
    try:
        return _run_recorded(factory, name, now, trigger)
    finally:
        with session_scope(factory) as session:
            release_lease(session, name, holder)


def take_lease(session: Session, name: str, holder: str, now: datetime, seconds: int) -> str | None:
    """Take the job's lease until now + seconds; None when taken, else who holds it."""
    until = now + timedelta(seconds=seconds)
    taken = session.execute(
        update(JobLease)
        .where(JobLease.job == name, or_(JobLease.expires_at < now, JobLease.holder == holder))
        .values(holder=holder, expires_at=until)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount:
        return None
    try:
        with session.begin_nested():
            session.add(JobLease(job=name, holder=holder, expires_at=until))
        return None
    except IntegrityError:
        # Someone holds it (or took it just now): the row tells who.
        return session.scalar(select(JobLease.holder).where(JobLease.job == name)) or "?"


def release_lease(session: Session, name: str, holder: str) -> None:
    """Let go of the job's lease, if it is still ours."""
    session.execute(delete(JobLease).where(JobLease.job == name, JobLease.holder == holder))


def last_runs(session: Session, name: str, limit: int = 10) -> list[JobRun]:
    """The job's latest runs, newest first."""
    query = select(JobRun).where(JobRun.job == name)
    return list(
        session.scalars(query.order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(limit))
    )


def _run_recorded(
    factory: sessionmaker[Session], name: str, now: datetime, trigger: RunTrigger
) -> RunOutcome:
    # The running row is committed first, so the admin page shows a job that is running.
    with session_scope(factory) as session:
        run = JobRun(job=name, trigger=trigger, started_at=now, status=RunStatus.RUNNING, counts={})
        session.add(run)
        session.flush()
        run_id = run.id
    started = time.monotonic()
    try:
        # The work and its "succeeded" commit together: counts never describe undone work.
        with session_scope(factory) as session:
            counts = JOBS[name].func(session, now)
            _finish(session, run_id, RunStatus.SUCCEEDED, now, started, counts=counts)
    except Exception as exc:  # any failure is recorded; the next run tries again
        log.exception("job %s failed", name)
        error = f"{type(exc).__name__}: {exc}"[:ERROR_MAX]
        with session_scope(factory) as session:
            _finish(session, run_id, RunStatus.FAILED, now, started, error=error)
        return RunOutcome(name, run_id, RunStatus.FAILED, error=error)
    log.info("job %s succeeded: %s", name, counts)
    return RunOutcome(name, run_id, RunStatus.SUCCEEDED, counts=counts)


def _finish(
    session: Session,
    run_id: int,
    status: RunStatus,
    now: datetime,
    started: float,
    *,
    counts: dict[str, Any] | None = None,
    error: str = "",
) -> None:
    run = session.get(JobRun, run_id)
    run.status, run.counts, run.error = status, counts or {}, error
    # Measured, not read from the clock: `now` may be a test's or a catch-up's time.
    run.finished_at = now + timedelta(seconds=time.monotonic() - started)
    session.flush()


def run_job_now(
    factory: sessionmaker[Session], admin: User, name: str, now: datetime | None = None
) -> RunOutcome:
    """An admin runs a job now, through the same lease and record as the scheduler."""
    if admin.role != Role.ADMIN:
        raise Forbidden("Only an admin may run a job.")
    if name not in JOBS:
        raise NotFound("No job named %(name)s.", name=name)
    outcome = run_job(factory, name, now=now, trigger=RunTrigger.MANUAL)
    if outcome.run_id is not None:
        with session_scope(factory) as session:
            record_event(session, admin, "run_job", "job_run", outcome.run_id, reason=name)
    return outcome
