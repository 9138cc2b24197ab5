"""The large tables the analytics copy holds that change in place with neither history nor a
version: campaign memberships and opportunity contact roles (what attribution reads).

How they stay exact without being read whole at every refresh. The workspace database computes
a digest of each table (how many rows, and the sum of a hash of each row: ``Source.digests``) in
one pass, without sending its rows; while it equals the digest of the last refresh, the copy's
rows are the database's. When it differs (a row added, changed or deleted), the database gives
the digest of every block of ``BLOCK`` ids, and only the blocks whose digest differs from the
one kept here are read again. The digests are the database's own, kept from the refresh that
read the rows, so the copy never has to compute them the same way.

Only the columns attribution reads are copied (the SQLite digest hashes numbers and times, not
free text: a status or a role is not among them). Only a refresh for a command that reads them
(``wanted``: attribution) brings them up to date: the digest is a pass over the whole table, which
the other analytics commands need not pay for. The digests kept are those of the rows the copy
holds, so however many refreshes went by without them, the next one that wants them is exact.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, Table

from sqo.store import tables as t
from sqo.store.copy_sources import Source, duck_type

if TYPE_CHECKING:  # DuckDB loads only when a copy is opened (start-up time)
    import duckdb

BLOCK = 4_096  # ids per block compared when a table's digest differs
BOOK = "sqo_copy_digests"
COPIED: dict[str, tuple[str, ...]] = {
    t.campaign_members.name: ("id", "campaign_id", "lead_id", "contact_id", "touched_at"),
    t.opportunity_contacts.name: ("id", "opportunity_id", "contact_id"),
}
TABLES = (t.campaign_members, t.opportunity_contacts)
RANGES_PER_READ = 200  # blocks read again in one query

_wanted: ContextVar[bool] = ContextVar("sqo_copy_memberships", default=False)


@contextmanager
def wanted() -> Iterator[None]:
    """Refreshes of the copy inside this block bring the memberships and roles up to date."""
    token = _wanted.set(True)
    try:
        yield
    finally:
        _wanted.reset(token)


def columns(table: Table) -> list[Column[Any]]:
    return [table.c[name] for name in COPIED[table.name]]


def layout_parts() -> list[str]:
    parts = [f"digest-block{BLOCK}"]
    for table in TABLES:
        parts.append(
            table.name + ":" + ",".join(f"{c.name} {duck_type(c)}" for c in columns(table))
        )
    return parts


def create(duck: duckdb.DuckDBPyConnection) -> None:
    for table in TABLES:
        typed = ", ".join(f"{c.name} {duck_type(c)}" for c in columns(table))
        duck.execute(f"CREATE TABLE {table.name} ({typed})")
    duck.execute(
        f"CREATE TABLE {BOOK} (name VARCHAR, block BIGINT, n BIGINT, digest VARCHAR, "
        "PRIMARY KEY (name, block))"
    )


def refresh(
    duck: duckdb.DuckDBPyConnection, source: Source, meta: dict[str, str], *, full: bool
) -> tuple[int, dict[str, str]]:
    """Bring the tables up to date inside the caller's transaction: the rows read, and the
    whole-table digests for the copy's bookkeeping (``meta`` holds the last refresh's)."""
    read = 0
    kept: dict[str, str] = {}
    if not _wanted.get():
        return 0, {}
    for table in TABLES:
        copied = columns(table)
        key = f"digest:{table.name}"
        kept[key] = repr(source.digests(copied, table.name).get(0, (0, "0")))
        if not full and meta.get(key) == kept[key]:
            continue  # unchanged since the last refresh: the everyday case
        theirs = source.digests(copied, table.name, BLOCK)
        if full or key not in meta:  # built, or never brought up to date since the build
            duck.execute(f"DELETE FROM {table.name}")
            duck.execute(f"DELETE FROM {BOOK} WHERE name = ?", [table.name])
            stale = sorted(theirs)
            read += _insert(duck, source, table, "")
        else:
            mine = {
                int(b): (int(n), str(d))
                for b, n, d in duck.execute(
                    f"SELECT block, n, digest FROM {BOOK} WHERE name = ?", [table.name]
                ).fetchall()
            }
            stale = sorted(b for b in theirs.keys() | mine.keys() if theirs.get(b) != mine.get(b))
            for start in range(0, len(stale), RANGES_PER_READ):
                part = stale[start : start + RANGES_PER_READ]
                where = " OR ".join(_block(b) for b in part)
                duck.execute(f"DELETE FROM {table.name} WHERE {where}")
                read += _insert(duck, source, table, where)
            for start in range(0, len(stale), RANGES_PER_READ):
                blocks = ", ".join(str(b) for b in stale[start : start + RANGES_PER_READ])
                duck.execute(
                    f"DELETE FROM {BOOK} WHERE name = ? AND block IN ({blocks})", [table.name]
                )
        rows = [[table.name, b, *theirs[b]] for b in stale if b in theirs]
        if rows:
            duck.executemany(f"INSERT INTO {BOOK} VALUES (?, ?, ?, ?)", rows)
    return read, kept


def _block(b: int) -> str:
    # Block 0 also holds any id below 1 ((id - 1) / BLOCK truncates towards zero).
    low = "" if b == 0 else f"id >= {b * BLOCK + 1} AND "
    return f"({low}id <= {(b + 1) * BLOCK})"


def _insert(duck: duckdb.DuckDBPyConnection, source: Source, table: Table, where: str) -> int:
    copied = columns(table)
    casts = ", ".join(f"CAST({c.name} AS {duck_type(c)})" for c in copied)
    before = duck.execute(f"SELECT count(*) FROM {table.name}").fetchall()[0][0]
    with source.stream(copied, table.name, where) as reader:
        duck.execute(f"INSERT INTO {table.name} SELECT {casts} FROM {reader}")
    return int(duck.execute(f"SELECT count(*) FROM {table.name}").fetchall()[0][0]) - int(before)
