"""Session set-up: drug display name, premedications, reaction history, MRN or date of birth.

A patient needs a name plus at least one of MRN and date of birth (either may now be empty).
Existing sessions get their protocol id as the drug name until edited; premedications start
empty.

Revision ID: 0003_session_setup
Revises: 0002_audit_context
Create Date: 2026-11-22 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_session_setup"
down_revision: str | None = "0002_audit_context"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("reaction_history", sa.Text(), nullable=False, server_default="")
        )
        batch_op.alter_column("mrn", existing_type=sa.String(length=64), nullable=True)
        batch_op.alter_column("date_of_birth", existing_type=sa.Date(), nullable=True)
        batch_op.create_check_constraint(
            "second_identifier", "mrn IS NOT NULL OR date_of_birth IS NOT NULL"
        )
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.alter_column("reaction_history", existing_type=sa.Text(), server_default=None)

    with op.batch_alter_table("infusion_session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("drug_name", sa.String(length=200), nullable=True))
        batch_op.add_column(
            sa.Column("premedications", sa.JSON(), nullable=False, server_default="[]")
        )
    op.execute("UPDATE infusion_session SET drug_name = protocol_id WHERE drug_name IS NULL")
    with op.batch_alter_table("infusion_session", schema=None) as batch_op:
        batch_op.alter_column("drug_name", existing_type=sa.String(length=200), nullable=False)
        batch_op.alter_column("premedications", existing_type=sa.JSON(), server_default=None)


def downgrade() -> None:
    """Revert this revision (patients without an MRN or date of birth must be fixed first)."""
    with op.batch_alter_table("infusion_session", schema=None) as batch_op:
        batch_op.drop_column("premedications")
        batch_op.drop_column("drug_name")
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.drop_constraint("ck_patient_second_identifier", type_="check")
        batch_op.alter_column("date_of_birth", existing_type=sa.Date(), nullable=False)
        batch_op.alter_column("mrn", existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_column("reaction_history")
