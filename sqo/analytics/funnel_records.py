"""Milestone times of every funnel record, kept in the analytics copy between commands.

Why: deriving them means grouping every stage change of every record (three million rows for a
million opportunities), about a second per command. They change only for the records whose
history moved, so the copy keeps them (for one ladder). This module defines them
(:func:`kept_records`); the copy creates and refreshes the table in its own refresh, before the
command reads (``sqo.store.kept_records``). A command then only reads them, trimmed to its "as
of" moment:

- a milestone reached after ``as_of`` was not reached yet (the first time a step is reached is the
  same whether later history exists or not), and a record first seen after ``as_of`` did not
  exist;
- the current stage is the latest one unless the record changed stage after ``as_of``; for those
  few records it is read from history as it stood then.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    case,
    func,
    select,
)
from sqlalchemy.sql.selectable import Select, Subquery

from sqo.analytics.milestones import Ladder, milestone_times
from sqo.store.kept_records import NAME, KeptRecords

END_OF_TIME = datetime(9999, 12, 31)
# Set on a connection to the copy whose kept records are up to date for a ladder (its signature).
KEPT_FOR = "sqo_kept_funnel_records"


def _signature(ladder: Ladder) -> str:
    text_form = repr(("intervals", ladder.names, sorted(ladder.highest_step.items())))
    return hashlib.sha256(text_form.encode()).hexdigest()[:16]


def _table(ladder: Ladder) -> Table:
    return Table(
        NAME,
        MetaData(),
        Column("key", Integer),
        *[Column(f"m{i}", DateTime) for i in range(len(ladder.names))],
        Column("first_at", DateTime),
        Column("latest_at", DateTime),
        Column("latest_stage", String),
    )


def _aggregate(ladder: Ladder, only: Select[Any] | None = None) -> Select[Any]:
    """Per funnel record, over all its history: m0..mN, first_at, the latest stage and when it
    was set (the milestones as of the end of time)."""
    times = milestone_times(ladder, END_OF_TIME, only=only, stage_set_at=True)
    return select(
        times.c.key,
        *[times.c[f"m{i}"] for i in range(len(ladder.names))],
        times.c.first_at,
        times.c.stage_set_at.label("latest_at"),
        times.c.current_stage.label("latest_stage"),
    )


def kept_records(ladder: Ladder) -> KeptRecords:
    """What the copy keeps for ``ladder`` (the funnel commands' one)."""
    return KeptRecords(_signature(ladder), lambda only: _aggregate(ladder, only))


def mark_kept(connection: Connection, ladder: Ladder) -> None:
    """Record that ``connection`` reads a copy whose kept records for ``ladder`` are fresh."""
    connection.info[KEPT_FOR] = _signature(ladder)


def kept(connection: Connection, ladder: Ladder) -> Table | None:
    """The kept funnel records for ``ladder``, if ``connection`` has them."""
    return _table(ladder) if connection.info.get(KEPT_FOR) == _signature(ladder) else None


def as_of(connection: Connection, ladder: Ladder, table: Table, moment: datetime) -> Subquery:
    """``milestone_times`` at ``moment``, from the kept funnel records."""
    count = len(ladder.names)
    later = and_(table.c.latest_at > moment, table.c.first_at <= moment)
    current: ColumnElement[Any] = table.c.latest_stage
    source: Any = table
    if connection.execute(select(func.count()).where(later)).scalar():
        then = milestone_times(ladder, moment, only=select(table.c.key).where(later))
        source = table.outerjoin(then, then.c.key == table.c.key)
        current = case(
            (table.c.latest_at <= moment, table.c.latest_stage), else_=then.c.current_stage
        )
    query = (
        select(
            table.c.key,
            *[
                case((table.c[f"m{i}"] <= moment, table.c[f"m{i}"])).label(f"m{i}")
                for i in range(count)
            ],
            table.c.first_at,
            current.label("current_stage"),
        )
        .select_from(source)
        .where(table.c.first_at <= moment)
    )
    return query.subquery("milestones")
