"""`fairmatch scheduler`: APScheduler in its own process, never inside the web app.

The job store is APScheduler's SQLAlchemyJobStore on DATABASE_URL, with its own MetaData: it
creates its table `apscheduler_jobs` itself and migrations/env.py leaves that table out of
autogenerate and `alembic check`. A restart loses nothing (the next run times are stored);
coalesce runs missed runs once; max_instances=1 keeps one run per process, and the job lease
(matcher.jobs.runner) keeps one run across schedulers.
"""

from __future__ import annotations

import logging

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.blocking import BlockingScheduler

from matcher.config import load_settings
from matcher.db import make_engine, make_session_factory
from matcher.jobs.catalog import JOBS
from matcher.jobs.models import RunTrigger
from matcher.jobs.runner import run_job

log = logging.getLogger(__name__)
JOBSTORE_TABLE = "apscheduler_jobs"
MISFIRE_GRACE_SECONDS = 15 * 60


def build_scheduler(database_url: str) -> BlockingScheduler:
    """A scheduler with every job of the catalogue, stored in the database."""
    store = SQLAlchemyJobStore(engine=make_engine(database_url), tablename=JOBSTORE_TABLE)
    scheduler = BlockingScheduler(
        jobstores={"default": store},
        job_defaults={
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": MISFIRE_GRACE_SECONDS,
        },
        timezone="UTC",
    )
    for job in JOBS.values():
        trigger = dict(job.schedule)
        # By reference, so the stored job survives restarts; replaced to follow the catalogue.
        scheduler.add_job(
            "jobs.scheduler:run_scheduled",
            trigger.pop("trigger"),
            args=[job.name],
            id=job.name,
            name=job.name,
            replace_existing=True,
            **trigger,
        )
    return scheduler


def run_scheduled(name: str) -> None:
    """Run one job now, as the scheduler does: under its lease, recorded, on its own engine."""
    engine = make_engine(load_settings().database_url)
    try:
        outcome = run_job(make_session_factory(engine), name, trigger=RunTrigger.SCHEDULED)
        log.info("%s", outcome)
    finally:
        engine.dispose()
