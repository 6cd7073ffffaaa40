"""One SQLAlchemy session per request: opened on first use, closed when the request ends."""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.orm import Session, sessionmaker

from matcher.db import make_engine, make_session_factory

EXTENSION = "fairmatch_sessions"


def init_app(app: Flask) -> None:
    """Hold a session factory on the app: the one given in SESSION_FACTORY (tests) or a new one."""
    factory = app.config.get("SESSION_FACTORY")
    if factory is None:
        factory = make_session_factory(make_engine(app.config["DATABASE_URL"]))
    app.extensions[EXTENSION] = factory
    app.teardown_appcontext(_close_session)


def session_factory() -> sessionmaker[Session]:
    return current_app.extensions[EXTENSION]


def get_session() -> Session:
    """The request's session; views commit it once, teardown closes (and so rolls back) it."""
    if "db_session" not in g:
        g.db_session = session_factory()()
    return g.db_session


def _close_session(exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
