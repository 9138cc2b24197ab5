"""On DuckDB (the analytics copy), a touch's age is SQLite's ``julianday(end) - julianday(start)``
to the last bit: SQLite itself computes the expected values, for random moments to the
microsecond and for the edges of SQLite's millisecond rounding."""

from __future__ import annotations

import random
import sqlite3
from datetime import datetime, timedelta

import duckdb
import duckdb_engine
from sqlalchemy import Column, DateTime, MetaData, Table, select

from sqo.analytics.attribution.ages import sqlite_days_between

PAIRS = Table("pairs", MetaData(), Column("a", DateTime), Column("b", DateTime))


def _moments() -> list[tuple[datetime, datetime]]:
    rng = random.Random(20)
    start = datetime(2019, 1, 1)
    span = 8 * 365 * 86_400 * 10**6

    def moment() -> datetime:
        return start + timedelta(microseconds=rng.randrange(span))

    pairs = [(moment(), moment()) for _ in range(5_000)]
    # Half a millisecond either side of SQLite's rounding, the last microsecond of a minute.
    edges = [datetime(2025, 5, 5, 1, 2, 3, us) for us in (499, 500, 501, 999_499, 999_500)]
    edges.append(datetime(2025, 12, 31, 23, 59, 59, 999_999))
    pairs += [(a, b) for a in edges for b in edges]
    return pairs


def test_ages_on_duckdb_equal_sqlites_julian_days():
    pairs = _moments()
    lite = sqlite3.connect(":memory:")
    text = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores a moment in SQLite
    expected = [
        lite.execute(
            "SELECT julianday(?) - julianday(?)", (b.strftime(text), a.strftime(text))
        ).fetchone()[0]
        for a, b in pairs
    ]
    duck = duckdb.connect()
    duck.execute("CREATE TABLE pairs (n INTEGER, a TIMESTAMP, b TIMESTAMP)")
    duck.executemany(
        "INSERT INTO pairs VALUES (?, ?, ?)", [(n, a, b) for n, (a, b) in enumerate(pairs)]
    )
    age = select(sqlite_days_between(PAIRS.c.a, PAIRS.c.b)).compile(
        dialect=duckdb_engine.Dialect(), compile_kwargs={"literal_binds": True}
    )
    sql = str(age).replace("FROM pairs", "FROM pairs ORDER BY n")
    got = [row[0] for row in duck.execute(sql).fetchall()]
    assert got == expected
