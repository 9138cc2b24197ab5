"""Cohort conversion between funnel milestones, SQO-to-win rate and sales cycle.

Cohorts are by the time a record reached the *earlier* milestone: of the records that entered it
(in the window, if one is given), how many reached the later one, how many are still open and how
many dropped out (lost or disqualified as of ``as_of``). Open records are never counted as lost.
All counting happens in SQL; Python only folds the small grouped results.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Integer, and_, func, literal, select, true, union_all
from sqlalchemy.sql.selectable import FromClause, Subquery

from sqo.analytics.breakdowns import ATTRIBUTE_KEYS, Attributes, group_columns
from sqo.analytics.milestone_table import materialized
from sqo.analytics.milestones import Ladder, as_int, dropped, step_time
from sqo.analytics.sqlfuncs import days_between, maybe_float, spread
from sqo.analytics.stats import ratio
from sqo.store import tables as t


@dataclass(frozen=True)
class Window:
    """Cohort entry window: ``start <= time < end``; either side may be open."""

    start: datetime | None = None
    end: datetime | None = None


@dataclass(frozen=True)
class Conversion:
    from_milestone: str
    to_milestone: str
    group: dict[str, Any]
    entered: int
    converted: int
    open: int
    dropped: int
    rate: float
    median_days: float | None = None
    p90_days: float | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "from": self.from_milestone,
            "to": self.to_milestone,
            **self.group,
            "entered": self.entered,
            "converted": self.converted,
            "open": self.open,
            "dropped": self.dropped,
            "rate": self.rate,
            "median_days": self.median_days,
            "p90_days": self.p90_days,
        }


@dataclass(frozen=True)
class WinRate:
    group: dict[str, Any]
    sqos: int
    won: int
    lost: int
    open: int
    rate: float | None  # won / (won + lost); None while nothing has closed


@dataclass(frozen=True)
class Cycle:
    group: dict[str, Any]
    won: int
    mean_days: float | None
    median_days: float | None
    p90_days: float | None


def default_pairs(ladder: Ladder) -> list[tuple[int, int]]:
    """Consecutive milestones, then every milestone to Won."""
    last = len(ladder.names) - 1
    pairs = [(i, i + 1) for i in range(last)]
    return pairs + [(i, last) for i in range(last - 1)]


def _in_window(moment: Any, window: Window) -> list[Any]:
    conditions = [moment.is_not(None)]
    if window.start is not None:
        conditions.append(moment >= window.start)
    if window.end is not None:
        conditions.append(moment < window.end)
    return conditions


def _numbers(values: Sequence[int]) -> Subquery:
    parts = [select(literal(v, Integer).label("from_step")) for v in values]
    return (union_all(*parts) if len(parts) > 1 else parts[0]).subquery("steps")


def _pairs(pairs: Sequence[tuple[int, int]]) -> Subquery:
    parts = [
        select(literal(a, Integer).label("from_step"), literal(b, Integer).label("to_step"))
        for a, b in pairs
    ]
    return (union_all(*parts) if len(parts) > 1 else parts[0]).subquery("pairs")


@contextmanager
def _milestones(
    connection: Connection,
    ladder: Ladder,
    as_of: datetime,
    keys: Sequence[str],
    milestones: FromClause | None,
) -> Iterator[FromClause]:
    """The caller's materialised milestones (shared by a command's queries), or our own."""
    if milestones is not None:
        yield milestones
        return
    with materialized(connection, ladder, as_of, keys) as table:
        yield table


def _attributes(times: FromClause, keys: Sequence[str]) -> Attributes:
    """Breakdown attributes are columns of the materialised milestones."""
    return Attributes(times, {k: times.c[k] for k in keys if k in ATTRIBUTE_KEYS})


def conversions(
    connection: Connection,
    ladder: Ladder,
    as_of: datetime,
    *,
    keys: Sequence[str] = (),
    window: Window = Window(),
    pairs: Sequence[tuple[int, int]] | None = None,
    durations: bool = True,
    milestones: FromClause | None = None,
) -> list[Conversion]:
    """Conversion rows per (pair, group), in pair order then group order. ``milestones`` is
    a table from ``materialized`` holding the attributes ``keys`` need (else one is made)."""
    with _milestones(connection, ladder, as_of, keys, milestones) as times:
        return _conversions(connection, ladder, times, keys, window, pairs, durations)


def _conversions(
    connection: Connection,
    ladder: Ladder,
    times: FromClause,
    keys: Sequence[str],
    window: Window,
    pairs: Sequence[tuple[int, int]] | None,
    durations: bool,
) -> list[Conversion]:
    pairs = list(pairs or default_pairs(ladder))
    count = len(ladder.names)
    froms = _numbers(sorted({a for a, _ in pairs}))
    attrs = _attributes(times, keys)
    entered_at = step_time(times, froms.c.from_step, count)
    groups = group_columns(attrs, keys, entered_at)
    targets = sorted({b for _, b in pairs})
    out = dropped(times, ladder)
    measures = [func.count().label("entered")]
    for b in targets:
        reached = times.c[f"m{b}"]
        measures.append(as_int(reached.is_not(None)).label(f"reached{b}"))
        measures.append(as_int(and_(reached.is_(None), out)).label(f"dropped{b}"))
    query = (
        select(froms.c.from_step, *groups, *measures)
        .select_from(attrs.source.join(froms, true()))
        .where(*_in_window(entered_at, window))
        .group_by(froms.c.from_step, *groups)
    )
    counted: dict[int, list[tuple[tuple[Any, ...], Any]]] = {}
    for row in connection.execute(query):
        counted.setdefault(int(row.from_step), []).append((tuple(row[1 : 1 + len(keys)]), row))
    timing = _durations(connection, ladder, times, pairs, keys, window) if durations else {}
    result = []
    for a, b in pairs:
        for group, row in sorted(counted.get(a, []), key=lambda item: _sortable(item[0])):
            entered = int(row.entered)
            converted = int(row._mapping[f"reached{b}"])
            lost = int(row._mapping[f"dropped{b}"])
            _n, _mean, median, p90 = timing.get((a, b, *group), (0, None, None, None))
            result.append(
                Conversion(
                    ladder.names[a],
                    ladder.names[b],
                    dict(zip(keys, group, strict=True)),
                    entered,
                    converted,
                    entered - converted - lost,
                    lost,
                    ratio(converted, entered),
                    median,
                    p90,
                )
            )
    return result


def _sortable(group: tuple[Any, ...]) -> tuple[tuple[bool, str], ...]:
    return tuple((value is None, str(value)) for value in group)


def _durations(
    connection: Connection,
    ladder: Ladder,
    times: FromClause,
    pairs: Sequence[tuple[int, int]],
    keys: Sequence[str],
    window: Window,
) -> dict[tuple[Any, ...], tuple[int, float | None, float | None, float | None]]:
    """n, mean, median and p90 days per (pair, group), computed in the engine."""
    count = len(ladder.names)
    table = _pairs(pairs)
    attrs = _attributes(times, keys)
    start = step_time(times, table.c.from_step, count)
    end = step_time(times, table.c.to_step, count)
    groups = group_columns(attrs, keys, start)
    spans = (
        select(table.c.from_step, table.c.to_step, *groups, days_between(start, end).label("value"))
        .select_from(attrs.source.join(table, true()))
        .where(end.is_not(None), *_in_window(start, window))
        .subquery("spans")
    )
    return _spread(connection, spans, ["from_step", "to_step", *keys])


def _spread(
    connection: Connection, spans: Subquery, names: Sequence[str]
) -> dict[tuple[Any, ...], tuple[int, float | None, float | None, float | None]]:
    """{group: (n, mean, median, p90)} of the spans' ``value`` per group of ``names``."""
    columns = [spans.c[name] for name in names]
    query = select(*columns, *spread(spans.c.value)).group_by(*columns)
    return {
        tuple(row[: len(names)]): (
            int(row.n),
            maybe_float(row.mean),
            maybe_float(row.median),
            maybe_float(row.p90),
        )
        for row in connection.execute(query)
        if row.n  # without GROUP BY the aggregate answers even when nothing matched
    }


