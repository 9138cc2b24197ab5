"""Reading the workspace database for the analytics copy, within one snapshot.

A source hands each query's rows to DuckDB as Arrow (``stream``): PostgreSQL through ADBC without
a Python object per value, SQLite through Python's own sqlite3 (see ``SqliteSource``).
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Column
from sqlalchemy.engine import make_url
from sqlalchemy.sql.selectable import Select

from sqo.store.database import sqlite_path, sqlite_uri
from sqo.store.kinds import column_kind

if TYPE_CHECKING:  # DuckDB loads only when a copy is opened (start-up time)
    import duckdb

DUCK_TYPES = {
    "json": "VARCHAR",
    "text": "VARCHAR",
    "bool": "BOOLEAN",
    "int": "BIGINT",
    "float": "DOUBLE",
    "datetime": "TIMESTAMP",
    "date": "DATE",
}


def duck_type(column: Column[Any]) -> str:
    """The DuckDB type a workspace column is copied as."""
    return DUCK_TYPES[column_kind(column)]


def duck_sql(query: Select[Any]) -> str:
    """A SQLAlchemy query as DuckDB SQL text, run on the copy's own connection (inside its
    refresh transaction, which a SQLAlchemy connection over another cursor would not share)."""
    import duckdb_engine

    compiled = query.compile(
        dialect=duckdb_engine.Dialect(), compile_kwargs={"literal_binds": True}
    )
    return str(compiled)


class Source:
    """The workspace database, read within one snapshot. ``stream`` yields a FROM item (a view
    or subquery) with the columns' names, readable by DuckDB while the context is open."""

    duck: duckdb.DuckDBPyConnection

    def close(self) -> None:
        raise NotImplementedError

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def stream(
        self, columns: Sequence[Column[Any]], table: str, where: str = ""
    ) -> AbstractContextManager[str]:
        raise NotImplementedError

    def fingerprint(self, table: str) -> str:
        """A digest of the whole content of a small table (rows in id order), to tell whether
        it changed since the copy last read it: these tables change in place, without history."""
        raise NotImplementedError

    def digests(
        self, columns: Sequence[Column[Any]], table: str, block: int | None = None
    ) -> dict[int, tuple[int, str]]:
        """Per block of ``block`` ids (``(id - 1) // block``; None: the whole table as block
        0), how many rows and a digest of ``columns`` over them, computed by the database: a
        large table that changes in place without history or a version is compared this way
        without its rows crossing the connection."""
        raise NotImplementedError


def open_source(url: str, duck: duckdb.DuckDBPyConnection) -> Source:
    path = sqlite_path(url)
    return SqliteSource(path, duck) if path is not None else PostgresSource(url, duck)


# SQLite has no hash function: each row is hashed with integer arithmetic, every intermediate
# kept under 2^63 (SQLite's sum() fails on overflow rather than wrap). The id multiplies the
# rest, so moving a value from one row to another changes the sum; a time is taken apart into
# day, millisecond of the day (julianday keeps milliseconds), the microseconds' digits and the
# text's length, so any change of the stored text that changes the time shows.
_PRIME = 2_147_483_647  # 2^31 - 1
_FACTORS = (1_000_003, 999_983, 1_000_033, 998_651, 1_000_037, 997_879, 1_000_039, 996_323)


def sqlite_row_hash(columns: Sequence[Column[Any]]) -> str:
    """The per-row hash :meth:`SqliteSource.digests` sums, over integer, boolean and date-time
    columns (the first must be ``id``)."""
    assert columns[0].name == "id"
    parts: list[str] = []
    for column in columns[1:]:
        name, kind = column.name, duck_type(column)
        if kind in ("BIGINT", "BOOLEAN"):
            parts.append(f"coalesce(({name} % {_PRIME}) + 1, 0)")
        elif kind == "TIMESTAMP":
            ms = f"CAST(julianday({name}) * 86400000 AS INTEGER)"
            parts += [
                f"coalesce({ms} / 86400000 + 1, 0)",
                f"coalesce({ms} % 86400000 + 1, 0)",
                f"coalesce(CAST(substr({name}, 21) AS INTEGER) % {_PRIME} + 1, 0)",
                f"coalesce(length({name}), 0)",
            ]
        else:
            raise ValueError(f"no SQLite row hash for {name} ({kind})")
    if len(parts) > len(_FACTORS):
        raise ValueError("too many columns for the SQLite row hash")
    mixed = " + ".join(f"{p} * {k}" for p, k in zip(parts, _FACTORS, strict=False))
    return f"((id % {_PRIME} + 1) * (({mixed}) % {_PRIME}) % {_PRIME})"


