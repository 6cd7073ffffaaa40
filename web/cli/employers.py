"""`fairmatch employers expire`: the scheduler's daily expiry run, by hand."""

from __future__ import annotations

from datetime import date, datetime

import click

from matcher.employers.expiry import expire_approvals, suspend_overdue_conditions
from web.cli import main
from web.cli.common import command_session


@main.group()
def employers() -> None:
    """Employers: vetting expiry and overdue conditions."""


@employers.command("expire")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The day to run for (YYYY-MM-DD); by default today.",
)
def expire_command(today: datetime | None) -> None:
    """Expire ended approvals and suspend employers whose conditions are overdue; idempotent."""
    day = today.date() if today else date.today()
    with command_session() as session:
        # Expiry first: an employer both expired and overdue is expired, not suspended.
        expired = expire_approvals(session, day)
        suspended = suspend_overdue_conditions(session, day)
        for profile in expired:
            click.echo(f"expired: {profile.legal_name} (approval ended {profile.approved_until})")
        for profile in suspended:
            click.echo(f"suspended: {profile.legal_name} (conditions overdue)")
    click.echo(f"{day}: {len(expired)} expired, {len(suspended)} suspended")
