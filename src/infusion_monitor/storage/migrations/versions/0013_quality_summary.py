"""Per-session quality summaries: a year of the quality page becomes a GROUP BY.

``session_quality``: one row per finished session (vitals checks by phase: sets, on time, late,
skipped; the reaction with its response times); ``session_quality_missed``: its late and
skipped checks by reason; each row repeats what the page groups and filters a session by, so
a year is read from these tables alone. The app keeps them current in the transactions that change a session
(``services.quality_summary``); this revision fills them for the sessions already finished.

Revision ID: 0013_quality_summary
Revises: 0011_staff_setup
Create Date: 2026-12-06 12:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_quality_summary"
down_revision: str | None = "0012_change_log"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PHASES = ("first_hour", "later", "observation")


def upgrade() -> None:
    """Apply this revision: create the tables, then summarise every finished session."""
    kinds = ("sets", "on_time", "late", "skipped")
    counts = [
        *(sa.Column(what, sa.Integer(), nullable=False) for what in kinds),
        *(
            sa.Column(f"{what}_{phase}", sa.Integer(), nullable=False)
            for what in kinds
            for phase in _PHASES
        ),
    ]
    op.create_table(
        "session_quality",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("nurse_id", sa.Integer(), nullable=False),
        sa.Column("chair_id", sa.Integer(), nullable=False),
        sa.Column("drug_name", sa.String(length=200), nullable=False),
        sa.Column("cycle", sa.Integer(), nullable=False),
        *counts,
        sa.Column("reaction_drug", sa.String(length=200), nullable=True),
        sa.Column("reaction_term", sa.String(length=64), nullable=True),
        sa.Column("reaction_grade", sa.Integer(), nullable=True),
        sa.Column("suggested_term", sa.String(length=64), nullable=True),
        sa.Column("suggested_grade", sa.Integer(), nullable=True),
        sa.Column("disposition", sa.String(length=30), nullable=True),
        sa.Column("restart_completed", sa.Boolean(), nullable=True),
        sa.Column("to_stopped_min", sa.Double(), nullable=True),
        sa.Column("to_notified_min", sa.Double(), nullable=True),
        sa.Column("to_first_drug_min", sa.Double(), nullable=True),
        sa.Column("to_epinephrine_min", sa.Double(), nullable=True),
        sa.ForeignKeyConstraint(
            ["chair_id"], ["chair.id"], name=op.f("fk_session_quality_chair_id_chair")
        ),
        sa.ForeignKeyConstraint(
            ["nurse_id"], ["nurse.id"], name=op.f("fk_session_quality_nurse_id_nurse")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["infusion_session.id"],
            name=op.f("fk_session_quality_session_id_infusion_session"),
        ),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_session_quality")),
    )
    op.create_index(op.f("ix_session_quality_created_at"), "session_quality", ["created_at"])
    op.create_table(
        "session_quality_missed",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("checks", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["session_quality.session_id"],
            name=op.f("fk_session_quality_missed_session_id_session_quality"),
        ),
        sa.PrimaryKeyConstraint(
            "session_id", "kind", "reason", name=op.f("pk_session_quality_missed")
        ),
    )
    from sqlalchemy.orm import Session

    from infusion_monitor.services.review.quality_summary import summarise_finished_sessions

    with Session(bind=op.get_bind()) as db:
        summarise_finished_sessions(db)
        db.flush()


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("session_quality_missed")
    op.drop_table("session_quality")
