"""A nurse's set that confirms a bedside monitor's set links to it (issue 13, "Confirm set").

The monitor's set stays as it was (records are append-only); the nurse's set, with ACVPU and
oxygen assessed, names the monitor's set it confirmed.

Revision ID: 0010_vitals_confirms
Revises: 0009_quality_indexes
Create Date: 2026-12-06 09:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_vitals_confirms"
down_revision: str | None = "0009_quality_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("vital_signs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("confirms_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_vital_signs_confirms_id_vital_signs"),
            "vital_signs",
            ["confirms_id"],
            ["id"],
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("vital_signs", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_vital_signs_confirms_id_vital_signs"), type_="foreignkey"
        )
        batch_op.drop_column("confirms_id")