class SqliteSource(Source):
    """Read with Python's own sqlite3: the same SQLite library as the workspace's engine. A
    second copy of SQLite in the process (an ADBC driver or DuckDB's SQLite reader bundles one)
    would break the file locks the two share, which SQLite documents as a way to corrupt a
    database. Rows become Arrow column by column, a batch at a time."""

    BATCH = 50_000

    def __init__(self, path: Path, duck: duckdb.DuckDBPyConnection) -> None:
        self.duck = duck
        # DuckDB pulls the batches from a worker thread while ours waits for it.
        self.connection = sqlite3.connect(
            sqlite_uri(path), uri=True, isolation_level=None, check_same_thread=False
        )
        self.connection.execute("PRAGMA busy_timeout=10000")
        self.connection.execute("BEGIN")  # one snapshot (WAL) for every read below

    def close(self) -> None:
        try:
            self.connection.execute("ROLLBACK")
        finally:
            self.connection.close()

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return self.connection.execute(sql).fetchall()

    def fingerprint(self, table: str) -> str:
        # Reading and hashing 50,000 accounts takes a quarter of the time of copying them.
        digest = hashlib.sha256()
        cursor = self.connection.execute(f"SELECT * FROM {table} ORDER BY id")
        while rows := cursor.fetchmany(self.BATCH):
            digest.update(repr(rows).encode())
        return digest.hexdigest()

    def digests(
        self, columns: Sequence[Column[Any]], table: str, block: int | None = None
    ) -> dict[int, tuple[int, str]]:
        key = "0" if block is None else f"(id - 1) / {int(block)}"
        rows = self.rows(
            f"SELECT {key}, count(*), coalesce(sum({sqlite_row_hash(columns)}), 0) FROM {table}"
            + ("" if block is None else " GROUP BY 1")
        )
        return {int(b): (int(n), str(d)) for b, n, d in rows}

    @contextmanager
    def stream(self, columns: Sequence[Column[Any]], table: str, where: str = "") -> Iterator[str]:
        # Dates and times are text in SQLite; DuckDB casts them when it inserts.
        storage = {"BIGINT": "INTEGER", "BOOLEAN": "INTEGER", "DOUBLE": "REAL"}
        kinds = [storage.get(duck_type(c), "TEXT") for c in columns]
        names = ", ".join(f"CAST({c.name} AS {k})" for c, k in zip(columns, kinds, strict=True))
        condition = f" WHERE {where}" if where else ""
        cursor = self.connection.execute(f"SELECT {names} FROM {table}{condition}")
        first = cursor.fetchmany(self.BATCH)
        if not first:
            # Nothing arrived, the everyday case: no Arrow at all (loading pyarrow, and the
            # pandas it pulls in where installed, costs more than the whole refresh).
            cursor.close()
            empty = {"INTEGER": "BIGINT", "REAL": "DOUBLE", "TEXT": "VARCHAR"}
            nulls = ", ".join(
                f"CAST(NULL AS {empty[k]}) AS {c.name}" for c, k in zip(columns, kinds, strict=True)
            )
            yield f"(SELECT {nulls} WHERE false) AS sqo_nothing"
            return
        import pyarrow as pa  # type: ignore[import-untyped]

        arrow = {"INTEGER": pa.int64(), "REAL": pa.float64(), "TEXT": pa.string()}
        schema = pa.schema(
            [pa.field(c.name, arrow[k]) for c, k in zip(columns, kinds, strict=True)]
        )

        def batches() -> Iterator[Any]:
            rows = first
            while rows:
                values = list(zip(*rows, strict=True))
                yield pa.RecordBatch.from_arrays(
                    [pa.array(v, type=f.type) for v, f in zip(values, schema, strict=True)],
                    schema=schema,
                )
                rows = cursor.fetchmany(self.BATCH)

        self.duck.register("sqo_reader", pa.RecordBatchReader.from_batches(schema, batches()))
        try:
            yield "sqo_reader"
        finally:
            self.duck.unregister("sqo_reader")
            cursor.close()


class PostgresSource(Source):
    """Read through ADBC (libpq's binary COPY), handed to DuckDB as an Arrow stream."""

    def __init__(self, url: str, duck: duckdb.DuckDBPyConnection) -> None:
        import adbc_driver_manager as adbc
        import adbc_driver_postgresql

        self.duck = duck
        uri = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        self.database = adbc_driver_postgresql.connect(uri)
        self.connection = adbc.AdbcConnection(self.database)
        # One transaction at REPEATABLE READ: every read below sees one snapshot.
        self.connection.set_autocommit(False)
        with self._statement("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ") as statement:
            statement.execute_update()

    def close(self) -> None:
        try:
            self.connection.rollback()
        finally:
            self.connection.close()
            self.database.close()

    @contextmanager
    def _statement(self, sql: str) -> Iterator[Any]:
        import adbc_driver_manager as adbc

        statement = adbc.AdbcStatement(self.connection)
        try:
            statement.set_sql_query(sql)
            yield statement
        finally:
            statement.close()

    @contextmanager
    def _view(self, sql: str, name: str) -> Iterator[str]:
        with self._statement(sql) as statement:
            stream, _rows = statement.execute_query()
            self.duck.register(name, stream)
            try:
                yield name
            finally:
                self.duck.unregister(name)

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        with self._view(sql, "sqo_rows") as name:
            return self.duck.execute(f"SELECT * FROM {name}").fetchall()

    def fingerprint(self, table: str) -> str:
        # Hashed on the server: only the digest crosses the connection.
        sql = (
            "SELECT md5(coalesce(string_agg(md5(CAST(r AS TEXT)), '' ORDER BY r.id), '')) "
            f"FROM {table} AS r"
        )
        return str(self.rows(sql)[0][0])

    def digests(
        self, columns: Sequence[Column[Any]], table: str, block: int | None = None
    ) -> dict[int, tuple[int, str]]:
        # A 64-bit hash of each row's text, summed exactly (numeric): on the server.
        row = ", ".join(c.name for c in columns)
        key = "0" if block is None else f"(id - 1) / {int(block)}"
        rows = self.rows(
            f"SELECT CAST({key} AS BIGINT), count(*), CAST(coalesce(sum(hashtextextended("
            f"CAST(ROW({row}) AS TEXT), 0)), 0) AS TEXT) FROM {table}"
            + ("" if block is None else " GROUP BY 1")
        )
        return {int(b): (int(n), str(d)) for b, n, d in rows}

    @contextmanager
    def stream(self, columns: Sequence[Column[Any]], table: str, where: str = "") -> Iterator[str]:
        names = ", ".join(
            f"CAST({c.name} AS TEXT) AS {c.name}" if duck_type(c) == "VARCHAR" else c.name
            for c in columns
        )
        condition = f" WHERE {where}" if where else ""
        with self._view(f"SELECT {names} FROM {table}{condition}", "sqo_reader") as name:
            yield name
