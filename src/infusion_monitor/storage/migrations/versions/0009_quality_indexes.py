"""Indexes for the quality page and the review list sorted by vitals on time.

Counting a session's recorded sets (``amends_id IS NULL``), finding its notes (late and
skipped checks) and the time of its first start or end become index-only probes, so a year of
sessions sorts by "vitals on time" or duration, and the quality page counts a year's sets,
without reading every vitals or event row.

Revision ID: 0009_quality_indexes
Revises: 0008_monitor_sources
Create Date: 2026-12-06 09:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0009_quality_indexes"
down_revision: str | None = "0008_monitor_sources"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_INDEXES = (
    ("vital_signs", ("session_id", "amends_id")),
    ("session_event", ("session_id", "type", "at")),
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
