"""forecast_models and saved_forecasts: fitted win-probability models and frozen forecasts

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 22:00:00

The forecast learns from history: the fitted model is kept in the workspace (its joblib bytes as
base64 text, which exports and restores like any value; training window, features and scores), and each saved forecast is kept so that it can be held against what
actually closed (the first of each period is the baseline).
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "forecast_models",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trained_at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("window_start", sa.DateTime(), nullable=False),
        sa.Column("window_end", sa.DateTime(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("won", sa.Integer(), nullable=False),
        sa.Column("lost", sa.Integer(), nullable=False),
        sa.Column("features", sa.JSON(), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("model", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forecast_models")),
    )
    op.create_table(
        "saved_forecasts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("saved_at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("team", sa.String(length=120), nullable=True),
        sa.Column("rep", sa.String(length=120), nullable=True),
        sa.Column("as_of", sa.DateTime(), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("won_cents", sa.BigInteger(), nullable=False),
        sa.Column("expected_cents", sa.BigInteger(), nullable=False),
        sa.Column("p10_cents", sa.BigInteger(), nullable=False),
        sa.Column("p50_cents", sa.BigInteger(), nullable=False),
        sa.Column("p90_cents", sa.BigInteger(), nullable=False),
        sa.Column("baseline", sa.Boolean(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_forecasts")),
    )
    op.create_index(
        "ix_saved_forecasts_period_team_rep",
        "saved_forecasts",
        ["period", "team", "rep"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_saved_forecasts_period_team_rep", table_name="saved_forecasts")
    op.drop_table("saved_forecasts")
    op.drop_table("forecast_models")
