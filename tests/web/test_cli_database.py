"""Commands on a database that is not ready say so in one line instead of a traceback."""

from click.testing import CliRunner

from web.cli import main
from web.cli.common import open_engine


def _run(args: list[str], url: str):
    open_engine.cache_clear()
    try:
        return CliRunner().invoke(main, args, env={"DATABASE_URL": url})
    finally:
        open_engine.cache_clear()


def test_a_command_on_an_uninitialised_database_asks_for_init_db(tmp_path):
    result = _run(["demo"], f"sqlite:///{tmp_path / 'empty.db'}")
    assert result.exit_code == 1
    assert "run `fairmatch init-db` first" in result.output
    assert "Traceback" not in result.output


def test_init_db_then_the_same_command_works(tmp_path):
    url = f"sqlite:///{tmp_path / 'new.db'}"
    assert _run(["init-db"], url).exit_code == 0
    result = _run(["demo"], url)
    assert result.exit_code == 0, result.output


def test_an_unreachable_database_is_one_clear_line():
    result = _run(["demo"], "postgresql+psycopg://nobody@127.0.0.1:9/none")
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: cannot open the database")
