"""reps: an e-mail address may be shared

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 11:00:00

Real CRMs have many users on one address (integration users, ``noreply@...`` shared inboxes), so
the address no longer identifies a person: people are matched by external id, and a plain index
keeps look-ups by address fast.
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reps", schema=None) as batch_op:
        batch_op.drop_constraint("uq_reps_email", type_="unique")
        batch_op.create_index("ix_reps_email", ["email"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("reps", schema=None) as batch_op:
        batch_op.drop_index("ix_reps_email")
        batch_op.create_unique_constraint("uq_reps_email", ["email"])
