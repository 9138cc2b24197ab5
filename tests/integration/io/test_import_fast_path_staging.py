"""The staging store gives each record's events exactly as the plain one-row-per-event store
did (``ORDER BY at`` over the record's rows): time order, ties in the order the rows came."""

from __future__ import annotations

import random
import sqlite3
from datetime import datetime, timedelta

import pytest

from sqo.io import staging
from sqo.io.staging import EventStage


def _reference(rows: list[tuple[str, datetime, str]], records: list[str]) -> dict:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE events (record TEXT, at TEXT, stage TEXT)")
    db.executemany(
        "INSERT INTO events VALUES (?, ?, ?)", [(r, a.isoformat(), s) for r, a, s in rows]
    )
    db.execute("CREATE INDEX ix_events ON events (record)")
    found: dict[str, list[tuple[datetime, str]]] = {}
    for start in range(0, len(records), 900):
        part = records[start : start + 900]
        marks = ",".join("?" * len(part))
        query = f"SELECT record, at, stage FROM events WHERE record IN ({marks}) ORDER BY at"
        for record, at, stage in db.execute(query, part):
            found.setdefault(record, []).append((datetime.fromisoformat(at), stage))
    return found


@pytest.mark.parametrize("batch", [3, 50_000])
def test_runs_read_back_like_single_rows(monkeypatch, batch):
    monkeypatch.setattr(staging, "BATCH", batch)
    rng = random.Random(5)
    base = datetime(2024, 1, 1)
    stages = ["Qualification", "SQO", "Won", "Lost", "Solution \x1e odd \x1f name"]
    rows = []
    for _ in range(6000):
        # Runs of one record, records coming back later, ties and microseconds.
        record = f"sf:{rng.randrange(700):05d}"
        for _step in range(rng.randrange(1, 6)):
            at = base + timedelta(hours=rng.randrange(0, 40), microseconds=rng.choice([0, 0, 7]))
            rows.append((record, at, rng.choice(stages)))
    stage = EventStage()
    try:
        for record, at, name in rows[:1000]:
            stage.add_one(record, at, name)
        stage.add(rows[1000:])
        records = [*sorted({r for r, _a, _s in rows}), "sf:none"]
        rng.shuffle(records)
        got = stage.events_for(records)
    finally:
        stage.close()
    want = _reference(rows, records)
    assert {r: [(e.at, e.stage) for e in events] for r, events in got.items()} == want
