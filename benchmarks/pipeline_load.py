"""The generated export's rows into a workspace made by sqo's own ``init_workspace``: a SQLite
file (batched inserts) or a PostgreSQL database (COPY from CSV that DuckDB writes)."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb

LOAD_ORDER = ("teams", "reps", "accounts", "quotas", "opportunities", "history")


def _columns(name: str) -> list[str]:
    from sqo.store import tables as t

    return [c.name for c in t.metadata.tables[name].columns]


def _sqlite_select(folder: Path, name: str) -> str:
    # SQLAlchemy keeps SQLite timestamps as 'YYYY-MM-DD HH:MM:SS.ffffff' text, dates ISO.
    import pyarrow.parquet as pq

    from sqo.store import tables as t
    from sqo.store.kinds import column_kind

    source = folder / (name + ".parquet")
    present = set(pq.read_schema(source).names)
    cols = []
    for column in t.metadata.tables[name].columns:
        kind = column_kind(column)
        if column.name not in present:  # added by a later migration than the generator knows
            cols.append(f"NULL AS {column.name}")
        elif kind == "datetime":
            cols.append(f"strftime({column.name}, '%Y-%m-%d %H:%M:%S.%f') AS {column.name}")
        elif kind == "date":
            cols.append(f"strftime({column.name}, '%Y-%m-%d') AS {column.name}")
        elif kind == "bool":
            cols.append(f"{column.name}::INT AS {column.name}")
        else:
            cols.append(column.name)
    return f"SELECT {', '.join(cols)} FROM read_parquet('{source}')"


def _batches(db: duckdb.DuckDBPyConnection, sql: str, size: int = 100_000) -> Iterator[list[Any]]:
    result = db.execute(sql)
    while rows := result.fetchmany(size):
        yield rows


def load_sqlite(folder: Path, path: Path) -> float:
    """A new SQLite workspace at ``path`` (sqo's ``init_workspace``) holding the export's rows."""
    from sqo.domain.actor import Actor
    from sqo.services.workspace import init_workspace

    started = time.perf_counter()
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    for copy in path.parent.glob(path.stem + ".analytics.duckdb*"):
        copy.unlink()
    init_workspace(str(path), Actor(name="bench")).close()
    db = duckdb.connect()
    db.execute("SET enable_progress_bar = false")
    target = sqlite3.connect(path)
    target.execute("PRAGMA synchronous = OFF")
    # sqo's own indexes, dropped for the load and made again after it: the same indexes, built
    # once over sorted rows instead of row by row (the 1M load took over 10 minutes that way).
    indexes = target.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        f"AND tbl_name IN ({', '.join(repr(n) for n in LOAD_ORDER)})"
    ).fetchall()
    try:
        for name, _sql in indexes:
            target.execute(f'DROP INDEX "{name}"')
        for name in LOAD_ORDER:
            cols = _columns(name)
            insert = f"INSERT INTO {name} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
            for rows in _batches(db, _sqlite_select(folder, name)):
                target.executemany(insert, rows)
        for _name, sql in indexes:
            target.execute(sql)
        target.commit()
        target.execute("ANALYZE")
        target.commit()
    finally:
        target.close()
        db.close()
    return time.perf_counter() - started


def load_postgres(folder: Path, url: str, work: Path) -> float:
    """The export's rows into the (new, initialised) PostgreSQL workspace at ``url``, by COPY
    from CSV files DuckDB writes."""
    import psycopg
    from sqlalchemy.engine import make_url

    from sqo.domain.actor import Actor
    from sqo.services.workspace import init_workspace

    started = time.perf_counter()
    init_workspace(url, Actor(name="bench")).close()
    parts = make_url(url)
    plain = parts.set(drivername="postgresql").render_as_string(hide_password=False)
    db = duckdb.connect()
    db.execute("SET enable_progress_bar = false")
    try:
        with psycopg.connect(plain) as connection:
            for name in LOAD_ORDER:
                cols = _columns(name)
                csv_path = work / f"{name}.load.csv"
                source = f"read_parquet('{folder / (name + '.parquet')}')"
                db.execute(
                    f"COPY (SELECT {', '.join(cols)} FROM {source}) "
                    f"TO '{csv_path}' (FORMAT csv, HEADER false)"
                )
                with (
                    connection.cursor() as cursor,
                    cursor.copy(
                        f"COPY {name} ({', '.join(cols)}) FROM STDIN WITH (FORMAT csv)"
                    ) as copy,
                    csv_path.open("rb") as handle,
                ):
                    while data := handle.read(1 << 20):
                        copy.write(data)
                csv_path.unlink()
            with connection.cursor() as cursor:
                for name in ("history", "opportunities", "quotas", "reps", "teams", "accounts"):
                    # Sequences follow the ids written, so sqo's own inserts keep working.
                    cursor.execute(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                        f"(SELECT max(id) FROM {name}))"
                    )
            connection.commit()
            connection.autocommit = True
            for name in LOAD_ORDER:
                connection.execute(f"ANALYZE {name}")
    finally:
        db.close()
    return time.perf_counter() - started
