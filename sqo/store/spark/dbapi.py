"""A small PEP 249 (DB-API 2.0) module over a SparkSession, for SQLAlchemy's ``sqo_spark``
dialect: ``cursor.execute(sql, params)`` runs ``spark.sql(sql, args=params)`` (named parameter
markers, ``:name``) and collects the result to the driver.

Collecting is right for sqo: analytics aggregate in Spark and return small results (a row per
group, per stage, per ranked neighbour of a percentile); the scans and joins stay distributed.
There are no transactions: commit and rollback do nothing (the views are read-only).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

apilevel = "2.0"
threadsafety = 1  # threads may share the module, not connections
paramstyle = "named"

CACHE_TABLE_AS = re.compile(
    r"\s*CACHE\s+(?:LAZY\s+)?TABLE\s+(?P<name>\S+)\s+AS\s+(?P<query>.*)", re.I | re.S
)


class Error(Exception):
    pass


class Warning(Exception):  # the name PEP 249 requires
    pass


class InterfaceError(Error):
    pass


class DatabaseError(Error):
    pass


class InternalError(DatabaseError):
    pass


class OperationalError(DatabaseError):
    pass


class ProgrammingError(DatabaseError):
    pass


class IntegrityError(DatabaseError):
    pass


class DataError(DatabaseError):
    pass


class NotSupportedError(DatabaseError):
    pass


class Cursor:
    arraysize = 100

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.description: list[tuple[Any, ...]] | None = None
        self.rowcount = -1
        self._rows: list[tuple[Any, ...]] = []
        self._at = 0

    def execute(self, operation: str, parameters: Mapping[str, Any] | None = None) -> Cursor:
        from pyspark.errors import PySparkException

        args = dict(parameters or {}) or None
        try:
            cached = CACHE_TABLE_AS.match(operation)
            if cached and args:
                self._cache_table(cached["name"], cached["query"], args)
                operation, args = "SELECT 1 AS cached WHERE FALSE", None
            frame = self.connection.session.sql(operation, args=args)
            fields = frame.schema.fields
            rows = [tuple(row) for row in frame.collect()] if fields else []
        except PySparkException as exc:
            raise ProgrammingError(_first_line(exc)) from exc
        except Exception as exc:  # py4j's errors for a lost JVM or executor
            raise OperationalError(_first_line(exc)) from exc
        self.description = (
            [
                (f.name, f.dataType.simpleString(), None, None, None, None, f.nullable)
                for f in fields
            ]
            if fields
            else None
        )
        self._rows, self._at = rows, 0
        self.rowcount = len(rows) if fields else -1
        return self

    def _cache_table(self, name: str, query: str, args: dict[str, Any]) -> None:
        # Spark refuses parameter markers in CACHE TABLE's query; the same result: the query
        # bound to its parameters, as a temporary view cached on first read.
        session = self.connection.session
        session.sql(query, args=args).createOrReplaceTempView(name.strip("`"))
        session.catalog.cacheTable(name.strip("`"))

    def executemany(self, operation: str, seq: Sequence[Mapping[str, Any]]) -> None:
        for parameters in seq:
            self.execute(operation, parameters)

    def fetchone(self) -> tuple[Any, ...] | None:
        if self._at >= len(self._rows):
            return None
        self._at += 1
        return self._rows[self._at - 1]

    def fetchmany(self, size: int | None = None) -> list[tuple[Any, ...]]:
        end = self._at + (size or self.arraysize)
        rows = self._rows[self._at : end]
        self._at += len(rows)
        return rows

    def fetchall(self) -> list[tuple[Any, ...]]:
        rows = self._rows[self._at :]
        self._at = len(self._rows)
        return rows

    def close(self) -> None:
        self._rows = []

    def setinputsizes(self, sizes: Any) -> None:
        pass

    def setoutputsize(self, size: Any, column: Any = None) -> None:
        pass


class Connection:
    def __init__(self, session: SparkSession) -> None:
        self.session = session

    def cursor(self) -> Cursor:
        return Cursor(self)

    def commit(self) -> None:
        pass

    def rollback(self) -> None:
        pass

    def close(self) -> None:
        pass  # the session outlives a connection: one per process, reused


def connect(session: SparkSession) -> Connection:
    return Connection(session)


def _first_line(problem: object) -> str:
    lines = str(problem).strip().splitlines()
    return lines[0] if lines else type(problem).__name__
