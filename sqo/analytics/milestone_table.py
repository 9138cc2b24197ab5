"""The milestone times of one command, computed once into a temporary table.

Every query of a funnel command (conversions, win rates, cycles, history gaps) reads this small
per-record table instead of deriving it from history again. On the analytics copy it comes
from the funnel records the copy keeps between commands (:mod:`sqo.analytics.funnel_records`),
elsewhere straight from history (:func:`sqo.analytics.milestones.milestone_times`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Column, Connection, DateTime, Integer, String, Table, select

from sqo.analytics import funnel_records
from sqo.analytics.breakdowns import attributes
from sqo.analytics.milestones import Ladder, milestone_times
from sqo.analytics.temp_tables import temporary


@contextmanager
def materialized(
    connection: Connection,
    ladder: Ladder,
    as_of: datetime,
    keys: Sequence[str] = (),
    *,
    kept: bool = False,
) -> Iterator[Table]:
    """``milestone_times`` computed once into a temporary table (with the attribute columns
    ``keys`` need: segment, owner, ...), dropped on exit. With ``kept`` (for the one ladder the
    funnel commands use), on an analytics copy that keeps funnel records for it, they come from
    those."""
    records = funnel_records.kept(connection, ladder) if kept else None
    if records is not None:
        times = funnel_records.as_of(connection, ladder, records, as_of)
    else:
        times = milestone_times(ladder, as_of)
    attrs = attributes(times, keys)
    query = select(*times.c, *[c.label(k) for k, c in attrs.columns.items()]).select_from(
        attrs.source
    )
    columns: list[Column[Any]] = [
        Column("key", Integer),
        *[Column(f"m{i}", DateTime) for i in range(len(ladder.names))],
        Column("first_at", DateTime),
        Column("current_stage", String),
        *[Column(k, String) for k in attrs.columns],
    ]
    with temporary(connection, query, columns, "milestones") as table:
        yield table
