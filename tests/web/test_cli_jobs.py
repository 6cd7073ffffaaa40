"""`fairmatch jobs run NAME [--now]` and `fairmatch scheduler` on a real, committed database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from jobs.scheduler import build_scheduler
from matcher.db import make_engine
from matcher.jobs.catalog import JOBS
from matcher.jobs.models import JobRun, RunTrigger
from matcher.jobs.runner import take_lease
from tests.web.test_cli import run
from web.cli.common import open_engine


@pytest.fixture
def cli_database(fresh_database_url: str, monkeypatch) -> Iterator[str]:
    monkeypatch.setenv("DATABASE_URL", fresh_database_url)
    open_engine.cache_clear()  # the commands cache their engine per process
    yield fresh_database_url
    open_engine().dispose()
    open_engine.cache_clear()


def read_runs(url: str) -> list[JobRun]:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return list(session.scalars(select(JobRun).order_by(JobRun.id)))
    finally:
        engine.dispose()


def test_jobs_run_runs_one_job_as_of_the_given_moment_and_records_it(cli_database):
    result = run("jobs", "run", "vetting", "--now", "2030-05-01T01:00")

    assert result.exit_code == 0, result.output
    assert "vetting: succeeded (expired=0, suspended=0, warned=0)" in result.output
    [recorded] = read_runs(cli_database)
    assert recorded.started_at == datetime(2030, 5, 1, 1, tzinfo=UTC)
    assert recorded.trigger == RunTrigger.MANUAL


def test_jobs_run_refuses_an_unknown_job_and_a_bad_moment(cli_database):
    assert run("jobs", "run", "nothing").exit_code == 2
    result = run("jobs", "run", "vetting", "--now", "tomorrow")
    assert result.exit_code == 1 and "not an ISO 8601 moment" in result.output
    assert read_runs(cli_database) == []


def test_jobs_run_says_who_holds_the_job_and_fails(cli_database):
    engine = make_engine(cli_database)
    with Session(engine) as session:
        take_lease(session, "retention", "scheduler-a", datetime(2030, 5, 1, tzinfo=UTC), 3600)
        session.commit()
    engine.dispose()

    result = run("jobs", "run", "retention", "--now", "2030-05-01T00:30")

    assert result.exit_code == 1
    assert "retention: skipped, held by scheduler-a" in result.output
    assert read_runs(cli_database) == []


def test_the_scheduler_stores_every_job_in_the_database(cli_database):
    scheduler = build_scheduler(cli_database)
    stored = {job.id: job for job in scheduler.get_jobs()}

    assert set(stored) == set(JOBS)
    assert stored["rerank_changed"].args == ("rerank_changed",)
    assert scheduler._job_defaults["coalesce"] is True
    assert scheduler._job_defaults["max_instances"] == 1
