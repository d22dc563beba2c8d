"""Staff accounts provisioned from the command line: disabled accounts and one-time codes.

``active`` false: the account can no longer sign in (it stays for the records it signed).
``setup_code_hash``/``setup_code_until``: the Argon2 hash of a one-time code an administrator
handed out, and when it expires; the member of staff signs in with it once and chooses a PIN.

Revision ID: 0011_staff_setup
Revises: 0010_vitals_confirms
Create Date: 2026-12-06 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_staff_setup"
down_revision: str | None = "0010_vitals_confirms"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("nurse", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch_op.add_column(sa.Column("setup_code_hash", sa.String(length=200), nullable=True))
        batch_op.add_column(
            sa.Column("setup_code_until", sa.DateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("nurse", schema=None) as batch_op:
        batch_op.alter_column("active", existing_type=sa.Boolean(), server_default=None)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("nurse", schema=None) as batch_op:
        batch_op.drop_column("setup_code_until")
        batch_op.drop_column("setup_code_hash")
        batch_op.drop_column("active")
