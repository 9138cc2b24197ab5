"""Small portable SQL building blocks: day differences, period starts and percentile ranks.

Each compiles to plain SQL on SQLite, PostgreSQL and DuckDB (the analytics copy), so that
analytics stay set-based on every engine.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, Float, String, and_, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import FunctionElement
from sqlalchemy.sql.selectable import Subquery

PERIOD_UNITS = ("week", "month", "quarter")


class days_between(FunctionElement[float]):
    """Days (fractional) from the first timestamp to the second."""

    type = Float()
    inherit_cache = True
    name = "days_between"


@compiles(days_between, "sqlite")
def _days_sqlite(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = list(element.clauses)
    return (
        f"(julianday({compiler.process(end, **kw)}) - julianday({compiler.process(start, **kw)}))"
    )


@compiles(days_between)
def _days_default(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = list(element.clauses)
    return (
        f"(EXTRACT(EPOCH FROM ({compiler.process(end, **kw)} - "
        f"{compiler.process(start, **kw)})) / 86400.0)"
    )


class period_start(FunctionElement[str]):
    """The first day (ISO text) of the week (Monday), month or quarter holding a timestamp."""

    type = String()
    inherit_cache = True
    name = "period_start"

    def __init__(self, expr: ColumnElement[Any], unit: str) -> None:
        if unit not in PERIOD_UNITS:
            raise ValueError(unit)
        self.unit = unit
        super().__init__(expr)


@compiles(period_start, "sqlite")
def _period_sqlite(element: period_start, compiler: SQLCompiler, **kw: Any) -> str:
    (expr,) = list(element.clauses)
    # The day part only: SQLite's date functions round to milliseconds, so 23:59:59.9999995
    # on a Sunday would land in the next week (tests/conformance caught it).
    x = f"substr({compiler.process(expr, **kw)}, 1, 10)"
    if element.unit == "month":
        return f"strftime('%Y-%m-01', {x})"
    if element.unit == "quarter":
        return (
            f"printf('%s-%02d-01', strftime('%Y', {x}), "
            f"((CAST(strftime('%m', {x}) AS INTEGER) - 1) / 3) * 3 + 1)"
        )
    return f"date({x}, '-' || ((CAST(strftime('%w', {x}) AS INTEGER) + 6) % 7) || ' days')"


@compiles(period_start, "duckdb")
def _period_duckdb(element: period_start, compiler: SQLCompiler, **kw: Any) -> str:
    (expr,) = list(element.clauses)
    x = compiler.process(expr, **kw)
    return f"strftime(date_trunc('{element.unit}', {x}), '%Y-%m-%d')"


@compiles(period_start)
def _period_default(element: period_start, compiler: SQLCompiler, **kw: Any) -> str:
    (expr,) = list(element.clauses)
    x = compiler.process(expr, **kw)
    return f"to_char(date_trunc('{element.unit}', {x}), 'YYYY-MM-DD')"


PERCENTILES = {"median": 5, "p90": 9}  # tenths, exact integer arithmetic in SQL


def percentile_rows(source: Subquery, groups: Sequence[str], value: str = "value") -> Any:
    """A query returning, per group, only the ranked values needed to interpolate the median and
    the 90th percentile linearly (as pandas' ``quantile`` does): columns groups..., group_size
    (``n`` below), value_rank (``rn``, 1-based), value.

    For a percentile of k tenths the neighbours are the 0-based ranks floor((n-1)k/10) and the
    one above it; ``10(rn-2) <= (n-1)k < 10 rn`` selects them with integer arithmetic only.
    """
    part = [source.c[g] for g in groups]
    ranked = select(
        *part,
        source.c[value].label("value"),
        func.row_number()
        .over(partition_by=part or None, order_by=source.c[value])
        .label("value_rank"),
        func.count().over(partition_by=part or None).label("group_size"),
    ).subquery("ranked")
    rn, n = ranked.c.value_rank, ranked.c.group_size
    conditions = [
        and_(10 * (rn - 2) <= (n - 1) * k, (n - 1) * k < 10 * rn) for k in PERCENTILES.values()
    ]
    return select(*[ranked.c[g] for g in groups], n, rn, ranked.c.value).where(or_(*conditions))


def quantile(ranks: dict[int, float], n: int, tenths: int) -> float | None:
    """Linear interpolation between the ranked neighbours (1-based ranks) fetched above."""
    if n <= 0:
        return None
    position = (n - 1) * tenths / 10
    low = int(position)
    lo_value = ranks[low + 1]
    if low + 1 >= n:
        return lo_value
    return lo_value + (position - low) * (ranks[low + 2] - lo_value)


def quantiles(
    rows: Any, n_groups: int
) -> dict[tuple[Any, ...], tuple[int, float | None, float | None]]:
    """Fold ``percentile_rows`` results into {group: (n, median, p90)}."""
    collected: dict[tuple[Any, ...], tuple[int, dict[int, float]]] = {}
    for row in rows:
        key = tuple(row[:n_groups])
        n, rn, value = int(row[n_groups]), int(row[n_groups + 1]), float(row[n_groups + 2])
        collected.setdefault(key, (n, {}))[1][rn] = value
    return {
        key: (n, quantile(r, n, PERCENTILES["median"]), quantile(r, n, PERCENTILES["p90"]))
        for key, (n, r) in collected.items()
    }


def histogram_quantiles(
    rows: Any, n_groups: int
) -> dict[tuple[Any, ...], tuple[int, float, float | None, float | None]]:
    """Fold a histogram (rows of groups..., value, count) into {group: (n, mean, median, p90)}.

    Exact: the value at each rank is read from the cumulative counts, then interpolated linearly
    as ``quantile`` does, so grouping equal values first loses nothing.
    """
    collected: dict[tuple[Any, ...], list[tuple[float, int]]] = {}
    for row in rows:
        key = tuple(row[:n_groups])
        collected.setdefault(key, []).append((float(row[n_groups]), int(row[n_groups + 1])))
    result = {}
    for key, counts in collected.items():
        counts.sort()
        values = [value for value, _count in counts]
        ends = list(itertools.accumulate(count for _value, count in counts))
        n = ends[-1]

        def at(rank: int, values: list[float] = values, ends: list[int] = ends) -> float:
            return values[bisect.bisect_right(ends, rank)]  # 0-based rank

        ranks = {r + 1: at(r) for t in PERCENTILES.values() for r in _neighbours(n, t)}
        mean = math.fsum(value * count for value, count in counts) / n
        result[key] = (
            n,
            mean,
            quantile(ranks, n, PERCENTILES["median"]),
            quantile(ranks, n, PERCENTILES["p90"]),
        )
    return result


def _neighbours(n: int, tenths: int) -> list[int]:
    low = int((n - 1) * tenths / 10)
    return [low, low + 1] if low + 1 < n else [low]


def on_copy(connection: Connection) -> bool:
    """Whether ``connection`` reads the analytics copy (DuckDB), whose history rows carry
    ``valid_until`` (see ``sqo.store.analytics_copy``)."""
    return connection.dialect.name == "duckdb"
