"""A touch's age in days as SQLite computes it, on the analytics copy too.

Time decay weighs each touch by 2^(-age / half-life) in floating point, and the largest-remainder
rule turns the weights into whole micro-shares: a last-bit difference in an age can move a
micro-share from one touch to another. SQLite's ``julianday`` keeps whole milliseconds (the
seconds with their fraction, times 1,000, plus a half, truncated) and subtracts two such
Julian-day numbers; DuckDB's interval arithmetic is exact to the microsecond. So that the copy of
a SQLite workspace credits exactly what the workspace database does, on DuckDB the Julian-day
numbers are rebuilt the same way (checked against SQLite in tests/unit/attribution/test_ages.py).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import FunctionElement

from sqo.analytics.sqlfuncs import days_between

JULIAN_UNIX_EPOCH_MS = 210_866_760_000_000  # 1970-01-01 00:00 as a Julian day, in milliseconds
MS_PER_DAY = 86_400_000


class sqlite_days_between(FunctionElement[float]):
    """Days (fractional) from the first timestamp to the second, bit for bit as SQLite's
    ``julianday(end) - julianday(start)``."""

    type = Float()
    inherit_cache = True
    name = "sqlite_days_between"


def _julian(moment: str) -> str:
    whole_minutes = f"epoch_ms(date_trunc('minute', {moment}))"
    seconds = (
        f"CAST(second({moment}) AS DOUBLE) + CAST(epoch_us({moment}) % 1000000 AS DOUBLE) "
        "/ 1000000.0"
    )
    ms = f"CAST(trunc(({seconds}) * 1000.0 + 0.5) AS BIGINT)"
    return f"(({JULIAN_UNIX_EPOCH_MS} + {whole_minutes} + {ms}) / {MS_PER_DAY}.0)"


@compiles(sqlite_days_between, "duckdb")
def _days_duckdb(element: sqlite_days_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"({_julian(end)} - {_julian(start)})"


@compiles(sqlite_days_between)
def _days_elsewhere(element: sqlite_days_between, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite itself (julianday), or an engine that never reads a SQLite workspace's rows.
    return compiler.process(days_between(*element.clauses), **kw)
