"""Two schedulers firing the same job at the same moment: it runs once, with one job_run row.

Each scheduler has its own engine (as its own process would). The job holds its lease until the
other scheduler has been turned away, so the two attempts overlap every time.
"""

from __future__ import annotations

import dataclasses
import threading

import pytest
from sqlalchemy import select

from matcher.db import make_engine, make_session_factory
from matcher.jobs import catalog
from matcher.jobs.models import JobLease, JobRun, RunStatus
from matcher.jobs.runner import run_job
from tests.concurrency.conftest import WAIT, race

JOB = "vetting"


@pytest.fixture
def held_job(monkeypatch):
    """The vetting job, made to wait inside its run until `release` is set."""
    release = threading.Event()
    original = catalog.JOBS[JOB]

    def work(session, now):
        # Before the session's first statement: the lease is held, no database lock is.
        release.wait(WAIT)  # bounded: if both schedulers got in, the test fails, never hangs
        return original.func(session, now)

    monkeypatch.setitem(catalog.JOBS, JOB, dataclasses.replace(original, func=work))
    return release


def test_two_schedulers_fire_one_job_it_runs_once(fresh_database_url, held_job):
    engines = [make_engine(fresh_database_url) for _ in range(2)]

    def scheduler(engine, holder: str):
        def fire():
            outcome = run_job(make_session_factory(engine), JOB, holder=holder)
            held_job.set()  # the one turned away lets the other finish
            return outcome

        return fire

    try:
        first, second = race(scheduler(engines[0], "host-a"), scheduler(engines[1], "host-b"))
    finally:
        held_job.set()
    assert first.error is None and second.error is None, (first.error, second.error)
    ran = [o.value for o in (first, second) if o.value.run_id is not None]
    skipped = [o.value for o in (first, second) if o.value.held_by]
    assert len(ran) == 1 and len(skipped) == 1
    winner = "host-a" if ran[0] is first.value else "host-b"
    assert str(skipped[0]) == f"{JOB}: skipped, held by {winner}"

    with make_session_factory(engines[0])() as check:
        runs = check.scalars(select(JobRun)).all()
        assert [(r.job, r.status) for r in runs] == [(JOB, RunStatus.SUCCEEDED)]
        assert check.scalars(select(JobLease)).all() == []  # let go after the run
    for engine in engines:
        engine.dispose()
