"""decisions that stand: the approving state, a CHECK on status, claims by precedence, download clients

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-05 13:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

STATUSES = ("pending", "approving", "approved", "rejected", "withdrawn")


def upgrade() -> None:
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.create_check_constraint(
            "status", "status IN ({})".format(", ".join(f"'{s}'" for s in STATUSES))
        )
    op.create_table(
        "download_clients",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_download_clients")),
    )
    with op.batch_alter_table("download_clients", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_download_clients_at"), ["at"], unique=False)
    _claims_by_precedence()


def _claims_by_precedence() -> None:
    """1.0.0+build and 1.0.0 are one version by SemVer precedence: claim them alike."""
    conn = op.get_bind()
    rows = conn.execute(
        sa.text("SELECT id, claim FROM submissions WHERE claim LIKE '%+%' ORDER BY id")
    ).all()
    for sid, claim in rows:
        stripped = claim.split("+", 1)[0]
        taken = conn.execute(
            sa.text("SELECT 1 FROM submissions WHERE claim = :c"), {"c": stripped}
        ).first()
        if taken is None:  # two live submissions of one version from before: keep the older's
            conn.execute(
                sa.text("UPDATE submissions SET claim = :c WHERE id = :id"),
                {"c": stripped, "id": sid},
            )


def downgrade() -> None:
    with op.batch_alter_table("download_clients", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_download_clients_at"))
    op.drop_table("download_clients")
    op.execute("UPDATE submissions SET status = 'pending' WHERE status = 'approving'")
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_constraint("ck_submissions_status", type_="check")
