"""The portable SQL building blocks of :mod:`sqo.analytics.sqlfuncs` in Spark SQL (the
``sqo_spark`` dialect of :mod:`sqo.store.spark`). Imported when the Spark engine starts.

Spark's timestamps here are zone-less (``TIMESTAMP_NTZ``, UTC by convention); the casts to
``TIMESTAMP_LTZ`` below read them in the session's time zone, UTC, so nothing shifts.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler

from sqo.analytics.sqlfuncs import days_between, period_start, quantile_cont

DIALECT = "sqo_spark"
MICROSECONDS_PER_DAY = 86_400_000_000
# Spark's names for the units of trunc(date, unit): the first day of the week (Monday), month
# or quarter.
TRUNC_UNITS = {"week": "WEEK", "month": "MM", "quarter": "QUARTER"}


@compiles(days_between, DIALECT)
def _days_spark(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    # PostgreSQL's EXTRACT(EPOCH FROM end - start) / 86400, exactly: whole microseconds
    # apart, divided as doubles (a literal 86400000000.0 would be DECIMAL, rounded to 6 places).
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return (
        f"(CAST(unix_micros(CAST({end} AS TIMESTAMP_LTZ)) - "
        f"unix_micros(CAST({start} AS TIMESTAMP_LTZ)) AS DOUBLE) / {MICROSECONDS_PER_DAY}D)"
    )


@compiles(period_start, DIALECT)
def _period_spark(element: period_start, compiler: SQLCompiler, **kw: Any) -> str:
    expr, _unit = list(element.clauses)
    x = compiler.process(expr, **kw)
    return f"CAST(trunc(CAST({x} AS DATE), '{TRUNC_UNITS[element.unit]}') AS STRING)"


@compiles(quantile_cont, DIALECT)
def _quantile_spark(element: quantile_cont, compiler: SQLCompiler, **kw: Any) -> str:
    # ``percentile`` is exact and interpolates linearly between the neighbouring ranks, as
    # PostgreSQL's percentile_cont (``approx_percentile`` would not be).
    value, _fraction = list(element.clauses)
    return f"percentile({compiler.process(value, **kw)}, CAST({element.fraction!r} AS DOUBLE))"
