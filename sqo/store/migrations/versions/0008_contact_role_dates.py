"""contact_role_dates: when each buying role became known on a deal

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 17:00:00

The win-probability model learns from deals as they stood at past moments, and "buying roles
present" at a moment needs the roles' dates. Roles written before this revision keep no date.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("opportunity_contacts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("added_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("opportunity_contacts", schema=None) as batch_op:
        batch_op.drop_column("added_at")
