"""history: a covering, partial index for analytics

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 17:30:00

Analytics (funnel milestones, pipeline states at a moment) read the stage, amount, close date,
owner and closed-at rows of history per record in time order. This index holds exactly those
columns for exactly those (short-valued) fields, so the reads are one ordered index scan.
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

WHERE = "field IN ('stage', 'amount_cents', 'close_date', 'owner_id', 'closed_at')"


def upgrade() -> None:
    with op.batch_alter_table("history", schema=None) as batch_op:
        batch_op.create_index(
            "ix_history_analytics",
            ["record_type", "field", "record_id", "changed_at", "id", "new_value"],
            unique=False,
            sqlite_where=sa.text(WHERE),
            postgresql_where=sa.text(WHERE),
        )


def downgrade() -> None:
    with op.batch_alter_table("history", schema=None) as batch_op:
        batch_op.drop_index("ix_history_analytics")
