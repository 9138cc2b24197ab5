"""The analytics copy: what funnel analytics read, kept in a DuckDB file beside the workspace.

Why: cohort funnels, benchmarks and the pipeline waterfall scan every stage change. On a million
opportunities that is tens of seconds of row-at-a-time work in SQLite or PostgreSQL and about a
second in DuckDB's columnar engine (benchmarks/results/analytics.md). The copy has the same tables
under the same names (``history_intervals``: a view of the workspace database, a table here, see
``sqo.store.intervals``), so one portable SQL query serves the copy and the workspace database.

How it stays exact. Before every analytics command the copy catches up with the workspace, from
one read snapshot of it and in one DuckDB transaction (a failed refresh leaves the copy as it was):

- history is append-only: rows above the copy's mark are appended. A block of ``BLOCK`` ids whose
  ids are all taken can never change, so only blocks with gaps are counted again (the last one,
  and on PostgreSQL the ids of transactions still open at the last refresh), and their late rows
  copied.
- leads and opportunities change in place, and every change appends history, so the records the
  new history names are read again; a count or highest-id mismatch reads the whole table again.
- teams, reps, accounts, campaigns, quotas and exchange rates are small and read whole.
- campaign memberships and opportunity contact roles (what attribution reads of them) are large
  and change in place with neither history nor a version: a digest the database computes tells
  whether a table changed, and per-block digests which blocks to read again
  (``sqo.store.analytics_copy_digests``).
- if the row at the mark is no longer what the copy recorded, the database was replaced (a new
  demo, a restore): the copy is rebuilt.

Only the history of the fields analytics read (``ANALYTICS_FIELDS``) is copied, and no activities.
Every table in the file is the copy's own, the funnel records it keeps for analytics included
(``sqo.store.kept_records``): they are refreshed here, in the same transaction, never by a query.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from contextlib import closing, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, Engine, MetaData, Table, create_engine, select
from sqlalchemy.pool import StaticPool

from sqo.store import analytics_copy_digests as digested
from sqo.store import intervals as hi
from sqo.store import tables as t
from sqo.store.analytics_copy_file import (
    BUILD_MEMORY_LIMIT,
    MEMORY_LIMIT,
    CopyNotWritable,
    CopyUnavailable,
    connect_copy,
    copy_path,
    write_faults,
)
from sqo.store.copy_sources import Source, duck_sql, duck_type, open_source
from sqo.store.kept_records import PENDING, KeptRecords, refresh_kept

if TYPE_CHECKING:  # DuckDB loads only when a copy is opened (start-up time)
    pass

LAYOUT_VERSION = 4  # raise when what the copy holds changes: copies of other versions are rebuilt
BLOCK = 65_536  # history ids per block
RECORD_BLOCK = 4_096  # leads or opportunities per block compared when a table differs
RECORD_TABLES = (t.leads, t.opportunities)
DIRECTORY_TABLES = (t.teams, t.reps, t.accounts, t.campaigns, t.quotas, t.exchange_rates)
REREAD_ALL_ABOVE = 50_000  # changed records beyond which a whole table is cheaper to read again
IN_CHUNK = 1_000

# The copy's file and its errors are defined in analytics_copy_file; callers take them from here.
__all__ = [
    "AnalyticsCopy",
    "CopyNotWritable",
    "CopyUnavailable",
    "RefreshReport",
    "copy_path",
    "engine_for",
    "write_faults",
]


def _columns(table: Table) -> list[Column[Any]]:
    return list(table.columns)


def layout() -> str:
    """What the copy holds, as text: a change in the schema or in this module rebuilds it."""
    parts = [f"v{LAYOUT_VERSION}", f"block{BLOCK}", ",".join(t.ANALYTICS_FIELDS)]
    for table in (hi.history_intervals, *RECORD_TABLES, *DIRECTORY_TABLES):
        parts.append(
            table.name + ":" + ",".join(f"{c.name} {duck_type(c)}" for c in _columns(table))
        )
    parts += digested.layout_parts()
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


@dataclass
class RefreshReport:
    """What a refresh read: history rows and records (leads and opportunities) from the
    workspace database, and whether it built the copy from scratch; ``memberships``: the rows
    of campaign memberships and contact roles it read (``analytics_copy_digests``)."""

    rebuilt: bool
    history_rows: int
    records: int
    seconds: float
    memberships: int = 0


class AnalyticsCopy:
    """An open copy (a DuckDB connection holding the file's lock)."""

    def __init__(self, url: str, path: Path) -> None:
        self.url = url
        self.path = path
        self.duck = connect_copy(path)

    def close(self) -> None:
        # A copy invalidated by a failed write has nothing left to save.
        with suppress(*write_faults()):
            self.duck.close()

    # -- schema -------------------------------------------------------------------------------

    def _meta(self) -> dict[str, str]:
        self.duck.execute(
            "CREATE TABLE IF NOT EXISTS sqo_copy (key VARCHAR PRIMARY KEY, value VARCHAR)"
        )
        return {k: v for k, v in self.duck.execute("SELECT key, value FROM sqo_copy").fetchall()}

    def _set_meta(self, values: dict[str, str]) -> None:
        for key, value in values.items():
            self.duck.execute("INSERT OR REPLACE INTO sqo_copy VALUES (?, ?)", [key, value])

    def _create(self) -> None:
        # Every table in the file is the copy's own: a rebuild starts from an empty file (an
        # older layout's tables, the kept funnel records, the bookkeeping all go).
        for (name,) in self.duck.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'main' AND table_type = 'BASE TABLE' AND table_name <> 'sqo_copy'"
        ).fetchall():
            self.duck.execute(f'DROP TABLE "{name}"')
        for table in (hi.history_intervals, *RECORD_TABLES, *DIRECTORY_TABLES):
            columns = ", ".join(f"{c.name} {duck_type(c)}" for c in _columns(table))
            self.duck.execute(f"CREATE TABLE {table.name} ({columns})")
        digested.create(self.duck)
        self.duck.execute("CREATE TABLE sqo_copy_blocks (block BIGINT PRIMARY KEY, n BIGINT)")
        self.duck.execute(f"CREATE TABLE {PENDING} (record_type VARCHAR, record_id BIGINT)")
        self.duck.execute("DELETE FROM sqo_copy")

    # -- refresh ------------------------------------------------------------------------------

    def refresh(self, *, rebuild: bool = False, kept: KeptRecords | None = None) -> RefreshReport:
        """Bring the copy up to date in one DuckDB transaction, with the ``kept`` records
        derived from it if given. A folder that is full or read-only raises
        :class:`CopyNotWritable` and leaves the copy as it was."""
        started = time.perf_counter()
        self._set_memory(BUILD_MEMORY_LIMIT)
        try:
            with closing(open_source(self.url, self.duck)) as source:
                self.duck.execute("BEGIN TRANSACTION")
                try:
                    report = self._refresh(source, rebuild)
                    if kept is not None:
                        refresh_kept(self.duck, kept)
                    self.duck.execute("COMMIT")
                except BaseException:
                    self._rollback()
                    raise
        except write_faults() as exc:
            raise CopyNotWritable(self.path, exc) from exc
        finally:
            self._set_memory(MEMORY_LIMIT)  # the command's queries get the larger share
        report.seconds = time.perf_counter() - started
        return report

    def _set_memory(self, limit: str) -> None:
        import duckdb

        with suppress(duckdb.Error):  # a connection a failed write invalidated takes no setting
            self.duck.execute(f"SET memory_limit = '{limit}'")

    def _rollback(self) -> None:
        # A failed write may already have ended (or invalidated) the transaction.
        import duckdb

        with suppress(duckdb.Error):
            self.duck.execute("ROLLBACK")

    def _refresh(self, source: Source, rebuild: bool) -> RefreshReport:
        meta = self._meta()
        top = source.rows("SELECT max(id) FROM history")[0][0] or 0
        mark = int(meta.get("mark", "0"))
        rebuilt = (
            rebuild or meta.get("layout") != layout() or not self._still_same(source, meta, top)
        )
        if rebuilt:
            self._create()
            mark = 0
        late = self._late_blocks(source, mark)
        self._load_history(source, mark, top, late)
        records = self._load_records(source, full=rebuilt)
        memberships, digests = digested.refresh(self.duck, source, meta, full=rebuilt)
        fingerprints = {}
        for table in DIRECTORY_TABLES:
            key = f"fingerprint:{table.name}"
            fingerprints[key] = source.fingerprint(table.name)
            if not rebuilt and meta.get(key) == fingerprints[key]:
                continue  # unchanged since the last refresh (50,000 accounts: a second saved)
            self.duck.execute(f"DELETE FROM {table.name}")
            self._insert(source, table, "")
        if not rebuilt:
            # Records whose history moved, for what analytics keep derived from the copy.
            self.duck.execute(
                f"INSERT INTO {PENDING} SELECT DISTINCT record_type, record_id FROM sqo_incoming "
                "WHERE record_type IN ('lead', 'opportunity')"
            )
        fetched = self.duck.execute("SELECT count(*) FROM sqo_incoming").fetchall()[0]
        self.duck.execute("DROP TABLE IF EXISTS sqo_incoming")
        signature = source.rows(f"SELECT {_SIGNATURE} FROM history WHERE id = {int(top)}")
        self._set_meta(
            {
                "layout": layout(),
                "mark": str(top),
                "signature": repr(tuple(signature[:1])),
                **fingerprints,
                **digests,
            }
        )
        return RefreshReport(rebuilt, int(fetched[0]) if fetched else 0, records, 0.0, memberships)

    def _still_same(self, source: Source, meta: dict[str, str], top: int) -> bool:
        mark = int(meta.get("mark", "0"))
        if mark == 0:
            return True
        if top < mark:
            return False
        signature = source.rows(f"SELECT {_SIGNATURE} FROM history WHERE id = {mark}")
        return repr(tuple(signature[:1])) == meta.get("signature")

    def _late_blocks(self, source: Source, mark: int) -> list[int]:
        """Blocks at or below the mark where rows appeared since the last refresh (ids of
        transactions that were still open then); their counts are brought up to date."""
        gaps = self.duck.execute(
            "SELECT block, n FROM sqo_copy_blocks WHERE n < ?", [BLOCK]
        ).fetchall()
        if not gaps:
            return []
        ranges = " OR ".join(
            f"id BETWEEN {b * BLOCK + 1} AND {min((b + 1) * BLOCK, mark)}" for b, _n in gaps
        )
        counted = dict(
            source.rows(
                f"SELECT (id - 1) / {BLOCK} AS block, count(*) FROM history "
                f"WHERE id <= {mark} AND ({ranges}) GROUP BY (id - 1) / {BLOCK}"
            )
        )
        late = [int(b) for b, n in gaps if int(counted.get(b, 0)) != int(n)]
        for b, _n in gaps:
            self.duck.execute(
                "UPDATE sqo_copy_blocks SET n = ? WHERE block = ?", [int(counted.get(b, 0)), b]
            )
        return late

    def _load_history(self, source: Source, mark: int, top: int, late: list[int]) -> None:
        """New rows (and the rows of late blocks) into ``sqo_incoming``; the analytics fields'
        rows into history_intervals, block counts and the records they name into the
        bookkeeping. ``valid_until`` follows ``sqo.store.intervals``' one rule."""
        columns = [t.history.c[name] for name in t.COPIED_HISTORY_COLUMNS]
        parts = [f"(id > {mark} AND id <= {top})"]
        parts += [f"(id BETWEEN {b * BLOCK + 1} AND {min((b + 1) * BLOCK, mark)})" for b in late]
        casts = ", ".join(f"CAST({c.name} AS {duck_type(c)}) AS {c.name}" for c in columns)
        self.duck.execute("DROP TABLE IF EXISTS sqo_incoming")
        with source.stream(columns, "history", " OR ".join(parts)) as reader:
            self.duck.execute(
                f"CREATE TEMPORARY TABLE sqo_incoming AS SELECT {casts} FROM {reader}"
            )
        if mark == 0:
            self.duck.execute(f"INSERT INTO {hi.NAME} {duck_sql(hi.intervals_select(_INCOMING))}")
        elif self.duck.execute("SELECT count(*) FROM sqo_incoming").fetchall()[0][0]:
            self._append_history(mark)  # (nothing arrived: nothing to end, nothing to compile)
        self.duck.execute(
            f"INSERT INTO sqo_copy_blocks SELECT (id - 1) // {BLOCK}, count(*) FROM sqo_incoming "
            f"WHERE id > {mark} GROUP BY (id - 1) // {BLOCK} "
            "ON CONFLICT (block) DO UPDATE SET n = sqo_copy_blocks.n + excluded.n"
        )

    def _append_history(self, mark: int) -> None:
        """The new rows, then ``valid_until`` again for the records they name (a new row ends
        the interval of the one before it)."""
        wanted = ", ".join(f"'{f}'" for f in t.ANALYTICS_FIELDS)
        self.duck.execute(
            f"INSERT INTO {hi.NAME} SELECT id, record_type, record_id, field, new_value, "
            f"changed_at, NULL FROM sqo_incoming i WHERE i.field IN ({wanted}) "
            f"AND (i.id > {mark} OR i.id NOT IN (SELECT id FROM {hi.NAME} WHERE id <= {mark}))"
        )
        h = hi.history_intervals
        nexts = duck_sql(select(h.c.id, hi.next_change(h, h.c.valid_from).label("next")))
        self.duck.execute(
            f"UPDATE {hi.NAME} SET valid_until = n.next FROM ({nexts} WHERE (record_type, "
            "record_id) IN (SELECT DISTINCT record_type, record_id FROM sqo_incoming "
            f"WHERE field IN ({wanted}))) AS n "
            f"WHERE {hi.NAME}.id = n.id AND {hi.NAME}.valid_until IS DISTINCT FROM n.next"
        )

    def _load_records(self, source: Source, *, full: bool) -> int:
        """Leads and opportunities: those new history names are read again. A few changes
        write no history (an import changing only extra attributes or links), but every change
        raises the record's version: a table whose count, highest id or sum of versions still
        differs is compared block by block, and the blocks that differ are read again."""
        total = 0
        for table in RECORD_TABLES:
            kind = "lead" if table is t.leads else "opportunity"
            ids = [
                int(row[0])
                for row in self.duck.execute(
                    "SELECT DISTINCT record_id FROM sqo_incoming WHERE record_type = ?", [kind]
                ).fetchall()
            ]
            summary = (
                "SELECT count(*), coalesce(max(id), 0), coalesce(sum(version), 0) "
                f"FROM {table.name}"
            )
            theirs = _ints(source.rows(summary)[0])
            if full or len(ids) > REREAD_ALL_ABOVE:
                total += self._reread(source, table, "", theirs[0])
                continue
            for start in range(0, len(ids), IN_CHUNK):
                part = ", ".join(str(i) for i in ids[start : start + IN_CHUNK])
                total += self._reread(source, table, f"id IN ({part})", 0)
            total += len(ids)
            if _ints(self.duck.execute(summary).fetchall()[0]) != theirs:
                total += self._reread_blocks(source, table)
        return total

    def _reread(self, source: Source, table: Table, where: str, count: int) -> int:
        self.duck.execute(f"DELETE FROM {table.name}" + (f" WHERE {where}" if where else ""))
        self._insert(source, table, where)
        return count

    def _reread_blocks(self, source: Source, table: Table) -> int:
        block = f"(id - 1) / {RECORD_BLOCK}"
        sums = f"count(*), sum(version) FROM {table.name}"
        theirs = {
            int(r[0]): _ints(r[1:]) for r in source.rows(f"SELECT {block}, {sums} GROUP BY 1")
        }
        block = block.replace("/", "//")
        mine = {
            int(r[0]): _ints(r[1:])
            for r in self.duck.execute(f"SELECT {block}, {sums} GROUP BY 1").fetchall()
        }
        stale = [b for b in theirs.keys() | mine.keys() if theirs.get(b) != mine.get(b)]
        read = 0
        for b in sorted(stale):
            where = f"id BETWEEN {b * RECORD_BLOCK + 1} AND {(b + 1) * RECORD_BLOCK}"
            read += self._reread(source, table, where, theirs.get(b, (0,))[0])
        return read

    def _insert(self, source: Source, table: Table, where: str) -> None:
        columns = _columns(table)
        casts = ", ".join(f"CAST({c.name} AS {duck_type(c)})" for c in columns)
        with source.stream(columns, table.name, where) as reader:
            self.duck.execute(f"INSERT INTO {table.name} SELECT {casts} FROM {reader}")


_SIGNATURE = "record_type, record_id, field, CAST(changed_at AS TEXT)"


def _ints(row: Sequence[Any] | None) -> tuple[int, ...]:
    return tuple(int(x) for x in row or ())


# The rows a refresh reads from the workspace, as ``intervals_select`` sees them.
_INCOMING = Table(
    "sqo_incoming",
    MetaData(),
    *[Column(c.name, c.type) for c in t.history.columns if c.name in t.COPIED_HISTORY_COLUMNS],
)


def engine_for(copy: AnalyticsCopy) -> Engine:
    """A SQLAlchemy engine over one connection to the copy (temporary tables live per
    connection, and a command's queries share them)."""
    import duckdb_engine

    return create_engine(
        "duckdb://",
        creator=lambda: duckdb_engine.ConnectionWrapper(copy.duck.cursor()),
        poolclass=StaticPool,
    )
