"""Each deal's history read once, then asked at many moments: what training rows are made of.

Training asks "what did this deal look like then" at some sixty weekly moments. Asked in SQL one
moment at a time, every question re-read all history up to that moment: 141 s for 59 moments on
200,000 deals. One set-based query instead (a table of the moments range-joined to the intervals
current at them) SQLite answers with nested loops, every moment against every stage interval, and
it scans the window subqueries (running counts) whole for every row, with no index: 36 s for the
(deal, moment) pairs alone, before any feature (benchmarks/results/forecast.md). So each source
is read once here, in deal and time order, in plain SQL every engine runs, and a deal's value at
a moment is found by bisection in its own rows: the last row set at or before the moment, of two
at the same time the higher id, which is the row ``history_intervals`` makes current
(``sqo.store.intervals``: ``valid_from <= T < valid_until``). Running counts (amount changes,
close-date pushes, activities) are that row's position among the deal's rows, or a prefix sum up
to it.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import accumulate, groupby
from operator import itemgetter
from typing import Any

from sqlalchemy import ColumnElement, Connection, select

from sqo.store import intervals as hi
from sqo.store import tables as t

# The history fields a training row reads.
FIELDS = ("stage", "amount_cents", "close_date", "closed_at")
# Up to this many deals are read by id (scoring 4,708 open deals of 200,000: 0.4 s, against 8.5 s
# reading every deal); beyond it every deal is read and the others skipped, within SQLite's cap of
# 32,766 parameters a statement.
IN_SQL_UP_TO = 20_000
READ_BATCH = 10_000  # rows fetched at a time


@dataclass
class Changes:
    """One field of one deal: the times it was set, in (time, id) order, and the values."""

    times: list[datetime] = field(default_factory=list)
    values: list[str | None] = field(default_factory=list)

    def set_by(self, moment: datetime) -> int:
        """How many times the field had been set by ``moment`` (at it included)."""
        return bisect_right(self.times, moment)

    def value_after(self, changes: int) -> str | None:
        """The value once the first ``changes`` changes were made (``set_by``)."""
        return self.values[changes - 1] if changes else None

    def value_at(self, moment: datetime) -> str | None:
        return self.value_after(self.set_by(moment))

    def spans(self) -> Iterable[tuple[str | None, datetime, datetime | None]]:
        """Each value with when it was set and when it was replaced (None: still current)."""
        for i, (value, start) in enumerate(zip(self.values, self.times, strict=True)):
            yield value, start, self.times[i + 1] if i + 1 < len(self.times) else None


@dataclass
class CloseDates(Changes):
    """The close date's changes, with how many of them were pushes: a move to a later date
    (``sqo.analytics.forecast.timing.pushes_at``; ISO dates compared as text, as there)."""

    pushed: list[int] = field(default_factory=list)  # pushes among the first n changes, per n

    def count_pushes(self) -> None:
        flags = [
            int(new is not None and old is not None and new > old)
            for old, new in zip(self.values, self.values[1:], strict=False)
        ]
        self.pushed = [0, *accumulate([0, *flags])]


@dataclass
class DealHistory:
    stage: Changes = field(default_factory=Changes)
    amount_cents: Changes = field(default_factory=Changes)
    close_date: CloseDates = field(default_factory=CloseDates)
    closed_at: Changes = field(default_factory=Changes)


def _only(column: ColumnElement[Any], only: Sequence[int] | None) -> list[ColumnElement[bool]]:
    return [column.in_(only)] if only is not None and len(only) <= IN_SQL_UP_TO else []


def _deal_groups(rows: Iterable[Any]) -> Iterator[tuple[int, list[Any]]]:
    for record_id, group in groupby(rows, key=itemgetter(0)):
        yield record_id, list(group)


def read_histories(
    connection: Connection, only: Sequence[int] | None = None
) -> Iterator[tuple[int, DealHistory]]:
    """Each opportunity's (or each of ``only``'s) stage, amount, close-date and closed-at
    changes, one deal at a time in id order, so that a deal's rows are gone once it is done.
    One query per field, merged here: each reads the analytics index in its own order."""
    h = t.history
    streams: dict[str, Iterator[tuple[int, list[Any]]]] = {}
    for name in FIELDS:
        query = (
            select(h.c.record_id, h.c.changed_at, h.c.new_value)
            .where(
                h.c.record_type == "opportunity",
                h.c.field == name,
                hi.analytics_rows(h),
                *_only(h.c.record_id, only),
            )
            .order_by(h.c.record_id, h.c.changed_at, h.c.id)
            .execution_options(yield_per=READ_BATCH)
        )
        streams[name] = _deal_groups(connection.execute(query))
    heads = {name: next(stream, None) for name, stream in streams.items()}
    while True:
        waiting = [head[0] for head in heads.values() if head is not None]
        if not waiting:
            return
        record_id, deal = min(waiting), DealHistory()
        for name, head in heads.items():
            if head is not None and head[0] == record_id:
                changes: Changes = getattr(deal, name)
                changes.times = [r[1] for r in head[1]]
                changes.values = [r[2] for r in head[1]]
                heads[name] = next(streams[name], None)
        deal.close_date.count_pushes()
        yield record_id, deal


@dataclass
class Activities:
    """One deal's activities in time order, with the inbound ones counted up to each."""

    times: list[datetime] = field(default_factory=list)
    inbound: list[int] = field(default_factory=lambda: [0])  # inbound among the first n, per n

    def by(self, moment: datetime) -> int:
        return bisect_right(self.times, moment)


