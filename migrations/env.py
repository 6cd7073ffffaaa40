"""Alembic environment: the URL comes from DATABASE_URL, or a connection handed in by code."""

from logging.config import fileConfig

from alembic import context

from matcher.config import load_settings
from matcher.db import make_engine
from matcher.models import metadata

config = context.config
if config.config_file_name is not None and not config.attributes.get("connection"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(load_settings().database_url)
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


# APScheduler's job store keeps its own table with its own MetaData (jobs/scheduler.py) and
# creates it itself; it is not part of our schema, so autogenerate and `alembic check` skip it.
EXTERNAL_TABLES = {"apscheduler_jobs"}


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    table = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", None)
    return table not in EXTERNAL_TABLES


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite cannot ALTER most things; batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported: set DATABASE_URL and run online")
run_migrations_online()
