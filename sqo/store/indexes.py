"""The workspace's secondary indexes: found missing, built again when a workspace is opened.

Big imports on SQLite drop some indexes and build them once at the end, inside their
transaction (see :mod:`sqo.store.bulk`). Should a workspace ever lose one all the same (an older
sqo dropped them outside the transaction; a hand-made copy), every lookup by record would scan
the whole history table: a few hundred milliseconds become minutes. Opening a workspace checks
the list (one small catalogue query) and builds what is missing.
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine, Index
from sqlalchemy.exc import OperationalError

from sqo.store import tables as t
from sqo.store.transactions import is_locked


def _present(connection: Connection) -> set[str]:
    if connection.dialect.name == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type = 'index'"
    else:
        query = "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
    return {str(name) for (name,) in connection.exec_driver_sql(query)}


def missing_indexes(connection: Connection) -> list[Index]:
    """The schema's secondary indexes the database does not hold."""
    present = _present(connection)
    return [
        index
        for table in t.metadata.sorted_tables
        for index in sorted(table.indexes, key=lambda i: str(i.name))
        if index.name not in present
    ]


def rebuild_missing_indexes(engine: Engine) -> list[str]:
    """Build the missing indexes (one transaction); returns their names. A workspace busy with
    another writer is left as it is: the next command that opens it builds them."""
    with engine.connect() as connection:
        missing = missing_indexes(connection)
    if not missing:
        return []
    try:
        with engine.begin() as connection:
            for index in missing_indexes(connection):
                index.create(connection, checkfirst=True)
    except OperationalError as exc:
        if is_locked(exc):
            return []
        raise
    return [str(index.name) for index in missing]