def read_activities(
    connection: Connection, only: Sequence[int] | None = None
) -> dict[int, Activities]:
    a = t.activities
    query = (
        select(a.c.opportunity_id, a.c.occurred_at, a.c.direction)
        .where(a.c.opportunity_id.is_not(None), *_only(a.c.opportunity_id, only))
        .order_by(a.c.opportunity_id, a.c.occurred_at)
    )
    deals: dict[int, Activities] = {}
    for deal_id, occurred_at, direction in connection.execute(query):
        deal = deals.get(deal_id)
        if deal is None:
            deal = deals[deal_id] = Activities()
        deal.times.append(occurred_at)
        deal.inbound.append(deal.inbound[-1] + (direction == "inbound"))
    return deals


@dataclass(frozen=True)
class Gate:
    score: float | None
    overridden: bool
    # the playbook's group scores, e.g. (("access", 0.33), ("economics", 1.0))
    group_scores: tuple[tuple[str, float], ...]


def group_scores(groups: Any) -> tuple[tuple[str, float], ...]:
    """The scored groups of a snapshot's detail (``detail["groups"]``), in its order."""
    return tuple(
        (str(g["key"]), float(g["score"]))
        for g in (groups or [])
        if isinstance(g, dict) and g.get("score") is not None
    )


@dataclass
class Gates:
    """One deal's qualification snapshots in (evaluated_at, id) order."""

    times: list[datetime] = field(default_factory=list)
    gates: list[Gate] = field(default_factory=list)

    def at(self, moment: datetime) -> Gate | None:
        n = bisect_right(self.times, moment)
        return self.gates[n - 1] if n else None


def read_gates(connection: Connection, only: Sequence[int] | None = None) -> dict[int, Gates]:
    q = t.qualification_snapshots
    query = (
        select(
            q.c.opportunity_id,
            q.c.evaluated_at,
            q.c.score,
            q.c.overridden,
            q.c.detail["groups"].label("groups"),
        )
        .where(*_only(q.c.opportunity_id, only))
        .order_by(q.c.opportunity_id, q.c.evaluated_at, q.c.id)
    )
    deals: dict[int, Gates] = {}
    for deal_id, evaluated_at, score, overridden, groups in connection.execute(query):
        deal = deals.get(deal_id)
        if deal is None:
            deal = deals[deal_id] = Gates()
        deal.times.append(evaluated_at)
        score = None if score is None else float(score)
        deal.gates.append(Gate(score, bool(overridden), group_scores(groups)))
    return deals
