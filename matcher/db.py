"""Engine, session factory and declarative base, usable without Flask."""

from __future__ import annotations

import enum
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import DateTime, Enum, MetaData, create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.types import TypeDecorator

from matcher.errors import InvalidTransition

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given; use matcher.db.utcnow()")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


def utcnow() -> datetime:
    return datetime.now(UTC)


def str_enum(enum_cls: type[enum.StrEnum], length: int = 32, name: str | None = None) -> Enum:
    """Store a StrEnum by value as VARCHAR with a CHECK constraint (SQLite and PostgreSQL alike).

    ``name`` names the CHECK constraint when one table has two columns of the same enum.
    """
    return Enum(
        enum_cls,
        native_enum=False,
        create_constraint=True,
        length=length,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
        name=name or enum_cls.__name__.lower(),
    )


def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINT and BEGIN; take it over.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    # WAL lets the web app read while an import writes; in-memory databases ignore it.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _sqlite_begin(conn) -> None:
    # A deferred transaction reads a snapshot; if another writer commits before it writes,
    # SQLite refuses the write at once ("database is locked", no busy wait): a lost race
    # would crash instead of being told. Writers therefore take the lock at BEGIN.
    immediate = conn.get_execution_options().get(SQLITE_BEGIN) == "IMMEDIATE"
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


SQLITE_BEGIN = "fairmatch_sqlite_begin"


def make_engine(url: str, **kwargs) -> Engine:
    """Create an engine for a database URL; SQLite gets WAL, foreign keys, a busy timeout."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def open_writer(factory: sessionmaker[Session]) -> Session:
    """A session for a unit of work that writes: on SQLite it takes the write lock at BEGIN.

    Writers then wait for each other (busy_timeout) and each reads what the one before it
    committed, so version checks tell the loser of a race instead of a crash. PostgreSQL, and
    sessions bound to a connection (tests), are left as they are.
    """
    bind = factory.kw.get("bind")
    if isinstance(bind, Engine) and bind.dialect.name == "sqlite":
        return factory(bind=bind.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"}))
    return factory()


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction for a command or a job: commit on success, roll back on error."""
    session = open_writer(factory)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def is_sqlite(engine_or_session: Engine | Session) -> bool:
    bind = (
        engine_or_session.get_bind()
        if isinstance(engine_or_session, Session)
        else engine_or_session
    )
    return bind.dialect.name == "sqlite"


@contextmanager
def first_writer_wins(message: str) -> Iterator[None]:
    """Tell the loser of an optimistic-lock race (version_id_col) what happened, in words."""
    try:
        yield
    except StaleDataError:
        raise InvalidTransition(message) from None
