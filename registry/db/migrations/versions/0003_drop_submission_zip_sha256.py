"""drop submissions.zip_sha256: written by nothing, read by nothing (versions keep the checksums)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05 15:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_column("zip_sha256")


def downgrade() -> None:
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("zip_sha256", sa.String(length=64), nullable=True))
