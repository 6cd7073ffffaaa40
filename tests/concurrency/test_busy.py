"""SQLite with a writer holding the lock longer than the busy timeout: a form is told to try
again (503 with a message), never shown a crash, and nothing it sent is stored."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import event, func, select, text

from matcher.accounts.models import User
from matcher.db import is_sqlite
from tests.factories import PASSWORD, make_user
from web.app import create_app


def test_a_form_locked_out_by_a_long_writer_is_told_to_try_again(committed) -> None:
    engine, factory = committed
    if not is_sqlite(engine):
        pytest.skip("only SQLite has one writer at a time; PostgreSQL locks rows")

    # Wait 50 ms instead of 30 s for the lock: the same refusal, without a slow test.
    @event.listens_for(engine, "connect")
    def short_busy_timeout(dbapi_connection, connection_record) -> None:
        dbapi_connection.execute("PRAGMA busy_timeout=50")

    with factory() as session:
        user = make_user(session, role="coach")
        session.commit()
        email = user.email
    app = create_app({"TESTING": True, "SECRET_KEY": "t" * 40, "SESSION_FACTORY": factory})
    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302

    holder = sqlite3.connect(engine.url.database, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # a long import holding the write lock
        response = client.post("/coach/clients/new", data={"display_name": "Locked out"})
    finally:
        holder.rollback()
        holder.close()

    assert response.status_code == 503
    assert "The database is busy. Please try again in a moment." in response.get_data(as_text=True)
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 1
        assert session.scalar(text("SELECT count(*) FROM client")) == 0
