"""History as intervals: each value a field held, from when it was set until it was replaced.

Every analytics query asks "what was this deal's stage (amount, close date, ...) at T". Written
against ``history`` directly, that is a ranking window per question; written against intervals,
it is a filter: the row with ``valid_from <= T`` and (``valid_until`` NULL or ``> T``). This module
defines ``history_intervals`` once, for every engine:

- SQLite and PostgreSQL: a view over ``history`` (migration 0005), compiled from
  :func:`intervals_select`;
- the analytics copy (DuckDB): a table of the same name and columns, kept up to date by the
  copy's refresh (``sqo.store.analytics_copy``) with the same ``valid_until`` rule;
- other engines (Parquet files read by Spark) register :func:`intervals_select` as a view.

Ties: of two rows of a field at the same ``changed_at``, the one with the lower id ends at that
same moment (an empty interval), so the value at T is the row with the highest (changed_at, id):
what a ranking by (changed_at desc, id desc) picks.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    ColumnElement,
    DateTime,
    Dialect,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    literal_column,
    select,
)
from sqlalchemy.sql.selectable import Select

from sqo.store.tables import ANALYTICS_FIELDS

NAME = "history_intervals"

intervals_metadata = MetaData()  # a view, not a table of the workspace schema
history_intervals = Table(
    NAME,
    intervals_metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("record_type", String(20), nullable=False),
    Column("record_id", Integer, nullable=False),
    Column("field", String(40), nullable=False),
    Column("new_value", Text),
    Column("valid_from", DateTime, nullable=False),
    Column("valid_until", DateTime),
)


def analytics_rows(history: Table) -> ColumnElement[bool]:
    """The partial index's own condition, spelled with literals: SQLite uses a partial index only
    when the query repeats its WHERE term, and then reads history through that covering index."""
    return history.c.field.in_([literal_column(f"'{f}'") for f in ANALYTICS_FIELDS])


def next_change(table: Table, at: ColumnElement[Any]) -> ColumnElement[Any]:
    """When the value of a row was replaced: the next ``at`` of the same record and field in
    (``at``, id) order, NULL while current. The partition follows the index's column order
    (record_type, field, record_id), so that SQLite reads it in order without sorting."""
    return func.lead(at).over(
        partition_by=(table.c.record_type, table.c.field, table.c.record_id),
        order_by=(at, table.c.id),
    )


def intervals_select(history: Table) -> Select[Any]:
    """``history_intervals`` derived from a ``history`` table (its columns id, record_type,
    record_id, field, new_value, changed_at): the analytics fields' rows only."""
    h = history
    return select(
        h.c.id,
        h.c.record_type,
        h.c.record_id,
        h.c.field,
        h.c.new_value,
        h.c.changed_at.label("valid_from"),
        next_change(h, h.c.changed_at).label("valid_until"),
    ).where(analytics_rows(h))


def create_view_sql(history: Table, dialect: Dialect) -> str:
    """The DDL of the view on ``dialect`` (SQLite or PostgreSQL)."""
    query = intervals_select(history).compile(
        dialect=dialect, compile_kwargs={"literal_binds": True}
    )
    return f"CREATE VIEW {NAME} AS {query}"


def drop_view_sql() -> str:
    return f"DROP VIEW IF EXISTS {NAME}"
