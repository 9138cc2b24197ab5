"""SQLite rows reach DuckDB as Arrow (sqo.store.copy_sources): every value must come back
exactly, whatever it holds. Expected values are what Python's sqlite3 reads from the same file."""

from __future__ import annotations

import math
import sqlite3
from pathlib import Path

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Boolean, Column, Float, Integer, MetaData, String, Table

from sqo.store.copy_sources import SqliteSource, duck_type

TABLE = Table(
    "things",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("label", String),
    Column("score", Float),
    Column("count", Integer),
    Column("flag", Boolean),
)

NASTY = [
    "",
    "plain",
    "line one\nline two",
    "unit\x1fseparator",
    "record\x1eseparator\x1e0\x1e1\x1e2",
    "\x1e",
    "\x1e2",
    "v",
    "åäö – 漢字 🙂",
    "trailing\n",
    "'quoted' \"double\" \\backslash",
]
DOUBLES = [0.1, 0.7, 1 / 3, 1e300, -2.5e-300, 5e-324, -0.0, 123456789.123456789]


def _file(tmp_path: Path, rows: list[tuple[object, ...]]) -> Path:
    path = tmp_path / "things.db"
    with sqlite3.connect(path) as connection:
        connection.execute(
            "CREATE TABLE things (id INTEGER PRIMARY KEY, label TEXT, score REAL, "
            "count INTEGER, flag BOOLEAN)"
        )
        connection.executemany("INSERT INTO things VALUES (?, ?, ?, ?, ?)", rows)
    return path


def _through_the_source(path: Path, where: str = "") -> list[tuple[object, ...]]:
    duck = duckdb.connect()
    source = SqliteSource(path, duck)
    try:
        casts = ", ".join(f"CAST({c.name} AS {duck_type(c)})" for c in TABLE.columns)
        with source.stream(list(TABLE.columns), "things", where) as reader:
            return sorted(duck.execute(f"SELECT {casts} FROM {reader}").fetchall())
    finally:
        source.close()
        duck.close()


def _expected(path: Path, where: str = "") -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as connection:
        rows = connection.execute(
            "SELECT id, label, score, count, flag FROM things"
            + (f" WHERE {where}" if where else "")
        ).fetchall()
    return sorted(
        (i, label, score, count, None if flag is None else bool(flag))
        for i, label, score, count, flag in rows
    )


def _same(found: list[tuple[object, ...]], expected: list[tuple[object, ...]]) -> None:
    assert len(found) == len(expected)
    for got, want in zip(found, expected, strict=True):
        assert got[:2] == want[:2]
        assert got[3:] == want[3:]
        if want[2] is None:
            assert got[2] is None
        else:
            assert got[2] == want[2]  # exactly the same double, not approximately
            assert math.copysign(1, got[2]) == math.copysign(1, want[2])


def test_awkward_values_come_back_exactly(tmp_path: Path) -> None:
    rows = [
        (i + 1, label, DOUBLES[i % len(DOUBLES)], (-1) ** i * 2**62 + i, i % 2 == 0)
        for i, label in enumerate(NASTY)
    ]
    rows += [(100, None, None, None, None), (101, "", 0.0, 0, False)]
    path = _file(tmp_path, rows)
    _same(_through_the_source(path), _expected(path))


def test_ids_far_apart_and_a_condition(tmp_path: Path) -> None:
    rows = [(i, f"row {i}", float(i), i, True) for i in (1, 2, 5_000, 5_001, 123_457, 999_999)]
    path = _file(tmp_path, rows)
    _same(_through_the_source(path), _expected(path))
    where = "id IN (2, 123457) OR label = 'row 5000'"
    _same(_through_the_source(path, where), _expected(path, where))
    assert _through_the_source(path, "id < 0") == []


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(
            st.none()
            | st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")),
            st.none() | st.floats(allow_nan=False),
            st.none() | st.integers(min_value=-(2**63), max_value=2**63 - 1),
        ),
        max_size=30,
    )
)
def test_any_text_double_and_integer_round_trips(tmp_path_factory, values) -> None:
    path = _file(
        tmp_path_factory.mktemp("things"),
        [(i + 1, label, score, count, None) for i, (label, score, count) in enumerate(values)],
    )
    _same(_through_the_source(path), _expected(path))
