"""`fairmatch match propose`: re-rank and put the best new matches in the mediators' queue."""

from __future__ import annotations

import sys

import click

from matcher.errors import NotFound
from matcher.matching.proposals import refresh_proposals
from web.cli.common import command_session, fail
from web.cli.matching import match


@match.command("propose")
@click.option(
    "--client",
    "client_ids",
    type=int,
    multiple=True,
    help="Only this client (by number); repeat for several. Default: every client.",
)
def propose(client_ids: tuple[int, ...]) -> None:
    """Re-rank clients; propose their best new matches above PROPOSAL_THRESHOLD."""
    try:
        with command_session() as session:
            created = refresh_proposals(
                session, client_ids=list(client_ids) or None, progress=sys.stderr
            )
    except NotFound as error:
        fail(str(error))
    noun = "proposal" if created == 1 else "proposals"
    click.echo(f"{created} new {noun} in the review queue")
