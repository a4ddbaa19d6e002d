"""organisations.example: the organisations (and so the packs) that seed made, not a council

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 16:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("example", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    # `cmsreg-server seed` marks the organisations it makes (again, on registries seeded before).


def downgrade() -> None:
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_column("example")
