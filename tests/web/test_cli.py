"""`fairmatch users create`, `fairmatch demo` and `fairmatch run` on a real, committed database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.accounts.models import Organisation, User
from matcher.accounts.services import check_password
from matcher.db import make_engine
from web.cli import main
from web.cli.common import open_engine


@pytest.fixture
def cli_database(fresh_database_url: str, monkeypatch) -> Iterator[str]:
    monkeypatch.setenv("DATABASE_URL", fresh_database_url)
    monkeypatch.delenv("FAIRMATCH_ENV", raising=False)
    open_engine.cache_clear()  # the commands cache their engine per process
    yield fresh_database_url
    open_engine().dispose()
    open_engine.cache_clear()


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(main, list(args), input=input)


def read_users(url: str) -> list[tuple[str, str, str, str]]:
    engine = make_engine(url)
    with Session(engine) as session:
        rows = session.execute(
            select(User.email, User.role, Organisation.name, Organisation.kind).join(
                User.organisation
            )
        ).all()
    engine.dispose()
    return sorted((email, role.value, name, kind.value) for email, role, name, kind in rows)


def test_users_create_reads_the_password_from_stdin(cli_database):
    result = run(
        "users", "create", "--email", "Ana@Shelter.example", "--role", "coach",
        "--organisation", "Shelter North", input="a long enough secret\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "created coach ana@shelter.example of Shelter North" in result.output
    assert read_users(cli_database) == [
        ("ana@shelter.example", "coach", "Shelter North", "support")
    ]
    engine = make_engine(cli_database)
    with Session(engine) as session:
        stored = session.scalar(select(User.password_hash))
    engine.dispose()
    assert check_password(stored, "a long enough secret")


def test_users_create_joins_an_existing_organisation(cli_database):
    args = ["users", "create", "--role", "mediator", "--organisation", "Fair Work"]
    assert run(*args, "--email", "a@fw.example", input="a long enough secret\n").exit_code == 0
    result = run(*args, "--email", "b@fw.example", "--language", "nl", input="another secret!!\n")
    assert result.exit_code == 0, result.output
    assert [row[2] for row in read_users(cli_database)] == ["Fair Work", "Fair Work"]


@pytest.mark.parametrize(
    ("extra", "password", "message"),
    [
        ([], "short", "error: The password must be at least 12 characters long."),
        (
            ["--organisation-kind", "employer"],
            "a long enough secret",
            "Role coach needs an organisation of kind support",
        ),
        ([], "", "error: no password on stdin"),
    ],
)
def test_users_create_explains_what_is_wrong_in_one_line(cli_database, extra, password, message):
    result = run(
        "users", "create", "--email", "x@example.org", "--role", "coach",
        "--organisation", "Somewhere", *extra, input=f"{password}\n",
    )  # fmt: skip
    assert result.exit_code == 1
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert read_users(cli_database) == []


def test_users_create_refuses_a_kind_that_contradicts_an_existing_organisation(cli_database):
    args = ["users", "create", "--role", "coach", "--organisation", "Shelter"]
    run(*args, "--email", "ana@example.org", input="a long enough secret\n")
    result = run(
        *args, "--email", "bob@example.org", "--organisation-kind", "mediating",
        input="a long enough secret\n",
    )  # fmt: skip
    assert result.exit_code == 1
    assert "error: 'Shelter' exists already as a support organisation" in result.output
    assert len(read_users(cli_database)) == 1


def test_users_create_refuses_a_duplicate_email(cli_database):
    args = ["users", "create", "--role", "coach", "--organisation", "Shelter"]
    run(*args, "--email", "ana@example.org", input="a long enough secret\n")
    result = run(*args, "--email", "ANA@example.org", input="a long enough secret\n")
    assert result.exit_code == 1
    assert "error: A user with e-mail address ana@example.org already exists." in result.output


def test_demo_seeds_the_demo_users_and_employers_once(cli_database, tmp_path, monkeypatch):
    monkeypatch.setenv("UPLOAD_DIR", str(tmp_path))
    result = run("demo")
    assert result.exit_code == 0, result.output
    assert "11 users, 8 employers, 5 clients and 0 vacancies created" in result.output
    users = read_users(cli_database)
    assert [(email, role) for email, role, _name, _kind in users if "@demo.test" in email][:4] == [
        ("admin@demo.test", "admin"),
        ("bakery@demo.test", "employer"),
        ("cleaning@demo.test", "employer"),
        ("coach@demo.test", "coach"),
    ]
    assert (
        "0 organisations, 0 users, 0 employers, 0 clients and 0 vacancies created"
        in run("demo").output
    )
    assert read_users(cli_database) == users


def test_demo_if_empty_leaves_a_database_with_users_alone(cli_database):
    run("users", "create", "--email", "ana@example.org", "--role", "coach",
        "--organisation", "Shelter", input="a long enough secret\n")  # fmt: skip
    result = run("demo", "--if-empty")
    assert result.exit_code == 0
    assert "users exist already" in result.output
    assert len(read_users(cli_database)) == 1


def test_demo_refuses_in_production(cli_database, monkeypatch):
    monkeypatch.setenv("FAIRMATCH_ENV", "production")
    result = run("demo")
    assert result.exit_code == 1
    assert "error: demo data is never seeded in production" in result.output
    assert read_users(cli_database) == []


def test_demo_users_can_sign_in_with_the_demo_password(cli_database):
    run("demo")
    from web.app import create_app

    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False})
    client = app.test_client()
    response = client.post(
        "/login", data={"email": "employer@demo.test", "password": "demo-password"}
    )
    assert response.status_code == 302
    assert "Demo Greenhouse Growers" in client.get("/").get_data(as_text=True)
    app.extensions["fairmatch_sessions"].kw["bind"].dispose()


def test_run_serves_on_localhost_5000_by_default(cli_database, monkeypatch):
    calls, warmed = [], []
    monkeypatch.setattr(Flask, "run", lambda self, **kwargs: calls.append(kwargs))
    monkeypatch.setattr("web.cli.serve.warm_search_index", warmed.append)
    result = run("run")
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:5000/" in result.output
    assert calls[0]["host"] == "127.0.0.1" and calls[0]["port"] == 5000
    assert len(warmed) == 1, "the search index is built in the background at start"
    run("run", "--host", "0.0.0.0", "--port", "8080")
    assert calls[1]["host"] == "0.0.0.0" and calls[1]["port"] == 8080
