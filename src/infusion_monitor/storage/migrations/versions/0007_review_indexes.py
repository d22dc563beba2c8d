"""Indexes for the charge nurse's review list: sessions by date, drug and nurse; priorities.

A year of a 20-chair unit (about 15,000 sessions) must list its first filtered page in well under
100 ms: the date-sorted list walks ``created_at``, a drug or nurse filter its own index, and the
"highest priority at least ..." filter probes ``(session_id, priority)`` once per session.

Revision ID: 0007_review_indexes
Revises: 0006_session_pregnant
Create Date: 2026-11-23 12:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0007_review_indexes"
down_revision: str | None = "0006_session_pregnant"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_INDEXES = (
    ("infusion_session", ("created_at",)),
    ("infusion_session", ("drug_name", "created_at")),
    ("infusion_session", ("nurse_id", "created_at")),
    ("assessment", ("session_id", "priority")),
)


def _name(table: str, columns: Sequence[str]) -> str:
    return f"ix_{table}_{'_'.join(columns)}"


def upgrade() -> None:
    """Apply this revision."""
    for table, columns in _INDEXES:
        op.create_index(op.f(_name(table, columns)), table, list(columns))


def downgrade() -> None:
    """Revert this revision."""
    for table, columns in reversed(_INDEXES):
        op.drop_index(op.f(_name(table, columns)), table_name=table)
