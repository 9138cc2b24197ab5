"""Where analytics read: the analytics copy (DuckDB), else the workspace database itself.

The copy is brought up to date before each command (see ``sqo.store.analytics_copy``). The
workspace database serves when the copy is switched off (``SQO_ANALYTICS_COPY=off``) or cannot be
opened or brought up to date here (another process holds it, its folder is read-only or full);
the figures are the same, only slower on large workspaces. Analytics queries never write to the
copy: the funnel records it keeps are refreshed by the copy itself, before the command reads. A
write that still fails once the command reads (its temporary tables) ends in one sentence, not
a traceback.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, select

from sqo.analytics import funnel_records
from sqo.analytics.milestones import milestone_ladder
from sqo.domain.actor import Actor
from sqo.services import analytics_engines
from sqo.services.workspace import Workspace
from sqo.store import tables as t
from sqo.store.analytics_copy import (
    AnalyticsCopy,
    CopyNotWritable,
    CopyUnavailable,
    copy_path,
    engine_for,
    write_faults,
)
from sqo.store.analytics_copy_digests import wanted as copied_memberships
from sqo.store.database import is_sqlite, sqlite_path
from sqo.store.kept_records import KeptRecords

OFF = ("off", "0", "no", "false")
REQUIRED = "required"  # never fall back (tests use it to be sure the copy is what they check)
ALWAYS = "always"  # the copy at any size, falling back like "on" (tests of the fallback use it)


def copy_mode() -> str:
    override = analytics_engines.copy_mode_override()  # --engine database / copy
    if override is not None:
        return override
    value = os.environ.get("SQO_ANALYTICS_COPY", "on").strip().casefold()
    return "off" if value in OFF else value if value in (REQUIRED, ALWAYS) else "on"


# Below this many history rows the workspace database answers sooner than the copy: loading
# DuckDB and bringing the copy up to date cost about half a second, more than the queries take on
# the demo's 92,000 rows (benchmarks/results/startup.md); at 5 million the copy is 20 times faster.
COPY_PAYS_FROM = 250_000


def _large(ws: Workspace) -> bool:
    with ws.unit_of_work() as uow:  # the highest id: an index look-up, not a count
        highest = uow.connection.execute(select(func.max(t.history.c.id))).scalar()
    return (highest or 0) >= COPY_PAYS_FROM


def _uses_copy(ws: Workspace) -> bool:
    # An in-memory database has no file to keep a copy beside.
    mode = copy_mode()
    if mode == "off" or (is_sqlite(ws.url) and sqlite_path(ws.url) is None):
        return False
    return mode in (REQUIRED, ALWAYS) or _large(ws)


def copy_to_build(ws: Workspace) -> bool:
    """Whether the next analytics command builds the copy from nothing (worth announcing: on a
    large workspace that takes a while, once)."""
    return _uses_copy(ws) and not copy_path(ws.url).exists()


def _open(ws: Workspace) -> AnalyticsCopy | None:
    mode = copy_mode()
    if not _uses_copy(ws):
        return None
    try:
        return AnalyticsCopy(ws.url, copy_path(ws.url))
    except CopyUnavailable:
        if mode == REQUIRED:
            raise
        return None


def _kept(ws: Workspace) -> KeptRecords:
    return funnel_records.kept_records(milestone_ladder(ws.stage_model))


# The connection of an open analytics_session, with the workspace it reads.
_SESSION: ContextVar[tuple[Workspace, Connection] | None] = ContextVar(
    "sqo_analytics_session", default=None
)


@contextmanager
def analytics_session(ws: Workspace) -> Iterator[Connection]:
    """One analytics connection for several commands run together (the weekly review's changes,
    funnel, benchmarks and hygiene): the copy is brought up to date once, not per command, and a
    temporary table one of them builds (the milestones) can serve the next. Inside it,
    ``analytics_connection(ws)`` yields this connection."""
    current = _SESSION.get()
    if current is not None and current[0] is ws:
        yield current[1]
        return
    with analytics_connection(ws) as connection:
        token = _SESSION.set((ws, connection))
        try:
            yield connection
        finally:
            _SESSION.reset(token)


@contextmanager
def analytics_connection(ws: Workspace) -> Iterator[Connection]:
    """A read connection for one analytics command. The copy, with the funnel records it keeps,
    is brought up to date first, once; the command's queries then only read."""
    session = _SESSION.get()
    if session is not None and session[0] is ws:
        yield session[1]
        return
    if analytics_engines.spark_chosen():
        with analytics_engines.spark_connection(ws) as connection:
            yield connection
        return
    copy = _open(ws)
    if copy is not None:
        try:
            copy.refresh(kept=_kept(ws))
        except CopyUnavailable:
            copy.close()
            if copy_mode() == REQUIRED:
                raise
            copy = None  # left as it was; the database answers this time
    if copy is None:
        with ws.unit_of_work() as uow:
            yield uow.connection
        return
    try:
        engine = engine_for(copy)
        try:
            with engine.connect() as connection:
                funnel_records.mark_kept(connection, milestone_ladder(ws.stage_model))
                yield connection
        except write_faults() as exc:
            raise CopyNotWritable(copy.path, exc) from exc
        finally:
            engine.dispose()
    finally:
        copy.close()


# The workspace's own databases; an analytics connection of another dialect is a copy.
WORKSPACE_DIALECTS = ("sqlite", "postgresql")


@contextmanager
def workspace_reads(ws: Workspace, connection: Connection) -> Iterator[Connection]:
    """A connection for what only the workspace database holds (activities, promotions, trained
    models): ``connection`` itself when ``analytics_connection`` gave the database, else one
    of the workspace's own."""
    if connection.dialect.name in WORKSPACE_DIALECTS:
        yield connection
        return
    with ws.unit_of_work() as uow:
        yield uow.connection


@dataclass(frozen=True)
class CopyRefresh:
    """What bringing the analytics copy up to date read, and where the copy is."""

    path: Path
    rebuilt: bool
    history_rows: int
    records: int
    seconds: float
    memberships: int = 0  # campaign memberships and contact roles read (attribution's rows)

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "rebuilt": self.rebuilt,
            "history_rows": self.history_rows,
            "records": self.records,
            "memberships": self.memberships,
            "seconds": round(self.seconds, 3),
        }


def refresh_copy(ws: Workspace, actor: Actor, *, rebuild: bool = False) -> CopyRefresh:
    """Bring the copy up to date now (after a large import, say), or build it again, with the
    funnel records it keeps between commands. Campaign memberships and contact roles are
    brought up to date too: only attribution reads them, so the other analytics commands skip
    them, and a refresh run to prepare for the week's commands must not leave
    `sqo campaigns` to read them all."""
    started = time.perf_counter()
    copy = AnalyticsCopy(ws.url, copy_path(ws.url))
    try:
        with copied_memberships():
            report = copy.refresh(rebuild=rebuild, kept=_kept(ws))
    finally:
        copy.close()
    return CopyRefresh(
        copy.path,
        report.rebuilt,
        report.history_rows,
        report.records,
        time.perf_counter() - started,
        report.memberships,
    )
