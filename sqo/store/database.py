"""Where the workspace lives and how to connect to it.

A workspace is one database: a SQLite file by default (``sqo.db`` in the working folder), or any
SQLAlchemy URL (PostgreSQL for a team) from ``--db`` or ``SQO_DATABASE_URL``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from sqo.domain.errors import WorkspaceError
from sqo.i18n import _
from sqo.store import sqlite_functions, transactions

DEFAULT_FILE = "sqo.db"
SQLITE_HEADER = b"SQLite format 3\x00"
# What PostgreSQL users paste (``postgres://`` is what Heroku and psql print) and what SQLAlchemy
# names the drivers sqo ships with.
POSTGRES_SCHEMES = ("postgres", "postgresql", "postgresql+psycopg")
SQLITE_SCHEMES = ("sqlite", "sqlite+pysqlite")


def _unsupported(scheme: str) -> WorkspaceError:
    return WorkspaceError(
        _(
            "sqo works with SQLite files and PostgreSQL databases (postgresql://user@host/name), "
            "not {scheme}; give a file path or a PostgreSQL URL with --db.",
            scheme=scheme,
        )
    )


def resolve_url(db: str | None = None) -> str:
    """A database argument (path or URL), else ``SQO_DATABASE_URL``, else ``./sqo.db``."""
    value = db or os.environ.get("SQO_DATABASE_URL") or DEFAULT_FILE
    if "://" in value:
        scheme = value.split("://", 1)[0].casefold()
        if scheme not in POSTGRES_SCHEMES + SQLITE_SCHEMES:
            raise _unsupported(scheme)
        try:
            make_url(value)
        except (ArgumentError, ValueError) as exc:
            raise WorkspaceError(
                _("The database URL {url!r} is not valid: {problem}", url=value, problem=exc)
            ) from exc
        if scheme in POSTGRES_SCHEMES:
            value = "postgresql+psycopg://" + value.split("://", 1)[1]
        return value
    if "\x00" in value:
        raise WorkspaceError(_("The workspace path may not contain a NUL character."))
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
    sqlite_functions.register(dbapi_connection)


def check_sqlite_file(path: Path) -> None:
    """Refuse, in one sentence, what SQLite would fail on deep inside: a folder, a device, a file
    that is not a database."""
    if not path.exists():
        return
    if path.is_dir():
        raise WorkspaceError(
            _("{db} is a folder, not a workspace file; give a file path with --db.", db=str(path))
        )
    if not path.is_file():
        raise WorkspaceError(
            _("{db} is not a regular file; give a workspace file with --db.", db=str(path))
        )
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise WorkspaceError(
            _("Cannot read {db}: {problem}", db=str(path), problem=exc.strerror)
        ) from exc
    if header and header != SQLITE_HEADER:
        raise WorkspaceError(
            _(
                "{db} is not a database; give the path of an sqo workspace with --db, or create "
                "one with 'sqo init'.",
                db=str(path),
            )
        )


def read_only_folder(path: Path | None) -> bool:
    """Whether the workspace file exists in a folder this process cannot write to."""
    return path is not None and path.is_file() and not os.access(path.parent, os.W_OK)


def sqlite_uri(path: Path) -> str:
    """The ``file:`` URI sqlite3 opens (with ``uri=True``): read-only in a read-only folder."""
    target = f"file:{quote(str(path.resolve()))}"
    if not read_only_folder(path):
        return target
    # SQLite keeps its WAL index (-shm) beside the file. Where that cannot be created, the only
    # way to read is to promise nobody writes ("immutable"), true of a read-only folder.
    shm_present = Path(f"{path}-shm").exists()
    return target + ("?mode=ro" if shm_present else "?mode=ro&immutable=1")


def _read_only_url(path: Path) -> str:
    uri = sqlite_uri(path)
    return f"sqlite:///{uri}{'&' if '?' in uri else '?'}uri=true"


def make_engine(url: str) -> Engine:
    """An engine for the workspace. Built on demand, never at import time. A file in a
    read-only folder is opened read-only: read commands work, writes are refused."""
    if is_sqlite(url):
        path = sqlite_path(url)
        if path is not None:
            check_sqlite_file(path)
        if read_only_folder(path):
            assert path is not None
            engine = create_engine(_read_only_url(path))
            event.listen(engine, "connect", _read_only_pragmas)
            return engine
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    from sqo.store import tables  # the PostgreSQL dialect is loaded by now

    tables.postgresql_options()
    return create_engine(url, pool_pre_ping=True)


def _read_only_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()
    sqlite_functions.register(dbapi_connection)
