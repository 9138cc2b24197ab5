"""The milestone times of one command, computed once into a temporary table.

Every query of a funnel command (conversions, win rates, cycles, history gaps) reads this small
per-record table instead of deriving it from history again. On the analytics copy it comes
from the funnel records the copy keeps between commands (:mod:`sqo.analytics.funnel_records`),
elsewhere straight from history (:func:`sqo.analytics.milestones.milestone_times`).

Several commands run together on one connection (the weekly review's funnel, benchmarks and
hygiene, all as of the week's end) read the same milestones: :func:`shared` builds the table once,
with every attribute column they need, and their own ``materialized`` calls read it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Column, Connection, DateTime, Integer, String, Table, select

from sqo.analytics import funnel_records
from sqo.analytics.breakdowns import ATTRIBUTE_KEYS, attributes
from sqo.analytics.milestones import Ladder, milestone_times
from sqo.analytics.temp_tables import temporary


@dataclass(frozen=True)
class _Shared:
    connection: Connection
    ladder: Ladder
    as_of: datetime
    kept: bool
    keys: tuple[str, ...]
    table: Table

    def serves(
        self,
        connection: Connection,
        ladder: Ladder,
        as_of: datetime,
        keys: Sequence[str],
        kept: bool,
    ) -> bool:
        # Extra attribute columns change nothing: they are outer-joined, one value per record,
        # and every query selects the keys it groups by.
        same = self.connection is connection and self.kept == kept and self.as_of == as_of
        needed = {k for k in keys if k in ATTRIBUTE_KEYS}  # periods are not columns of it
        return same and self.ladder == ladder and needed <= set(self.keys)


_SHARED: ContextVar[tuple[_Shared, ...]] = ContextVar("sqo_shared_milestones", default=())


@contextmanager
def shared(
    connection: Connection,
    ladder: Ladder,
    as_of: datetime,
    keys: Sequence[str] = (),
    *,
    kept: bool = False,
) -> Iterator[Table]:
    """The milestones as :func:`materialized` builds them, once: while open, ``materialized``
    for the same connection, ladder, ``as_of`` and ``kept``, with ``keys`` among these, yields
    this table instead of building its own."""
    with materialized(connection, ladder, as_of, keys, kept=kept) as table:
        entry = _Shared(connection, ladder, as_of, kept, tuple(keys), table)
        token = _SHARED.set((*_SHARED.get(), entry))
        try:
            yield table
        finally:
            _SHARED.reset(token)


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
    found = next(
        (s for s in _SHARED.get() if s.serves(connection, ladder, as_of, keys, kept)), None
    )
    if found is not None:
        yield found.table
        return
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
