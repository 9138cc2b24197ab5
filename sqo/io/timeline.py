"""Turning an imported record's current state and the stage history its source reveals into
history events, in the canonical encoding of :mod:`sqo.domain.history`.

Creation: the record is created at ``created_at`` in the first stage the source shows, then
moves through the later stages at their real times; the close time is set by the move that
closed it. Update: stage moves the source reveals after the last one already in history are
appended with their times; every other changed field changes at the export's modification time
(or the import's time). Replaying the events reproduces the imported state exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqo.domain.history import FIELDS, Change, RecordType, diff, encode
from sqo.io.incoming import StageEvent


def _moves(events: Sequence[StageEvent], current: str | None) -> list[StageEvent]:
    """Events in time order, without repeats of the stage the record is already in."""
    moves = []
    stage = current
    for event in sorted(events, key=lambda e: e.at):
        if event.stage != stage:
            moves.append(event)
            stage = event.stage
    return moves


def timeline(
    before: dict[str, str | None] | None,
    after: dict[str, str | None],
    events: Sequence[StageEvent],
    *,
    record_type: RecordType,
    record_id: int,
    start: datetime,
    fallback: datetime,
    actor: str,
) -> list[Change]:
    """The events that take a record from ``before`` (None: not there yet) to ``after``.

    ``start`` is the creation time (new records) or the time of the last stage change already
    in history (existing ones); ``fallback`` is when changes with no known time happened.
    """
    changes: list[Change] = []
    if before is None:
        ordered = sorted(events, key=lambda e: e.at)
        state = dict(after)
        if ordered:
            state["stage"] = ordered[0].stage
            if state["stage"] != after.get("stage"):
                state["closed_at"] = None
        moves = _moves(ordered[1:], state["stage"])
        changes += diff(
            None, state, record_type=record_type, record_id=record_id, at=start, actor=actor
        )
    else:
        state = dict(before)
        moves = _moves([e for e in events if e.at > start], state.get("stage"))
    at = start
    closing_at: datetime | None = None
    for move in moves:
        at = max(at, move.at)
        changes.append(
            Change(record_type, record_id, "stage", state.get("stage"), move.stage, at, actor)
        )
        state["stage"] = move.stage
        if move.stage == after.get("stage"):
            closing_at = at
    rest = diff(
        state,
        after,
        record_type=record_type,
        record_id=record_id,
        at=max(at, fallback) if before is not None else max(at, start),
        actor=actor,
    )
    for change in rest:
        if change.field == "closed_at" and closing_at is not None:
            change = Change(
                record_type, record_id, "closed_at", change.old, change.new, closing_at, actor
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


def _at(event: StageEvent) -> datetime:
    return event.at


def creation_rows(
    after: dict[str, str | None],
    events: Sequence[StageEvent],
    *,
    record_type: RecordType,
    record_id: int,
    start: datetime,
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
    first = ordered[0].stage if ordered else final
    reset_closed = bool(ordered) and first != final
    at_start = stamp(start)
    state = after.copy()
    state["stage"] = first
    if reset_closed and "closed_at" in state:
        state["closed_at"] = None
    rows: list[HistoryRow] = [
        (rt, record_id, name, None, new, at_start, actor, None)
        for name, new in state.items()
        if new is not None
    ]
    append = rows.append
    at = start
    closing_at: datetime | None = None
    current = first
    for event in ordered[1:]:
        if event.stage != current:
            if event.at > at:
                at = event.at
            append((rt, record_id, "stage", current, event.stage, stamp(at), actor, None))
            current = event.stage
            if current == final:
                closing_at = at
    # What is left to reach ``after``: the stage (when the moves end elsewhere), then the close
    # time (in field order: "stage" comes before "closed_at"), set by the move that closed it.
    if current != final:
        append((rt, record_id, "stage", current, final, stamp(at), actor, None))
    closed = after.get("closed_at") if reset_closed else None
    if closed is not None:
        when = closing_at if closing_at is not None else at
        append((rt, record_id, "closed_at", None, closed, stamp(when), actor, None))
    return rows
