"""exchange_rates: rates against the corporate currency, static and dated

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 12:00:00

Multi-currency CRMs keep each deal in its own currency; sums in the corporate currency need the
rates (Salesforce's CurrencyType and DatedConversionRate, or a rates file).
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "exchange_rates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("rate", sa.String(length=40), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("external_id", sa.String(length=120), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_rates")),
        sa.UniqueConstraint("external_id", name=op.f("uq_exchange_rates_external_id")),
    )
    op.create_index(
        "ix_exchange_rates_currency_valid_from",
        "exchange_rates",
        ["currency", "valid_from"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_exchange_rates_currency_valid_from", table_name="exchange_rates")
    op.drop_table("exchange_rates")
