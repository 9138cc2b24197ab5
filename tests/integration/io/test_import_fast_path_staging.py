"""The staging store gives each record's events exactly as the plain one-row-per-event store
did (``ORDER BY at`` over the record's rows): time order, ties in the order the rows came."""

from __future__ import annotations

import random
import sqlite3
from datetime import datetime, timedelta
from typing import Any

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


def test_field_values_read_back_in_order_with_repeats_left_out(monkeypatch):
    """Rows of several fields (an OpportunityHistory row: stage, amount, close date; a field
    history row: OldValue until, NewValue from), values holding the store's own separators,
    empty values: each record's events in time order, a field's value repeated from its
    previous event left out, values until a time and stages kept as they are."""
    monkeypatch.setattr(staging, "BATCH", 7)
    rng = random.Random(9)
    base = datetime(2024, 1, 1)
    layout = ("stage", "amount_cents", "close_date")
    texts = ["Call \x1e back", "a\x1fb", "\x1d{}", "plain", None, '"quoted", and\nnew line']
    rows: list[tuple[str, datetime, str, tuple[Any, ...]]] = []
    stage = EventStage()
    try:
        for _ in range(3000):
            record = f"sf:{rng.randrange(300):04d}"
            at = base + timedelta(hours=rng.randrange(0, 60))
            shape = rng.random()
            if shape < 0.3:
                name = rng.choice(["Qualification", "SQO", "Won"])
                stage.add_one(record, at, name)
                rows.append((record, at, "stage", (name,)))
            elif shape < 0.7:
                values = [
                    rng.choice(["SQO", "Won"]),
                    rng.choice(["100", "250", None]),
                    "2024-05-01",
                ]
                stage.add_values(record, at, layout, values)
                rows.append((record, at, "row", tuple(values)))
            else:
                text, before = rng.choice(texts), rng.random() < 0.5
                stage.add_values(record, at, ("next_step",), [text], before=before)
                rows.append((record, at, "before" if before else "field", (text,)))
        records = sorted({r for r, _a, _k, _v in rows})
        got = stage.events_for(records)
    finally:
        stage.close()
    want: dict[str, list[tuple[datetime, str, str | None, bool]]] = {}
    last: dict[tuple[str, str], str | None] = {}
    for record, at, kind, values in sorted(rows, key=lambda r: r[1]):  # stable: ties in order
        found = want.setdefault(record, [])
        if kind == "stage":
            found.append((at, "stage", values[0], False))
            continue
        names = layout if kind == "row" else ("next_step",)
        for name, value in zip(names, values, strict=True):
            if name == "stage":
                found.append((at, "stage", value, False))
            elif kind == "before":
                found.append((at, name, value, True))
            elif (record, name) not in last or last[record, name] != value:
                last[record, name] = value
                found.append((at, name, value, False))
    assert {
        r: [(e.at, e.field, e.value, e.before) for e in events] for r, events in got.items()
    } == want
