"""Turning an imported record's current state and the history its source reveals into history
events, in the canonical encoding of :mod:`sqo.domain.history`.

Creation: the record is created at ``created_at`` in the first stage the source shows, with the
first value the source shows of every other field it has history for (an amount, a close date),
then changes at the real times of the later events; the close time is set by the move that
closed it. Update: events the source reveals after the last change already in history are
appended with their times. What is left between the last known value and the record's current
value changes at the export's modification time (the import's time for an update without one);
a stage left to reach changes with the last move, as it always did. Replaying the events
reproduces the imported state exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqo.domain.history import FIELDS, Change, RecordType, diff, encode
from sqo.io.incoming import FieldEvent

# The fields readers give history for (stage moves, amount and close date changes, ...).
TIMED_FIELDS = (
    "stage",
    "name",
    "amount_cents",
    "close_date",
    "next_step",
    "forecast_category",
    "probability",
)


def _at(event: FieldEvent) -> datetime:
    return event.at


def _first_values(ordered: Sequence[FieldEvent]) -> tuple[str | None, dict[str, str | None]]:
    """The first stage the events show, and every other field's first value (an OldValue, a
    field's value until its first change, counts: it is what the record was created with)."""
    stage: str | None = None
    found: dict[str, str | None] = {}
    for event in ordered:
        if event.field == "stage":
            if stage is None:
                stage = event.value
        elif event.field not in found:
            found[event.field] = event.value
    return stage, found


def timeline(
    before: dict[str, str | None] | None,
    after: dict[str, str | None],
    events: Sequence[FieldEvent],
    *,
    record_type: RecordType,
    record_id: int,
    start: datetime,
    fallback: datetime,
    actor: str,
) -> list[Change]:
    """The events that take a record from ``before`` (None: not there yet) to ``after``.

    ``start`` is the creation time (new records) or the time of the last change of a field
    with history already in history (existing ones); ``fallback`` is when changes with no known
    time happened.
    """
    changes: list[Change] = []
    if before is None:
        ordered = sorted(events, key=_at)
        state = dict(after)
        stage, first = _first_values(ordered)
        if stage is not None:
            state["stage"] = stage
            if stage != after.get("stage"):
                state["closed_at"] = None
        state.update({name: value for name, value in first.items() if name in state})
        changes += diff(
            None, state, record_type=record_type, record_id=record_id, at=start, actor=actor
        )
    else:
        state = dict(before)
        ordered = sorted((e for e in events if e.at > start), key=_at)
    at = start
    closing_at: datetime | None = None
    for event in ordered:
        name = event.field
        if event.before or name not in state or state[name] == event.value:
            continue
        at = max(at, event.at)
        changes.append(Change(record_type, record_id, name, state[name], event.value, at, actor))
        state[name] = event.value
        if name == "stage" and event.value == after.get("stage"):
            closing_at = at
    last_move = max(at, fallback) if before is not None else at
    rest = diff(
        state,
        after,
        record_type=record_type,
        record_id=record_id,
        at=max(at, fallback),
        actor=actor,
    )
    for change in rest:
        if change.field == "stage":
            change = Change(
                record_type, record_id, "stage", change.old, change.new, last_move, actor
            )
        elif change.field == "closed_at":
            when = closing_at if closing_at is not None else last_move
            change = Change(
                record_type, record_id, "closed_at", change.old, change.new, when, actor
            )
        changes.append(change)
    return changes


HistoryRow = tuple[str, int, str, str | None, str | None, Any, str, None]


def quick_snapshot(record: object, record_type: RecordType) -> dict[str, str | None]:
    """:func:`snapshot`, with the values already in their canonical text (None, and plain
    strings, which :func:`encode` returns as they are) taken as they are."""
    found: dict[str, str | None] = {}
    for name in FIELDS[record_type]:
        value = getattr(record, name)
        found[name] = value if value is None or type(value) is str else encode(value)
    return found


def creation_rows(
    after: dict[str, str | None],
    events: Sequence[FieldEvent],
    *,
    record_type: RecordType,
    record_id: int,
    start: datetime,
    fallback: datetime,
    actor: str,
    stamp: Callable[[datetime], Any],
) -> list[HistoryRow]:
    """``timeline(None, after, events, ...)`` for a brand-new record, as the history rows the
    bulk writer stores (``stamp`` turns a time into its stored form), without the intermediate
    states and :class:`Change` objects: the same rows, values, times and order, several times
    faster. The general :func:`timeline` stays the reference (tests compare the two)."""
    rt = record_type.value
    final = after.get("stage")
    ordered = sorted(events, key=_at) if len(events) > 1 else events
    first, values = _first_values(ordered)
    state = after.copy()
    if first is not None:
        state["stage"] = first
        if first != final and "closed_at" in state:
            state["closed_at"] = None
    for name, value in values.items():
        if name in state:
            state[name] = value
    at_start = stamp(start)
    rows: list[HistoryRow] = [
        (rt, record_id, name, None, new, at_start, actor, None)
        for name, new in state.items()
        if new is not None
    ]
    append = rows.append
    at = start
    closing_at: datetime | None = None
    for event in ordered:
        name = event.field
        if event.before or name not in state:
            continue
        old = state[name]
        if old == event.value:
            continue
        if event.at > at:
            at = event.at
        append((rt, record_id, name, old, event.value, stamp(at), actor, None))
        state[name] = event.value
        if name == "stage" and event.value == final:
            closing_at = at
    # What is left to reach ``after``, in field order: the stage (when the moves end
    # elsewhere) with the last move, the close time with the move that closed it, any other
    # field at the modification time.
    for name, new in after.items():
        old = state[name]
        if old == new:
            continue
        if name == "stage":
            when = at
        elif name == "closed_at":
            when = closing_at if closing_at is not None else at
        else:
            when = max(at, fallback)
        append((rt, record_id, name, old, new, stamp(when), actor, None))
    return rows
