"""Small portable SQL building blocks: day differences, period starts and quantiles.

Each compiles to plain SQL on SQLite, PostgreSQL and DuckDB (the analytics copy), so that
analytics stay set-based on every engine.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Float, String, func, literal_column
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import FunctionElement

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
        # The unit is also a (never compiled) argument: part of the statement's cache key, or
        # the SQL compiled for one unit would be reused for another.
        super().__init__(expr, literal_column(f"'{unit}'"))


@compiles(period_start, "sqlite")
def _period_sqlite(element: period_start, compiler: SQLCompiler, **kw: Any) -> str:
    expr, _unit = list(element.clauses)
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
    expr, _unit = list(element.clauses)
    x = compiler.process(expr, **kw)
    return f"strftime(date_trunc('{element.unit}', {x}), '%Y-%m-%d')"


@compiles(period_start)
def _period_default(element: period_start, compiler: SQLCompiler, **kw: Any) -> str:
    expr, _unit = list(element.clauses)
    x = compiler.process(expr, **kw)
    return f"to_char(date_trunc('{element.unit}', {x}), 'YYYY-MM-DD')"


class quantile_cont(FunctionElement[float]):
    """An aggregate: the continuous quantile ``fraction`` (0 to 1) of ``value`` over a group,
    interpolated linearly between the two closest ranks as pandas' ``quantile`` does; NULL
    values are left out, a group without values gives NULL. Exact, and computed in the engine:
    only the grouped result reaches Python."""

    type = Float()
    inherit_cache = True
    name = "quantile_cont"

    def __init__(self, value: ColumnElement[Any], fraction: float) -> None:
        if not 0 <= fraction <= 1:
            raise ValueError(fraction)
        self.fraction = float(fraction)
        # As for period_start: the fraction belongs to the cache key.
        super().__init__(value, literal_column(repr(self.fraction)))


def _quantile_parts(element: quantile_cont, compiler: SQLCompiler, **kw: Any) -> tuple[str, str]:
    value, _fraction = list(element.clauses)
    # The fraction is written into the SQL: every engine wants it constant per aggregate.
    return compiler.process(value, **kw), repr(element.fraction)


@compiles(quantile_cont, "sqlite")
def _quantile_sqlite(element: quantile_cont, compiler: SQLCompiler, **kw: Any) -> str:
    # Registered on every SQLite connection sqo opens (sqo.store.sqlite_functions).
    value, fraction = _quantile_parts(element, compiler, **kw)
    return f"sqo_quantile_cont({value}, {fraction})"


@compiles(quantile_cont, "duckdb")
def _quantile_duckdb(element: quantile_cont, compiler: SQLCompiler, **kw: Any) -> str:
    value, fraction = _quantile_parts(element, compiler, **kw)
    return f"quantile_cont(CAST({value} AS DOUBLE), {fraction})"


@compiles(quantile_cont)
def _quantile_default(element: quantile_cont, compiler: SQLCompiler, **kw: Any) -> str:
    # Standard SQL's ordered-set aggregate (PostgreSQL).
    value, fraction = _quantile_parts(element, compiler, **kw)
    return f"percentile_cont({fraction}) WITHIN GROUP (ORDER BY CAST({value} AS DOUBLE PRECISION))"


MEDIAN, P90 = 0.5, 0.9


def spread(value: ColumnElement[Any]) -> list[ColumnElement[Any]]:
    """Aggregates of a group's values: n, mean, median and p90 (NULL without values)."""
    return [
        func.count(value).label("n"),
        func.avg(value).label("mean"),
        quantile_cont(value, MEDIAN).label("median"),
        quantile_cont(value, P90).label("p90"),
    ]


def maybe_float(value: Any) -> float | None:
    """A figure from the engine as a float (PostgreSQL's averages are decimals)."""
    return None if value is None else float(value)
