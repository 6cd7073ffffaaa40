"""One SQLAlchemy session per request: opened on first use, closed when the request ends.

On SQLite only one connection writes at a time. Forms (every method but GET) take the write lock
when their transaction begins, so two mediators deciding one thing wait for each other and the
second is told. Pages only read, so a running ESCO import never holds them up; the few that also
write (the audit log of a view) and find that another writer committed since they read are
refused by SQLite at once, and run once more, taking the write lock first (`_RetryLockedPages`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from flask import Flask, current_app, g, has_request_context, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from matcher.db import make_engine, make_session_factory, open_writer
from web.extensions import login_manager

EXTENSION = "fairmatch_sessions"
# WSGI environ keys: a page refused by SQLite's lock, and its second run, which writes first.
LOCKED = "fairmatch.sqlite_locked"
WRITER = "fairmatch.sqlite_writer"
READS = ("GET", "HEAD", "OPTIONS")


def init_app(app: Flask) -> None:
    """Hold a session factory on the app: the one given in SESSION_FACTORY (tests) or a new one."""
    factory = app.config.get("SESSION_FACTORY")
    if factory is None:
        factory = make_session_factory(make_engine(app.config["DATABASE_URL"]))
    app.extensions[EXTENSION] = factory
    app.teardown_appcontext(_close_session)
    bind = getattr(factory, "kw", {}).get("bind")  # tests may pass a stand-in
    if isinstance(bind, Engine) and bind.dialect.name == "sqlite":
        app.register_error_handler(OperationalError, _busy)
        app.wsgi_app = _RetryLockedPages(app.wsgi_app)


def session_factory() -> sessionmaker[Session]:
    return current_app.extensions[EXTENSION]


def get_session() -> Session:
    """The request's session; views commit it once, teardown closes (and so rolls back) it."""
    if "db_session" not in g:
        writes = has_request_context() and (
            request.method not in READS or request.environ.get(WRITER)
        )
        g.db_session = open_writer(session_factory()) if writes else session_factory()()
    return g.db_session


def _close_session(exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def _is_locked(error: BaseException) -> bool:
    return isinstance(error, OperationalError) and "database is locked" in str(error.orig)


def _busy(error: OperationalError) -> ResponseReturnValue:
    """A page refused by the lock runs once more (below); a form still locked out after the busy
    timeout (a long import holds the lock) is told to try again, not shown a crash."""
    if not _is_locked(error):
        raise error
    request.environ[LOCKED] = True
    # Who is signed in (and so their language) is read from the database: not now.
    g._login_user = login_manager.anonymous_user()
    message = gettext("The database is busy. Please try again in a moment.")
    return render_template("errors/busy.html", message=message), 503, {"Retry-After": "5"}


class _RetryLockedPages:
    """Run a page refused by SQLite's write lock once more, as a writer; else pass it through."""

    def __init__(self, wsgi_app: Callable) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") not in READS:
            return self.wsgi_app(environ, start_response)
        first, started = dict(environ), []

        def hold(status: str, headers: list, exc_info: object = None) -> Callable:
            started[:] = [status, headers]
            return lambda data: None

        try:
            result = self.wsgi_app(first, hold)
            try:
                body = b"".join(result)
            finally:
                getattr(result, "close", lambda: None)()
        except OperationalError as error:  # propagated when the app is TESTING
            if not _is_locked(error):
                raise
            first[LOCKED] = True
        if first.get(LOCKED):
            return self.wsgi_app({**environ, WRITER: True}, start_response)
        start_response(*started)
        return [body]
