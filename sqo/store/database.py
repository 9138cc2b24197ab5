"""Where the workspace lives and how to connect to it.

A workspace is one database: a SQLite file by default (``sqo.db`` in the working folder), or any
SQLAlchemy URL (PostgreSQL for a team) from ``--db`` or ``SQO_DATABASE_URL``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from sqo.domain.errors import WorkspaceError
from sqo.i18n import _
from sqo.store import transactions

DEFAULT_FILE = "sqo.db"


def resolve_url(db: str | None = None) -> str:
    """A database argument (path or URL), else ``SQO_DATABASE_URL``, else ``./sqo.db``."""
    value = db or os.environ.get("SQO_DATABASE_URL") or DEFAULT_FILE
    if "://" in value:
        try:
            make_url(value)
        except ArgumentError as exc:
            raise WorkspaceError(
                _("The database URL {url!r} is not valid: {problem}", url=value, problem=exc)
            ) from exc
        if value.startswith("postgresql://"):
            value = "postgresql+psycopg://" + value.removeprefix("postgresql://")
        return value
    return f"sqlite:///{Path(value).expanduser()}"


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def sqlite_path(url: str) -> Path | None:
    if not is_sqlite(url):
        return None
    database = make_url(url).database
    return Path(database) if database and database != ":memory:" else None


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL keeps readers and a writer apart and survives a killed process without corruption.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # A write waits this long for another writer (an import holds the lock per file).
    cursor.execute(f"PRAGMA busy_timeout={transactions.WRITE_WAIT * 1000}")
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine for the workspace. Built on demand, never at import time."""
    if is_sqlite(url):
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)
