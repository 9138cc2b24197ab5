"""Fast writes of many records with their history, for imports and the demo generator.

Row-by-row services are right for people; a 1,000,000-row import needs batched inserts. The bulk
writer keeps the same invariant as the services: every record's tracked fields are in
``history`` (built by the same domain ``diff``), so replay and "as of" work on bulk data too.
Ids are allocated here so that records, history and links can be written in batches.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, Index, Table, func, insert, select

from sqo.domain.history import Change
from sqo.store import statistics
from sqo.store import tables as t
from sqo.store.bulk_columns import computed_defaults, same_columns
from sqo.store.bulk_ids import IdAllocator
from sqo.store.bulk_values import Stamp, quicker
from sqo.store.transactions import lock_for_import

HISTORY_COLUMNS = (
    "record_type",
    "record_id",
    "field",
    "old_value",
    "new_value",
    "changed_at",
    "actor",
    "justification",
)
HISTORY_INSERT = (
    f"INSERT INTO history ({', '.join(HISTORY_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _c in HISTORY_COLUMNS)})"
)
HISTORY_BATCH = 50_000
# History indexes are deferred (see BulkWriter.defer_history_indexes) below this many rows.
DEFER_BELOW = 100_000
# Per connection, for the writing transaction only: ~256 MB of page cache. Temporary data (the
# sort that builds an index) stays in files: in memory it would grow with the import.
SQLITE_PRAGMAS = {"cache_size": -262_144}
# While the deferred history indexes are built: SQLite's sort in parallel worker threads, on
# runs of ~32 MB (the page cache size sets the run size). On 15 M rows this builds the indexes
# in ~60 % of the time a single thread with the big cache takes, and uses less memory.
INDEX_BUILD_PRAGMAS = {"threads": 2, "cache_size": -32_768}


def _as_it_is(value: Any) -> Any:
    return value


class BulkWriter:
    """Buffers rows per table and flushes them with executemany in batches."""

    def __init__(self, connection: Connection, batch_size: int = 5000) -> None:
        self.connection = connection
        self.batch_size = batch_size
        self._rows: dict[str, list[dict[str, Any]]] = {}
        self._tables: dict[str, Table] = {}
        self._ids: dict[str, IdAllocator] = {}
        self.counts: dict[str, int] = {}
        # History rows as ready-made tuples (the bulk of every import), flushed in big batches.
        self._history: list[tuple[Any, ...]] = []
        self._history_batch = max(batch_size, HISTORY_BATCH)
        self._sqlite = connection.dialect.name == "sqlite"
        self._stamp = Stamp(connection) if self._sqlite else None
        # A history time as add_history_rows expects it (SQLite's stored text), called once per
        # history row: the converter itself, not a method that calls it.
        self.stamp: Callable[[Any], Any] = self._stamp or _as_it_is
        self._saved_pragmas: dict[str, Any] = {}
        self._statements: dict[tuple[str, tuple[str, ...]], tuple[str, list[Any]] | None] = {}
        self._deferred_indexes: list[Index] = []
        self._deferred_other: list[Index] = []
        self._deferred_tables: set[str] = set()
        self.finished = False  # see finish(): a unit of work then hands out a new writer
        if self._sqlite:
            # The write lock before the first read (ids, indexes present), and the DDL of
            # deferred indexes inside the transaction: a rollback or a kill keeps them.
            lock_for_import(connection)
            self._tune_sqlite()

    def _tune_sqlite(self) -> None:
        """A bigger page cache for the writing transaction.
        The journal and synchronous settings are left alone: the file stays consistent after a
        crash, and the transaction stays atomic. Restored by :meth:`finish`."""
        driver = self.connection.connection.driver_connection
        assert driver is not None
        for name, value in SQLITE_PRAGMAS.items():
            self._saved_pragmas[name] = driver.execute(f"PRAGMA {name}").fetchone()[0]
            driver.execute(f"PRAGMA {name}={value}")

    def defer_history_indexes(self) -> bool:
        """On SQLite, drop the history table's secondary indexes for the rest of this
        transaction when the table is still small, and build them again in :meth:`finish` (or
        before the first query that needs them, :meth:`restore_history_indexes`). Building an
        index once from sorted keys is much cheaper than keeping it up to date row by row
        across millions of rows; the DDL is part of the transaction, so a rollback or a crash
        leaves the indexes as they were. Returns whether the indexes are deferred."""
        if not self._sqlite or self._deferred_indexes:
            return bool(self._deferred_indexes)
        held = self.connection.execute(
            select(func.count()).select_from(select(t.history.c.id).limit(DEFER_BELOW).subquery())
        ).scalar_one()
        if held >= DEFER_BELOW:
            return False
        self._flush_history()
        present = {
            name
            for (name,) in self.connection.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'history'"
            )
        }
        for index in sorted(t.history.indexes, key=lambda i: str(i.name)):
            if index.name in present:
                self.connection.exec_driver_sql(f'DROP INDEX "{index.name}"')
                self._deferred_indexes.append(index)
        return bool(self._deferred_indexes)

    def defer_indexes(self, table: Table) -> bool:
        """:meth:`defer_history_indexes` for a records table (opportunities, leads) that a big
        file fills with new records: its secondary indexes (not the unique ones, which the
        import's lookups use) are built once in :meth:`finish`."""
        if not self._sqlite or table.name in self._deferred_tables:
            return False
        held = self.connection.execute(
            select(func.count()).select_from(select(table.c.id).limit(DEFER_BELOW).subquery())
        ).scalar_one()
        if held >= DEFER_BELOW:
            return False
        present = {
            name
            for (name,) in self.connection.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?",
                (table.name,),
            )
        }
        self._deferred_tables.add(table.name)
        for index in sorted(table.indexes, key=lambda i: str(i.name)):
            if index.name in present and not index.unique:
                self.connection.exec_driver_sql(f'DROP INDEX "{index.name}"')
                self._deferred_other.append(index)
        return True

    def _restore_other_indexes(self) -> None:
        if not self._deferred_other:
            return
        saved = self._set_pragmas(INDEX_BUILD_PRAGMAS)
        try:
            for index in self._deferred_other:
                index.create(self.connection)
        finally:
            self._set_pragmas(saved)
        self._deferred_other = []

    def restore_history_indexes(self) -> None:
        if not self._deferred_indexes:
            return
        self._flush_history()
        saved = self._set_pragmas(INDEX_BUILD_PRAGMAS)
        try:
            for index in self._deferred_indexes:
                index.create(self.connection)
        finally:
            self._set_pragmas(saved)
        self._deferred_indexes = []

    def _set_pragmas(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """Set SQLite pragmas on this connection; returns their previous values."""
        driver = self.connection.connection.driver_connection
        assert driver is not None
        previous = {}
        for name, value in values.items():
            previous[name] = driver.execute(f"PRAGMA {name}").fetchone()[0]
            driver.execute(f"PRAGMA {name}={value}")
        return previous

    def _untune_sqlite(self) -> None:
        driver = self.connection.connection.driver_connection
        if driver is None:
            return
        for name, value in self._saved_pragmas.items():
            driver.execute(f"PRAGMA {name}={value}")
        self._saved_pragmas.clear()

    def new_id(self, table: Table) -> int:
        if table.name not in self._ids:
            self._ids[table.name] = IdAllocator(self.connection, table)
        return self._ids[table.name].take()

    def add(self, table: Table, row: Mapping[str, Any], *, owned: bool = False) -> None:
        """Buffer one row; ``owned``: the caller hands over a dict of its own that it no longer
        touches, kept as it is instead of copied."""
        rows = self._rows.get(table.name)
        if rows is None:
            rows = self._rows[table.name] = []
            self._tables[table.name] = table
        rows.append(row if owned and type(row) is dict else dict(row))
        if len(rows) >= self.batch_size:
            self._flush_table(table.name)

    def add_many(self, table: Table, rows: Iterable[Mapping[str, Any]]) -> None:
        for row in rows:
            self.add(table, row)

    def add_changes(self, changes: Iterable[Change]) -> None:
        stamp = self._stamp
        self._history.extend(
            (
                c.record_type.value,
                c.record_id,
                c.field,
                c.old,
                c.new,
                c.changed_at if stamp is None else stamp(c.changed_at),
                c.actor,
                c.justification,
            )
            for c in changes
        )
        if len(self._history) >= self._history_batch:
            self._flush_history()

    def add_history_rows(self, rows: Iterable[tuple[Any, ...]]) -> None:
        """History rows already in the stored shape: the :data:`HISTORY_COLUMNS` values, with
        ``changed_at`` passed through :meth:`stamp` (what :meth:`add_changes` builds)."""
        self._history.extend(rows)
        if len(self._history) >= self._history_batch:
            self._flush_history()

    def _flush_history(self) -> None:
        rows = self._history
        if not rows:
            return
        if self._sqlite:
            driver = self.connection.connection.driver_connection
            assert driver is not None
            driver.executemany(HISTORY_INSERT, rows)
        else:
            self.connection.execute(
                insert(t.history), [dict(zip(HISTORY_COLUMNS, row, strict=True)) for row in rows]
            )
        self.counts["history"] = self.counts.get("history", 0) + len(rows)
        self._history = []

    def _flush_table(self, name: str) -> None:
        rows = self._rows.get(name)
        if rows:
            table = self._tables[name]
            for group in same_columns(table, rows):
                if self._sqlite:
                    self._sqlite_executemany(table, group)
                else:
                    self.connection.execute(insert(table), group)
            self.counts[name] = self.counts.get(name, 0) + len(rows)
            self._rows[name] = []

    def _statement(self, table: Table, columns: tuple[str, ...]) -> tuple[str, list[Any]] | None:
        """The insert and the per-column value processors, built once per table and columns;
        None when a column left out has a default only SQLAlchemy computes."""
        key = (table.name, columns)
        if key in self._statements:
            return self._statements[key]
        found: tuple[str, list[Any]] | None = None
        if not computed_defaults(table, columns):
            dialect = self.connection.dialect
            processors = [quicker(table.c[c].type._cached_bind_processor(dialect)) for c in columns]
            names = ", ".join(f'"{c}"' for c in columns)
            marks = ", ".join("?" for _c in columns)
            found = (f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})', processors)
        self._statements[key] = found
        return found

    def _sqlite_executemany(self, table: Table, rows: list[dict[str, Any]]) -> None:
        """The same insert through the driver's executemany, with SQLAlchemy's own value
        processing done once per column: several times faster for millions of rows. The rows
        hold the same columns in the same order (:func:`same_columns`)."""
        columns = tuple(rows[0])
        found = self._statement(table, columns)
        if found is None:
            self.connection.execute(insert(table), rows)
            return
        sql, processors = found
        converting = [(i, process) for i, process in enumerate(processors) if process is not None]
        params = []
        for row in rows:
            values = list(row.values())
            for i, process in converting:
                value = values[i]
                if value is not None:
                    values[i] = process(value)
            params.append(values)
        driver = self.connection.connection.driver_connection
        assert driver is not None
        driver.executemany(sql, params)

    # Parents before children, so foreign keys hold at every flush.
    ORDER = (
        "teams",
        "reps",
        "quotas",
        "accounts",
        "contacts",
        "campaigns",
        "leads",
        "opportunities",
        "campaign_members",
        "opportunity_contacts",
        "activities",
        "history",
        "qualification_evidence",
        "qualification_snapshots",
        "audit_log",
    )

    def flush(self) -> None:
        for name in self.ORDER:
            self._flush_table(name)
            if name == "history":
                self._flush_history()
        for name in list(self._rows):
            self._flush_table(name)

    def finish(self) -> None:
        """Flush everything and build the deferred indexes again."""
        self.finished = True
        self.flush()
        self._restore_other_indexes()
        self.restore_history_indexes()
        statistics.refresh(self.connection)
        if self._saved_pragmas:
            self._untune_sqlite()
