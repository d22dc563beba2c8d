"""Monitor feed: mean arterial pressure and the heart rate's source on each set, every value a
monitor sent with its code, and the unit's bed-label → chair mapping.

Revision ID: 0008_monitor_sources
Revises: 0007_review_indexes
Create Date: 2026-12-06 09:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_monitor_sources"
down_revision: str | None = "0007_review_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("vital_signs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mean_arterial_pressure", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("heart_rate_source", sa.String(length=100), nullable=True))
        batch_op.create_check_constraint(
            "mean_arterial_pressure",
            "mean_arterial_pressure IS NULL OR mean_arterial_pressure BETWEEN 0 AND 300",
        )
    op.create_table(
        "monitor_observation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vital_signs_id", sa.Integer(), nullable=False),
        sa.Column("vital", sa.String(length=10), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column("value", sa.Double(), nullable=False),
        sa.Column("raw", sa.String(length=40), nullable=True),
        sa.Column("used", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["vital_signs_id"],
            ["vital_signs.id"],
            name=op.f("fk_monitor_observation_vital_signs_id_vital_signs"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitor_observation")),
    )
    op.create_index(
        op.f("ix_monitor_observation_vital_signs_id"), "monitor_observation", ["vital_signs_id"]
    )
    op.create_table(
        "bed_mapping",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bed_label", sa.String(length=100), nullable=False),
        sa.Column("point_of_care", sa.String(length=100), nullable=False),
        sa.Column("facility", sa.String(length=100), nullable=False),
        sa.Column("chair_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["chair_id"], ["chair.id"], name=op.f("fk_bed_mapping_chair_id_chair")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bed_mapping")),
        sa.UniqueConstraint(
            "bed_label", "point_of_care", "facility", name=op.f("uq_bed_mapping_bed_label")
        ),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("bed_mapping")
    op.drop_index(op.f("ix_monitor_observation_vital_signs_id"), table_name="monitor_observation")
    op.drop_table("monitor_observation")
    with op.batch_alter_table("vital_signs", schema=None) as batch_op:
        batch_op.drop_constraint("ck_vital_signs_mean_arterial_pressure", type_="check")
        batch_op.drop_column("heart_rate_source")
        batch_op.drop_column("mean_arterial_pressure")
