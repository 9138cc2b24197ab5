"""The two ways a record's milestones are credited, chosen by how many touches it has.

A record with at most one touch gets, under every model, all of a milestone's credit on that
touch when it came at or before the milestone, else on "no touch": so those records (nearly all,
in most workspaces) are counted per campaign in one grouped query. Only records with several
touches come back to Python, touch by touch in record order, for the models to split their
credit (:func:`sqo.analytics.attribution.credit.shares`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    ColumnElement,
    Connection,
    DateTime,
    Integer,
    String,
    Table,
    and_,
    case,
    func,
    or_,
    select,
    text,
)
from sqlalchemy.sql.selectable import FromClause

from sqo.analytics.attribution.credit import Touch
from sqo.analytics.attribution.touches import moment, touch_order, touches_select
from sqo.analytics.temp_tables import temporary


@dataclass(frozen=True)
class Window:
    start: datetime | None = None
    end: datetime | None = None  # exclusive

    def holds(self, at: datetime | None) -> bool:
        if at is None:
            return False
        return (self.start is None or at >= self.start) and (self.end is None or at < self.end)

    def sql(self, at: ColumnElement[Any]) -> ColumnElement[bool]:
        conditions: list[ColumnElement[bool]] = [at.is_not(None)]
        if self.start is not None:
            conditions.append(at >= self.start)
        if self.end is not None:
            conditions.append(at < self.end)
        return and_(*conditions)


@dataclass(frozen=True)
class Milestones:
    """When a funnel record reached each ladder step (None: not reached)."""

    key: int
    reached: tuple[datetime | None, ...]


@contextmanager
def touch_table(connection: Connection, as_of: datetime) -> Iterator[Table]:
    """Every touch with ``touches``, how many its record has, and ``rank``, its place among
    them in time order (from 1), in a temporary table."""
    every = touches_select(as_of).subquery("every_touch")
    query = select(
        *every.c,
        func.count().over(partition_by=every.c.key).label("touches"),
        func.row_number()
        .over(partition_by=every.c.key, order_by=touch_order(every)[1:])
        .label("rank"),
    ).select_from(every)
    columns: list[Column[Any]] = [
        Column("key", Integer),
        Column("at", DateTime),
        Column("campaign_id", Integer),
        Column("channel", String),
        Column("touches", Integer),
        Column("rank", Integer),
    ]
    with temporary(connection, query, columns, "touches") as table:
        keyed(connection, table)
        yield table


def keyed(connection: Connection, table: Table) -> None:
    """An index on a temporary table's ``key``: the credit queries join on it, and a temporary
    table has none (SQLite would otherwise scan it once per record)."""
    if connection.dialect.name in ("sqlite", "postgresql"):
        connection.execute(text(f"CREATE INDEX {table.name}_key ON {table.name} (key)"))


@dataclass(frozen=True)
class OneTouchLine:
    """Records with at most one touch, per (campaign, channel) of that touch: per step, how many
    reached it in the window with the touch before it (``credited``) and without (``untouched``);
    the same for the SQO pipeline and won revenue (cents)."""

    campaign_id: int | None
    channel: str | None
    credited: list[int]
    untouched: list[int]
    pipeline: tuple[int, int]  # (credited, untouched)
    won: tuple[int, int]


def reached(connection: Connection, times: Any, steps: int, window: Window) -> list[int]:
    """Records reaching each step in the window: the funnel's counts."""
    columns = [
        func.coalesce(func.sum(case((window.sql(times.c[f"m{i}"]), 1), else_=0)), 0)
        for i in range(steps)
    ]
    row = connection.execute(select(*columns).select_from(times)).one()
    return [int(v) for v in row]


def one_touch_lines(
    connection: Connection,
    times: Any,
    touches: Table,
    values: FromClause,
    steps: int,
    sqo: int,
    won: int,
    window: Window,
) -> list[OneTouchLine]:
    at = touches.c.at
    source = times.outerjoin(touches, touches.c.key == times.c.key).outerjoin(
        values, values.c.record_id == times.c.key
    )
    amount = func.coalesce(values.c.cents, 0).cast(BigInteger)

    def total(condition: ColumnElement[bool], value: Any = 1) -> Any:
        return func.coalesce(func.sum(case((condition, value), else_=0)), 0)

    columns = []
    for i in range(steps):
        m = times.c[f"m{i}"]
        columns.append(total(and_(window.sql(m), at <= m)))
        columns.append(total(and_(window.sql(m), or_(at.is_(None), at > m))))
    for i in (sqo, won):
        m = times.c[f"m{i}"]
        columns.append(total(and_(window.sql(m), at <= m), amount))
        columns.append(total(and_(window.sql(m), or_(at.is_(None), at > m)), amount))
    query = (
        select(touches.c.campaign_id, touches.c.channel, *columns)
        .select_from(source)
        .where(or_(touches.c.touches.is_(None), touches.c.touches == 1))
        .group_by(touches.c.campaign_id, touches.c.channel)
    )
    lines = []
    for row in connection.execute(query):
        counts = [int(v) for v in row[2:]]
        lines.append(
            OneTouchLine(
                row[0],
                row[1],
                counts[0 : 2 * steps : 2],
                counts[1 : 2 * steps : 2],
                (counts[2 * steps], counts[2 * steps + 1]),
                (counts[2 * steps + 2], counts[2 * steps + 3]),
            )
        )
    return lines


def many_touch_records(
    connection: Connection, times: Any, touches: Table, values: FromClause, steps: int
) -> Iterator[tuple[Milestones, list[Touch], int]]:
    """Each record with several touches: its milestones, touches in time order, and amount."""
    query = (
        select(
            touches.c.key,
            touches.c.at,
            touches.c.campaign_id,
            touches.c.channel,
            func.coalesce(values.c.cents, 0),
            *[times.c[f"m{i}"] for i in range(steps)],
        )
        .select_from(
            touches.join(times, times.c.key == touches.c.key).outerjoin(
                values, values.c.record_id == touches.c.key
            )
        )
        .where(touches.c.touches > 1)
        .order_by(*touch_order(touches))
    )
    current: Milestones | None = None
    path: list[Touch] = []
    amount = 0
    for row in connection.execute(query):
        key = int(row[0])
        if current is None or key != current.key:
            if current is not None:
                yield current, path, amount
            reached_at = tuple(None if v is None else moment(v) for v in row[5:])
            current, path, amount = Milestones(key, reached_at), [], int(row[4])
        path.append(Touch(moment(row[1]), row[2], row[3]))
    if current is not None:
        yield current, path, amount
