"""The audit log is append-only: the code never edits it, the ORM and the database refuse to."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError

from matcher.audit.models import AuditEvent, AuditLogIsAppendOnly
from matcher.audit.services import record_event
from tests.factories import make_user

ROOT = Path(__file__).resolve().parents[3]
# Every package that talks to the database; migrations are read separately (they drop triggers).
SOURCES = ("matcher", "web", "jobs")
RAW_SQL = re.compile(r"\b(update|delete\s+from|truncate(\s+table)?)\s+audit_event", re.I)


@pytest.fixture
def event(session):
    mediator = make_user(session, role="mediator")
    recorded = record_event(
        session, mediator, "decide", "employer", 7, to_state="approved", reason="in order"
    )
    session.commit()
    return recorded


def stored_reason(connection, event_id: int) -> str:
    return connection.execute(
        text("SELECT reason FROM audit_event WHERE id = :id"), {"id": event_id}
    ).scalar_one()


# The ORM


def test_changing_a_recorded_event_is_refused_on_flush(session, connection, event):
    event.reason = "nothing to see"
    with pytest.raises(AuditLogIsAppendOnly, match="cannot be changed"):
        session.flush()
    session.rollback()
    assert stored_reason(connection, event.id) == "in order"


def test_deleting_a_recorded_event_is_refused_on_flush(session, connection, event):
    session.delete(event)
    with pytest.raises(AuditLogIsAppendOnly, match="cannot be deleted"):
        session.flush()
    session.rollback()
    assert stored_reason(connection, event.id) == "in order"


@pytest.mark.parametrize(
    "statement",
    [
        update(AuditEvent).values(reason="rewritten"),
        delete(AuditEvent),
        delete(AuditEvent).where(AuditEvent.object_type == "employer"),
    ],
    ids=["update", "delete", "delete-where"],
)
def test_bulk_updates_and_deletes_through_the_orm_are_refused(
    session, connection, event, statement
):
    with pytest.raises(AuditLogIsAppendOnly):
        session.execute(statement)
    session.rollback()
    assert stored_reason(connection, event.id) == "in order"


def test_recording_and_reading_events_still_work(session, event):
    record_event(session, None, "expire", "employer", 7)
    session.commit()
    assert len(session.scalars(select(AuditEvent).where(AuditEvent.object_id == 7)).all()) == 2


# The database (triggers from migrations 0009 and 0010)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_event SET reason = 'rewritten'",
        "UPDATE audit_event SET actor_id = NULL WHERE id = :id",
        "DELETE FROM audit_event WHERE id = :id",
        "DELETE FROM audit_event",
    ],
)
def test_the_database_refuses_update_and_delete_in_raw_sql(connection, event, sql):
    with pytest.raises(DBAPIError, match="append-only"), connection.begin_nested():
        connection.execute(text(sql), {"id": event.id})
    assert stored_reason(connection, event.id) == "in order"


@pytest.mark.parametrize("sql", ["TRUNCATE audit_event", "TRUNCATE app_user CASCADE"])
def test_postgresql_refuses_to_truncate_the_log(connection, event, sql):
    if connection.dialect.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE; its DELETE FROM without a condition is refused above")
    with (
        pytest.raises(DBAPIError, match="append-only: TRUNCATE refused"),
        connection.begin_nested(),
    ):
        connection.execute(text(sql))
    assert stored_reason(connection, event.id) == "in order"


def test_the_database_still_accepts_inserts(connection, event):
    connection.execute(
        text(
            "INSERT INTO audit_event (at, action, object_type, object_id, reason, details)"
            " VALUES (:at, 'expire', 'employer', 7, '', '{}')"
        ),
        {"at": event.at},
    )
    count = "SELECT count(*) FROM audit_event WHERE object_id = 7"
    assert connection.execute(text(count)).scalar_one() == 2


# The code


def audit_edits(paths: list[Path]) -> list[str]:
    """Places that update or delete audit events: ORM statements, raw SQL, session.delete."""
    found = []
    for path in paths:
        source = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source, filename=str(path))):
            where = f"{path.name}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Call):
                name = node.func.attr if isinstance(node.func, ast.Attribute) else (
                    node.func.id if isinstance(node.func, ast.Name) else ""
                )  # fmt: skip
                targets = [ast.unparse(arg) for arg in node.args]
                if name in ("update", "delete") and any("AuditEvent" in t for t in targets):
                    found.append(f"{where} {name}({', '.join(targets)})")
                if name == "delete" and any(re.search(r"(\b|_)event|audit", t) for t in targets):
                    found.append(f"{where} delete({', '.join(targets)})")
            elif isinstance(node, ast.Constant) and RAW_SQL.search(str(node.value)):
                found.append(f"{where} SQL {node.value[:40]!r}")
    return found


def test_no_code_updates_or_deletes_audit_events():
    paths = [p for package in SOURCES for p in sorted((ROOT / package).rglob("*.py"))]
    assert len(paths) > 50
    assert audit_edits(paths) == []


def test_the_scan_catches_each_kind_of_edit(tmp_path):
    leaky = tmp_path / "leaky.py"
    leaky.write_text(
        "session.execute(update(AuditEvent).values(reason=''))\n"
        "session.execute(sa.delete(AuditEvent))\n"
        "session.delete(old_event)\n"
        "conn.execute(text('DELETE FROM audit_event WHERE id = 1'))\n"
        "conn.execute(text('update audit_event set reason = 1'))\n",
        encoding="utf-8",
    )
    assert len(audit_edits([leaky])) == 5
