"""The change log: what each committed transaction changed, for other SQLite connections.

Every transaction that changes something the screens show writes one row (its change record as
JSON); each workstation's change feed reads the rows above the last id it saw. PostgreSQL
carries the same record as a NOTIFY payload, so there the table stays empty.

Revision ID: 0012_change_log
Revises: 0011_staff_setup
Create Date: 2026-12-06 12:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_change_log"
down_revision: str | None = "0011_staff_setup"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "change_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("committed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_log")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        op.f("ix_change_log_committed_at"), "change_log", ["committed_at"], unique=False
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index(op.f("ix_change_log_committed_at"), table_name="change_log")
    op.drop_table("change_log")