def win_rates(
    connection: Connection,
    ladder: Ladder,
    sqo_index: int,
    as_of: datetime,
    *,
    keys: Sequence[str] = (),
    window: Window = Window(),
    milestones: FromClause | None = None,
) -> list[WinRate]:
    """Of the records that reached SQO (in the window), won / (won + lost) as of ``as_of``."""
    with _milestones(connection, ladder, as_of, keys, milestones) as times:
        return _win_rates(connection, ladder, sqo_index, times, keys, window)


def _win_rates(
    connection: Connection,
    ladder: Ladder,
    sqo_index: int,
    times: FromClause,
    keys: Sequence[str],
    window: Window,
) -> list[WinRate]:
    attrs = _attributes(times, keys)
    reached = times.c[f"m{sqo_index}"]
    groups = group_columns(attrs, keys, reached)
    query = (
        select(
            *groups,
            func.count().label("sqos"),
            as_int(times.c.current_stage == ladder.won).label("won"),
            as_int(times.c.current_stage == ladder.lost).label("lost"),
        )
        .select_from(attrs.source)
        .where(*_in_window(reached, window))
        .group_by(*groups)
    )
    rows = []
    for row in connection.execute(query):
        won, lost, sqos = int(row.won), int(row.lost), int(row.sqos)
        rate = won / (won + lost) if won + lost else None
        group = dict(zip(keys, row[: len(keys)], strict=True))
        rows.append(WinRate(group, sqos, won, lost, sqos - won - lost, rate))
    return sorted(rows, key=lambda r: _sortable(tuple(r.group.values())))


