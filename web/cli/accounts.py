"""`fairmatch users create` and `fairmatch demo`."""

from __future__ import annotations

import sys

import click
from sqlalchemy import select

from matcher.accounts.models import (
    LANGUAGES,
    ROLE_ORGANISATION_KIND,
    Organisation,
    OrganisationKind,
    Role,
)
from matcher.accounts.services import create_organisation, create_user
from matcher.config import load_settings
from matcher.demo import has_users, seed_demo
from matcher.errors import ValidationError
from web.cli import main
from web.cli.common import command_session, fail


@main.group()
def users() -> None:
    """People who sign in: job coaches, employers, mediators, admins."""


@users.command("create")
@click.option("--email", required=True, help="E-mail address; the user signs in with it.")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--organisation", "organisation_name", required=True, help="Organisation name.")
@click.option(
    "--organisation-kind",
    type=click.Choice([k.value for k in OrganisationKind]),
    help="Kind of a new organisation; by default the kind that fits the role.",
)
@click.option("--language", type=click.Choice(LANGUAGES), default="en", show_default=True)
def create_user_command(
    email: str,
    role: str,
    organisation_name: str,
    organisation_kind: str | None,
    language: str,
) -> None:
    """Create a user; the password is asked twice, or read from stdin when piped."""
    password = _read_password()
    try:
        with command_session() as session:
            organisation = session.scalar(
                select(Organisation).where(Organisation.name == organisation_name.strip())
            )
            if organisation is None:
                kind = organisation_kind or ROLE_ORGANISATION_KIND[Role(role)]
                organisation = create_organisation(session, organisation_name, kind)
            elif organisation_kind and organisation.kind != organisation_kind:
                fail(f"{organisation.name!r} exists already as a {organisation.kind} organisation")
            user = create_user(
                session,
                email=email,
                password=password,
                role=role,
                organisation=organisation,
                language=language,
            )
            click.echo(f"created {user.role.value} {user.email} of {organisation.name}")
    except ValidationError as error:
        fail(str(error))


@main.command("demo")
@click.option("--if-empty", is_flag=True, help="Only seed when nobody can sign in yet.")
def demo(if_empty: bool) -> None:
    """Seed demo organisations and users (password "demo-password"); never in production."""
    if load_settings().is_production:
        fail("demo data is never seeded in production")
    with command_session() as session:
        if if_empty and has_users(session):
            click.echo("users exist already; demo data not seeded")
            return
        result = seed_demo(session, load_settings().upload_dir)
    click.echo(
        f"demo ready: {result.organisations_created} organisations, "
        f"{result.users_created} users, {result.employers_created} employers, "
        f"{result.clients_created} clients and {result.vacancies_created} vacancies created; "
        "sign in as coach@demo.test, "
        "mediator@demo.test, employer@demo.test or admin@demo.test with 'demo-password'"
    )


def _read_password() -> str:
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        fail("no password on stdin")
    return password
