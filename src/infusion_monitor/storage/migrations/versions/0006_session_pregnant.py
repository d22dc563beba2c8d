"""Pregnancy at set-up: NEWS2 does not apply in pregnancy (rules-spec §4).

Existing sessions are recorded as not pregnant (what the rules assumed when they were graded).

Revision ID: 0006_session_pregnant
Revises: 0005_gateway_messages
Create Date: 2026-11-23 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_session_pregnant"
down_revision: str | None = "0005_gateway_messages"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("infusion_session", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("pregnant", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("infusion_session", schema=None) as batch_op:
        batch_op.alter_column("pregnant", existing_type=sa.Boolean(), server_default=None)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("infusion_session", schema=None) as batch_op:
        batch_op.drop_column("pregnant")
