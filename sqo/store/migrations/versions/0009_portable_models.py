"""forecast_models.scoring: a trained model in the form the forecast scores it with

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 19:30:00

The estimator itself needs scikit-learn (over a second of imports) to be read back; ``scoring``
keeps the same model as NumPy arrays, checked against the estimator when it was trained. Models
trained before this revision have none and are read from the estimator, as before.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("forecast_models", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scoring", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("forecast_models", schema=None) as batch_op:
        batch_op.drop_column("scoring")
