"""A scratch store for stage history rows, so a history file of any size can be joined to its
records without holding it in memory: rows go to a temporary SQLite file, indexed by record id,
and are read back per batch of records. It is not the workspace, and is deleted afterwards."""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from sqo.io.incoming import StageEvent


class EventStage:
    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="sqo-import-")
        self.db = sqlite3.connect(Path(self._dir.name) / "events.db")
        self.db.execute("PRAGMA journal_mode=OFF")
        self.db.execute("PRAGMA synchronous=OFF")
        # A scratch file: a 32 MB page cache, and worker threads for the sort of its index.
        self.db.execute("PRAGMA cache_size=-32768")
        self.db.execute("PRAGMA threads=2")
        self.db.execute("CREATE TABLE events (record TEXT, at TEXT, stage TEXT)")
        self.db.execute("CREATE TABLE ids (record TEXT PRIMARY KEY)")
        self.indexed = False
        self._pending: list[tuple[str, str, str]] = []  # written in batches, not row by row
        self._pending_ids: list[tuple[str]] = []

    def add(self, rows: Iterable[tuple[str, datetime, str]]) -> None:
        self._pending.extend((r, a.isoformat(), s) for r, a, s in rows)
        if len(self._pending) >= 50_000:
            self._write()

    def add_one(self, record: str, at: datetime, stage: str) -> None:
        self._pending.append((record, at.isoformat(), stage))
        if len(self._pending) >= 50_000:
            self._write()

    def _write(self) -> None:
        if self._pending:
            self.db.executemany("INSERT INTO events VALUES (?, ?, ?)", self._pending)
            self._pending = []

    def add_ids(self, ids: Iterable[str]) -> None:
        self._pending_ids.extend(zip(ids))  # 1-tuples
        if len(self._pending_ids) >= 50_000:
            self._write_ids()

    def _write_ids(self) -> None:
        if self._pending_ids:
            self.db.executemany("INSERT OR IGNORE INTO ids VALUES (?)", self._pending_ids)
            self._pending_ids = []

    def has_id(self, record: str) -> bool:
        self._write_ids()
        return (
            self.db.execute("SELECT 1 FROM ids WHERE record = ?", (record,)).fetchone() is not None
        )

    def known_ids(self, records: Iterable[str]) -> set[str]:
        """Which of these record ids were added (:meth:`add_ids`), in a few queries."""
        self._write_ids()
        wanted = sorted(set(records))
        found: set[str] = set()
        for start in range(0, len(wanted), 900):
            part = wanted[start : start + 900]
            marks = ",".join("?" * len(part))
            found.update(
                r
                for (r,) in self.db.execute(
                    f"SELECT record FROM ids WHERE record IN ({marks})", part
                )
            )
        return found

    def _index(self) -> None:
        self._write()
        if not self.indexed:
            self.db.execute("CREATE INDEX ix_events ON events (record)")
            self.indexed = True

    def events_for(self, records: list[str]) -> dict[str, list[StageEvent]]:
        self._index()
        found: dict[str, list[StageEvent]] = {}
        parse = datetime.fromisoformat
        for start in range(0, len(records), 900):
            part = records[start : start + 900]
            marks = ",".join("?" * len(part))
            rows = self.db.execute(
                f"SELECT record, at, stage FROM events WHERE record IN ({marks}) ORDER BY at",
                part,
            )
            for record, at, stage in rows:
                events = found.get(record)
                if events is None:
                    events = found[record] = []
                events.append(StageEvent(parse(at), stage))
        return found

    def close(self) -> None:
        self.db.close()
        self._dir.cleanup()
