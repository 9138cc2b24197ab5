"""A query's result computed once into a temporary table, for the several queries of one command
that read it (the per-record milestones, the pipeline's changes)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Column, Connection, MetaData, Table, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement, Executable
from sqlalchemy.sql.selectable import Select


class _CreateTempAs(Executable, ClauseElement):
    inherit_cache = False

    def __init__(self, name: str, query: Select[Any]) -> None:
        self.name = name
        self.query = query


@compiles(_CreateTempAs)
def _create_temp_as(element: _CreateTempAs, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CREATE TEMPORARY TABLE {element.name} AS {compiler.process(element.query, **kw)}"


class _CacheTableAs(_CreateTempAs):
    """Spark has no temporary tables: a cached temporary view is computed once, on first read,
    and kept in the executors' memory until it is uncached."""

    inherit_cache = False


@compiles(_CacheTableAs)
def _cache_table_as(element: _CacheTableAs, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CACHE TABLE {element.name} AS {compiler.process(element.query, **kw)}"


SPARK = "sqo_spark"
_names = itertools.count(1)
WORK_MEM = "256MB"


@contextmanager
def temporary(
    connection: Connection, query: Select[Any], columns: Sequence[Column[Any]], prefix: str
) -> Iterator[Table]:
    """``query`` computed once into a temporary table with ``columns`` (its result columns, in
    order, with their types), dropped on exit: for results several queries of a command read."""
    name = f"sqo_{prefix}_{next(_names)}"
    if connection.dialect.name == "postgresql":
        # Sort and hash a few million rows in memory rather than in temporary files (the
        # default 4 MB spills); for this transaction only.
        connection.execute(text(f"SET LOCAL work_mem = '{WORK_MEM}'"))
    spark = connection.dialect.name == SPARK
    connection.execute((_CacheTableAs if spark else _CreateTempAs)(name, query))
    table = Table(name, MetaData(), *columns)
    if connection.dialect.name == "postgresql":
        connection.execute(text(f"ANALYZE {name}"))  # autovacuum never analyses temp tables
    yield table
    if spark:
        connection.execute(text(f"UNCACHE TABLE IF EXISTS {name}"))
        connection.execute(text(f"DROP VIEW IF EXISTS {name}"))
        return
    connection.execute(text(f"DROP TABLE {name}"))
