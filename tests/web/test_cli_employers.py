"""`fairmatch employers expire` on a real, committed database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from click.testing import CliRunner
from sqlalchemy.orm import Session

from matcher.db import make_engine
from matcher.employers.models import EmployerProfile
from tests.matcher.employers.builders import approved
from web.cli import main
from web.cli.common import open_engine


@pytest.fixture
def cli_database(fresh_database_url: str, monkeypatch) -> Iterator[str]:
    monkeypatch.setenv("DATABASE_URL", fresh_database_url)
    open_engine.cache_clear()  # the commands cache their engine per process
    yield fresh_database_url
    open_engine().dispose()
    open_engine.cache_clear()


def status_of(url: str, profile_id: int) -> str:
    engine = make_engine(url)
    with Session(engine) as session:
        status = session.get(EmployerProfile, profile_id).status
    engine.dispose()
    return status


def test_employers_expire_expires_ended_approvals_once(cli_database):
    engine = make_engine(cli_database)
    with Session(engine) as session:
        profile, _, _ = approved(session)  # approved until 2027-11-23
        session.commit()
        profile_id = profile.id
    engine.dispose()

    on_last_day = CliRunner().invoke(main, ["employers", "expire", "--today", "2027-11-23"])
    assert on_last_day.exit_code == 0, on_last_day.output
    assert "2027-11-23: 0 expired, 0 suspended" in on_last_day.output
    assert status_of(cli_database, profile_id) == "approved"

    after = CliRunner().invoke(main, ["employers", "expire", "--today", "2027-11-24"])
    assert after.exit_code == 0, after.output
    assert "expired: Bakery 12345678 (approval ended 2027-11-23)" in after.output
    assert status_of(cli_database, profile_id) == "expired"

    again = CliRunner().invoke(main, ["employers", "expire", "--today", "2027-11-24"])
    assert "0 expired, 0 suspended" in again.output


def test_employers_expire_refuses_a_malformed_date(cli_database):
    result = CliRunner().invoke(main, ["employers", "expire", "--today", "24-11-2027"])

    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.output or "%Y-%m-%d" in result.output
