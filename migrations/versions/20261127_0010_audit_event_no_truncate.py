"""audit_event is append-only: on PostgreSQL a trigger refuses TRUNCATE as well

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27 17:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Row triggers (0009) do not fire on TRUNCATE, which empties the table at once, also when
    # it comes by CASCADE from a table the log points at. SQLite has no TRUNCATE: its
    # "DELETE FROM" without a condition already meets the DELETE trigger.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event"
            " FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_event_no_truncate ON audit_event")
