"""A scratch store for stage history rows, so a history file of any size can be joined to its
records without holding it in memory: rows go to a temporary SQLite file, indexed by record id,
and are read back per batch of records. It is not the workspace, and is deleted afterwards.

Consecutive rows of one record (exports often list a record's history together) are kept as
one run, a single row of the scratch table: a history of millions of rows costs a fraction of
the inserts, index entries and lookups. A record's events come back in time order, rows of the
same time in the order they were added.

A stage event is kept as its time and its stage's number; any other field's event as its time,
the field's number and the value's text (escaped when it holds a separator), so a history of
stages alone costs what it always did.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from sqo.io.incoming import FieldEvent

BATCH = 50_000
_EVENT = "\x1e"  # between the events of a run
_PART = "\x1f"  # between an event's time, its stage's (or field's) number and its value
_ESCAPED = "\x1d"  # a value holding a separator, as JSON (which writes control characters escaped)


def _at_text(event: list[str]) -> str:
    return event[0]


class EventStage:
    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="sqo-import-")
        self.db = sqlite3.connect(Path(self._dir.name) / "events.db")
        self.db.execute("PRAGMA journal_mode=OFF")
        self.db.execute("PRAGMA synchronous=OFF")
        # A scratch file: a 32 MB page cache, and worker threads for the sort of its index.
        self.db.execute("PRAGMA cache_size=-32768")
        self.db.execute("PRAGMA threads=2")
        self.db.execute("CREATE TABLE events (record TEXT, run TEXT)")
        self.db.execute("CREATE TABLE ids (record TEXT PRIMARY KEY)")
        self.indexed = False
        self._pending: list[tuple[str, str]] = []  # written in batches, not row by row
        self._pending_ids: list[tuple[str]] = []
        self._run_record: str | None = None
        self._run: list[str] = []
        # Stage names are stored by number (no name can clash with the separators).
        self._stage_numbers: dict[str, str] = {}
        self._stage_names: list[str] = []
        # The fields (and whether they are values until the time) of add_values, by number.
        self._layout_numbers: dict[tuple[tuple[str, ...], bool], str] = {}
        self._layouts: list[tuple[tuple[str, ...], bool]] = []

    def add(self, rows: Iterable[tuple[str, datetime, str]]) -> None:
        for record, at, stage in rows:
            self.add_one(record, at, stage)

    def add_one(self, record: str, at: datetime, stage: str) -> None:
        number = self._stage_numbers.get(stage)
        if number is None:
            number = self._stage_numbers[stage] = str(len(self._stage_names))
            self._stage_names.append(stage)
        if record != self._run_record:
            self._end_run()
            self._run_record = record
        self._run.append(f"{at.isoformat()}{_PART}{number}")

    def add_values(
        self,
        record: str,
        at: datetime,
        fields: tuple[str, ...],
        values: list[str | None],
        *,
        before: bool = False,
    ) -> None:
        """Several fields' values at ``at``, such as an OpportunityHistory row's stage, amount
        and close date (``before``: their values until ``at``, see FieldEvent)."""
        layout = (fields, before)
        number = self._layout_numbers.get(layout)
        if number is None:
            number = self._layout_numbers[layout] = str(len(self._layouts))
            self._layouts.append(layout)
        if record != self._run_record:
            self._end_run()
            self._run_record = record
        texts = ["" if value is None else value for value in values]
        joined = _PART.join(texts)
        # One scan of the row for the usual case: no value holds a separator.
        if _EVENT in joined or _ESCAPED in joined or joined.count(_PART) != len(texts) - 1:
            joined = _PART.join(
                _ESCAPED + json.dumps(t) if _EVENT in t or _PART in t or _ESCAPED in t else t
                for t in texts
            )
        self._run.append(f"{at.isoformat()}{_PART}{number}{_PART}{joined}")

    def _end_run(self) -> None:
        if self._run_record is not None:
            self._pending.append((self._run_record, _EVENT.join(self._run)))
            self._run_record = None
            self._run = []
            if len(self._pending) >= BATCH:
                self._write()

    def _write(self) -> None:
        if self._pending:
            self.db.executemany("INSERT INTO events VALUES (?, ?)", self._pending)
            self._pending = []

    def add_ids(self, ids: Iterable[str]) -> None:
        self._pending_ids.extend(zip(ids))  # 1-tuples
        if len(self._pending_ids) >= BATCH:
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
        self._end_run()
        self._write()
        if not self.indexed:
            self.db.execute("CREATE INDEX ix_events ON events (record)")
            self.indexed = True

    def events_for(self, records: list[str]) -> dict[str, list[FieldEvent]]:
        """Each record's events in time order; events of the same time in the order added."""
        self._index()
        runs: dict[str, list[str]] = {}
        for start in range(0, len(records), 900):
            part = records[start : start + 900]
            marks = ",".join("?" * len(part))
            rows = self.db.execute(
                f"SELECT record, run FROM events WHERE record IN ({marks}) ORDER BY record, rowid",
                part,
            )
            for record, run in rows:
                found = runs.get(record)
                if found is None:
                    runs[record] = [run]
                else:
                    found.append(run)
        events: dict[str, list[FieldEvent]] = {}
        for record, found in runs.items():
            parts = [event.split(_PART) for event in _EVENT.join(found).split(_EVENT)]
            if len(parts) > 1:
                parts.sort(key=_at_text)  # stable: ties keep the order they were added in
            events[record] = self._events(parts)
        return events

    def _events(self, parts: list[list[str]]) -> list[FieldEvent]:
        """Events of one record, from its entries in time order. A field's value repeated from
        its previous event says nothing new and is left out (a history row repeats every value
        it tracks, changed or not); stage events are kept as they are."""
        parse = datetime.fromisoformat
        names = self._stage_names
        events: list[FieldEvent] = []
        last: dict[str, str | None] = {}
        append = events.append
        layouts = self._layouts
        for part in parts:
            if len(part) == 2:
                append(FieldEvent(parse(part[0]), names[int(part[1])]))
                continue
            at = parse(part[0])
            fields, before = layouts[int(part[1])]
            for field, text in zip(fields, part[2:], strict=True):
                value: str | None = text or None
                if text and text[0] == _ESCAPED:
                    value = json.loads(text[1:])
                if field == "stage":
                    if value is not None:
                        append(FieldEvent(at, value))
                elif before:
                    append(FieldEvent(at, value, field, True))
                elif field not in last or last[field] != value:
                    last[field] = value
                    append(FieldEvent(at, value, field))
        return events

    def close(self) -> None:
        self.db.close()
        self._dir.cleanup()