def cycles(
    connection: Connection,
    ladder: Ladder,
    as_of: datetime,
    *,
    keys: Sequence[str] = (),
    window: Window = Window(),
    milestones: FromClause | None = None,
) -> list[Cycle]:
    """Days from first contact (the record's first stage row) to closed won, for records won
    (and still won as of ``as_of``), grouped by the period they were won in."""
    with _milestones(connection, ladder, as_of, keys, milestones) as times:
        return _cycles(connection, ladder, times, keys, window)


def _cycles(
    connection: Connection,
    ladder: Ladder,
    times: FromClause,
    keys: Sequence[str],
    window: Window,
) -> list[Cycle]:
    attrs = _attributes(times, keys)
    won_at = times.c[f"m{len(ladder.names) - 1}"]
    groups = group_columns(attrs, keys, won_at)
    spans = (
        select(*groups, days_between(times.c.first_at, won_at).label("value"))
        .select_from(attrs.source)
        .where(times.c.current_stage == ladder.won, *_in_window(won_at, window))
        .subquery("cycle_spans")
    )
    rows = [
        Cycle(dict(zip(keys, group, strict=True)), n, mean, median, p90)
        for group, (n, mean, median, p90) in _spread(connection, spans, keys).items()
    ]
    return sorted(rows, key=lambda r: _sortable(tuple(r.group.values())))


def direct_opportunities(connection: Connection, times: FromClause, window: Window) -> int:
    """Of the records entering the first milestone (in the window), the opportunities created
    without a lead: a skipped milestone counts as passed, so they enter the funnel at Lead too and
    make "Lead entered" larger than the number of leads."""
    o, lead = t.opportunities, t.leads
    key = times.c["key"]
    # One pass over the leads (an IN list the engine hashes), not a correlated look-up per
    # opportunity: converted_opportunity_id has no index.
    converted = select(lead.c.converted_opportunity_id).where(
        lead.c.converted_opportunity_id.is_not(None)
    )
    query = (
        select(func.count())
        .select_from(times.join(o, o.c.id == key))
        .where(
            key > 0,
            o.c.lead_id.is_(None),
            key.not_in(converted),
            *_in_window(times.c["m0"], window),
        )
    )
    return int(connection.execute(query).scalar_one())
