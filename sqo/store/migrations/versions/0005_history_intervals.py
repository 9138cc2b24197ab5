"""history_intervals: each analytics value with the time it was replaced, as a view

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 19:00:00

Analytics ask what a deal's stage, amount or close date was at a moment. The view gives every
analytics row of history its ``valid_until`` (the next change of the same field of the same
record), so that question is a filter, written once for the workspace database and the analytics
copy alike (see sqo/store/intervals.py, whose SELECT the view is).
"""

from alembic import op

from sqo.store import tables
from sqo.store.intervals import create_view_sql, drop_view_sql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(create_view_sql(tables.history, op.get_bind().dialect))


def downgrade() -> None:
    op.execute(drop_view_sql())
