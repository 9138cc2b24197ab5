"""``quantile_cont`` computed by SQLite (sqo's own aggregate), PostgreSQL and DuckDB equals
pandas' ``quantile`` (linear interpolation) on random data with ties, NULLs and tiny groups."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pandas as pd
import pytest
from sqlalchemy import Column, Double, Engine, Integer, MetaData, Table, create_engine, select

from sqo.analytics.sqlfuncs import quantile_cont
from sqo.store.database import make_engine, resolve_url

FRACTIONS = (0.0, 0.1, 0.25, 0.5, 0.9, 0.99, 1.0)
SEEDS = (1, 2, 3)

values = Table(
    "quantile_values",
    MetaData(),
    Column("grp", Integer),
    Column("x", Double),
)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres), "duckdb"])
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    if request.param == "sqlite":
        made = make_engine(resolve_url(str(request.getfixturevalue("sqlite_url"))))
    elif request.param == "postgres":
        made = make_engine(str(request.getfixturevalue("postgres_url")))
    else:
        made = create_engine("duckdb:///:memory:")
    yield made
    made.dispose()


def _rows(seed: int) -> list[dict[str, object]]:
    """Groups of 1 to 60 values: many ties (whole and half days), some NULLs, some spread."""
    rng = random.Random(seed)
    rows: list[dict[str, object]] = []
    for group in range(25):
        for _ in range(rng.randint(1, 60)):
            kind = rng.random()
            if kind < 0.1:
                x = None
            elif kind < 0.6:
                x = rng.randint(0, 8) / 2
            else:
                x = rng.uniform(0, 400)
            rows.append({"grp": group, "x": x})
    rows.append({"grp": 99, "x": None})  # a group without values: NULL, as pandas' NaN
    return rows


@pytest.mark.parametrize("seed", SEEDS)
def test_quantile_cont_equals_pandas(engine: Engine, seed: int) -> None:
    rows = _rows(seed)
    frame = pd.DataFrame(rows, columns=["grp", "x"]).astype({"x": "float64"})
    query = select(
        values.c.grp,
        *[quantile_cont(values.c.x, f).label(f"q{i}") for i, f in enumerate(FRACTIONS)],
    ).group_by(values.c.grp)
    with engine.begin() as connection:
        values.create(connection)
        connection.execute(values.insert(), rows)
        found = {row.grp: row for row in connection.execute(query)}
    assert set(found) == set(frame["grp"])
    for group, part in frame.groupby("grp"):
        for i, fraction in enumerate(FRACTIONS):
            expected = part["x"].quantile(fraction)
            got = found[group][1 + i]
            if pd.isna(expected):
                assert got is None, (group, fraction)
            else:
                assert got == pytest.approx(expected, rel=1e-12, abs=1e-12), (group, fraction)


def test_quantile_cont_over_a_whole_table_and_no_rows(engine: Engine) -> None:
    with engine.begin() as connection:
        values.create(connection)
        empty = connection.execute(select(quantile_cont(values.c.x, 0.5))).scalar()
        connection.execute(values.insert(), [{"grp": 1, "x": v} for v in (3.0, 1.0, 2.0, 2.0)])
        median = connection.execute(select(quantile_cont(values.c.x, 0.5))).scalar()
        p90 = connection.execute(select(quantile_cont(values.c.x, 0.9))).scalar()
    assert empty is None
    assert median == pd.Series([3.0, 1.0, 2.0, 2.0]).quantile(0.5)
    assert p90 == pytest.approx(pd.Series([3.0, 1.0, 2.0, 2.0]).quantile(0.9), rel=1e-12)


def test_a_fraction_outside_zero_to_one_is_refused() -> None:
    with pytest.raises(ValueError):
        quantile_cont(values.c.x, 1.5)
