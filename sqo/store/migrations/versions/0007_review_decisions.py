"""review_decisions: what the weekly review decided about a deal, and the deal as it stood then

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 22:00:00

The next week's review says whether each decision held (the deal advanced, or slipped again):
that needs the decision, its owner and due date, and the deal's stage, close date and amount when
it was taken.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "review_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("opportunity_id", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("park_until", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.Column("decided_by", sa.String(length=120), nullable=False),
        sa.Column("stage", sa.String(length=40), nullable=False),
        sa.Column("close_date", sa.Date(), nullable=True),
        sa.Column("amount_cents", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["opportunities.id"],
            name=op.f("fk_review_decisions_opportunity_id_opportunities"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["reps.id"], name=op.f("fk_review_decisions_owner_id_reps")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_decisions")),
    )
    op.create_index(
        "ix_review_decisions_decided_at", "review_decisions", ["decided_at"], unique=False
    )
    op.create_index(
        "ix_review_decisions_opportunity_id", "review_decisions", ["opportunity_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_review_decisions_opportunity_id", table_name="review_decisions")
    op.drop_index("ix_review_decisions_decided_at", table_name="review_decisions")
    op.drop_table("review_decisions")
