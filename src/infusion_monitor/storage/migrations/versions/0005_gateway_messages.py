"""Monitor gateway: the HL7 messages already accepted, so a resent one is not stored twice.

Revision ID: 0005_gateway_messages
Revises: 0004_reaction_record
Create Date: 2026-11-21 07:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_gateway_messages"
down_revision: str | None = "0004_reaction_record"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "gateway_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender", sa.String(length=200), nullable=False),
        sa.Column("control_id", sa.String(length=200), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("vital_signs_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["infusion_session.id"],
            name=op.f("fk_gateway_message_session_id_infusion_session"),
        ),
        sa.ForeignKeyConstraint(
            ["vital_signs_id"],
            ["vital_signs.id"],
            name=op.f("fk_gateway_message_vital_signs_id_vital_signs"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gateway_message")),
        sa.UniqueConstraint("sender", "control_id", name=op.f("uq_gateway_message_sender")),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("gateway_message")
