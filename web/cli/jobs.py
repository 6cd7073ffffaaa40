"""`fairmatch scheduler` (the jobs, in their own process) and `fairmatch jobs run NAME`."""

from __future__ import annotations

import contextlib
import logging
from datetime import UTC, datetime

import click

from matcher.db import make_session_factory
from matcher.jobs.catalog import JOBS
from matcher.jobs.models import RunStatus, RunTrigger
from matcher.jobs.runner import run_job
from web.cli import main
from web.cli.common import command_session, fail, open_engine


@main.command("scheduler")
def scheduler() -> None:
    """Run the scheduled jobs until stopped (one process; never inside the web app)."""
    from jobs.scheduler import build_scheduler

    with command_session():
        pass  # refuses an unreachable or unmigrated database with a clear message
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    built = build_scheduler(open_engine().url.render_as_string(hide_password=False))
    click.echo(f"scheduler started with {len(JOBS)} jobs; stop with Ctrl+C")
    with contextlib.suppress(KeyboardInterrupt, SystemExit):
        built.start()


@main.group("jobs")
def jobs() -> None:
    """Run a scheduled job by hand (for cron or a test)."""


@jobs.command("run")
@click.argument("name", type=click.Choice(sorted(JOBS)))
@click.option("--now", "now_text", help="Run as of this moment (ISO 8601; default: now, UTC).")
def run(name: str, now_text: str | None) -> None:
    """Run one job once, under its lease, and record the run."""
    now = _parse_now(now_text) if now_text else None
    with command_session():
        pass
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    outcome = run_job(make_session_factory(open_engine()), name, now=now, trigger=RunTrigger.MANUAL)
    click.echo(str(outcome))
    if outcome.held_by or outcome.status == RunStatus.FAILED:
        raise SystemExit(1)


def _parse_now(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        fail(f"--now: not an ISO 8601 moment: {text!r}")
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
