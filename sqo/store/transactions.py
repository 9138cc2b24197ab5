"""Transactions that mean what they say on both engines.

pysqlite sends ``BEGIN`` only before the first INSERT/UPDATE/DELETE of a transaction: the reads
before it run one by one in autocommit (each sees its own state of the file) and a DDL statement
before it (``DROP INDEX``) commits by itself. Two kinds of transaction fix that explicitly:

- a *consistent read* (exports): every read sees one state of the workspace, whoever writes
  meanwhile;
- a *write* (imports): the write lock is taken before the first read, so what the writer reads
  (ids, existing records) cannot change under it, and its DDL rolls back with it.

Imports wait for each other (one writer at a time on SQLite; an advisory lock on PostgreSQL,
where other writers keep working beside an import).
"""

from __future__ import annotations

from sqlalchemy import Connection, Transaction
from sqlalchemy.exc import OperationalError

from sqo.domain.errors import WorkspaceError
from sqo.i18n import _

# How long an import waits for another import (or a long write) to finish, in seconds.
IMPORT_WAIT = 600
# The lock PostgreSQL imports take (any fixed number: "sqo import" in ASCII).
IMPORT_LOCK = 0x73716F696D70
# What other SQLite writers wait for the lock (the engine's busy_timeout), in seconds.
WRITE_WAIT = 10


def _driver(connection: Connection) -> object:
    driver = connection.connection.driver_connection
    assert driver is not None
    return driver


def is_locked(exc: BaseException) -> bool:
    """Whether a database error means another process holds the workspace's write lock."""
    text = str(getattr(exc, "orig", exc)).lower()
    return isinstance(exc, OperationalError) and (
        "database is locked" in text or "database table is locked" in text
    )


def busy_error() -> WorkspaceError:
    return WorkspaceError(
        _(
            "Another process is writing to this workspace (most likely an import, which holds "
            "it until its file is written) and it did not finish within {seconds} seconds; "
            "nothing was changed. Try again when the import has finished.",
            seconds=WRITE_WAIT,
        )
    )


def begin_consistent_read(connection: Connection) -> Transaction:
    """A read-only transaction in which every query sees the same committed state."""
    if connection.dialect.name == "postgresql":
        connection.execution_options(isolation_level="REPEATABLE READ")
    transaction = connection.begin()
    if connection.dialect.name == "sqlite":
        # A deferred BEGIN: the consistent state is the one of the first read; it holds no lock.
        connection.exec_driver_sql("BEGIN")
    return transaction


def begin_write(connection: Connection, *, wait: int = IMPORT_WAIT) -> Transaction:
    """A writing transaction that holds the write lock (SQLite) or the import lock
    (PostgreSQL) from its start, waiting up to ``wait`` seconds for another import."""
    transaction = connection.begin()
    try:
        lock_for_import(connection, wait=wait)
    except BaseException:
        transaction.rollback()
        raise
    return transaction


def lock_for_import(connection: Connection, *, wait: int = IMPORT_WAIT) -> None:
    """Take the import's lock inside the open transaction (see :func:`begin_write`; services
    take it through ``UnitOfWork.lock_for_import``)."""
    if connection.dialect.name == "sqlite":
        driver = _driver(connection)
        if driver.in_transaction:  # type: ignore[attr-defined]
            return  # already writing (a dry run's or all-or-nothing import's one transaction)
        driver.execute(f"PRAGMA busy_timeout={wait * 1000}")  # type: ignore[attr-defined]
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except OperationalError as exc:
            if is_locked(exc):
                raise import_busy(wait) from exc
            raise
        finally:
            driver.execute(f"PRAGMA busy_timeout={WRITE_WAIT * 1000}")  # type: ignore[attr-defined]
    elif connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{wait}s'")
        try:
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({IMPORT_LOCK})")
        except OperationalError as exc:
            raise import_busy(wait) from exc
        connection.exec_driver_sql("SET LOCAL lock_timeout = 0")


def import_busy(wait: int) -> WorkspaceError:
    return WorkspaceError(
        _(
            "Another import into this workspace is still running after {minutes} minutes of "
            "waiting for it; nothing was imported. Try again when it has finished.",
            minutes=max(1, wait // 60),
        )
    )
