"""Reaction records: the outcome of a reaction, the nurse's CTCAE grade and the next-session flag.

Revision ID: 0004_reaction_record
Revises: 0003_session_setup
Create Date: 2026-11-22 12:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_reaction_record"
down_revision: str | None = "0003_session_setup"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "reaction_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("drug_name", sa.String(length=200), nullable=False),
        sa.Column("onset_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("disposition", sa.String(length=30), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("restarted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("restart_rate", sa.Double(), nullable=True),
        sa.Column("ctcae_term", sa.String(length=64), nullable=False),
        sa.Column("ctcae_grade", sa.Integer(), nullable=False),
        sa.Column("suggested_term", sa.String(length=64), nullable=False),
        sa.Column("suggested_grade", sa.Integer(), nullable=False),
        sa.Column("flag_next_session", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("amends_id", sa.Integer(), nullable=True),
        sa.Column("amend_reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "(amends_id IS NULL) = (amend_reason IS NULL)",
            name=op.f("ck_reaction_record_amend_reason"),
        ),
        sa.CheckConstraint(
            "ctcae_grade BETWEEN 1 AND 5", name=op.f("ck_reaction_record_ctcae_grade")
        ),
        sa.CheckConstraint(
            "suggested_grade BETWEEN 0 AND 5", name=op.f("ck_reaction_record_suggested_grade")
        ),
        sa.CheckConstraint(
            "resolved_at IS NULL OR resolved_at >= onset_at",
            name=op.f("ck_reaction_record_resolved_at"),
        ),
        sa.ForeignKeyConstraint(
            ["amends_id"],
            ["reaction_record.id"],
            name=op.f("fk_reaction_record_amends_id_reaction_record"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_reaction_record_patient_id_patient")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["nurse.id"], name=op.f("fk_reaction_record_recorded_by_id_nurse")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["infusion_session.id"],
            name=op.f("fk_reaction_record_session_id_infusion_session"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reaction_record")),
    )
    op.create_index(
        op.f("ix_reaction_record_patient_id_drug_name"),
        "reaction_record",
        ["patient_id", "drug_name"],
    )
    op.create_index(op.f("ix_reaction_record_session_id"), "reaction_record", ["session_id"])


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index(op.f("ix_reaction_record_session_id"), table_name="reaction_record")
    op.drop_index(op.f("ix_reaction_record_patient_id_drug_name"), table_name="reaction_record")
    op.drop_table("reaction_record")
