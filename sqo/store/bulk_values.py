"""Value conversion for the bulk writer's SQLite inserts: SQLAlchemy's own bind processors,
with C shortcuts where their text is provably the same (checked on a probe value)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection

from sqo.store import tables as t


class Stamp:
    """SQLite's own text for a timestamp (SQLAlchemy's format), computed once per distinct
    value in a row: the changes of one record mostly share their time."""

    def __init__(self, connection: Connection) -> None:
        process = t.history.c.changed_at.type._cached_bind_processor(connection.dialect)
        assert process is not None
        self._process = process
        self._last: Any = None
        self._text: Any = None
        # A naive datetime's isoformat with a space and microseconds is the same text, made in C.
        probe = datetime(1999, 12, 31, 23, 59, 58, 7)
        self._iso = process(probe) == probe.isoformat(" ", "microseconds")

    def __call__(self, value: Any) -> Any:
        # Called once per history row (tens of millions in a big import): the common case
        # first, with as few steps as possible.
        if value is self._last:
            return self._text
        if value is None:
            return None
        self._last = value
        if self._iso and type(value) is datetime and value.tzinfo is None:
            self._text = value.isoformat(" ", "microseconds")
        else:
            self._text = self._process(value)
        return self._text


_PROBES: tuple[tuple[Any, Callable[[Any], Any], Callable[[Any], bool]], ...] = (
    # (a value, the text SQLite's processors give for values of its kind when they match
    # Python's own C formatting, which values take that shortcut)
    (
        datetime(1999, 12, 31, 23, 59, 58, 7),
        lambda v: v.isoformat(" ", "microseconds"),
        lambda v: type(v) is datetime and v.tzinfo is None,
    ),
    (date(1999, 12, 31), lambda v: v.isoformat(), lambda v: type(v) is date),
    ([], lambda v: "[]", lambda v: type(v) is list and not v),  # JSON of an empty list
)


def quicker(process: Callable[[Any], Any] | None) -> Callable[[Any], Any] | None:
    """The same value processor, with a C shortcut for dates and times when the processor's
    text is Python's isoformat (checked on a probe; anything else goes to the processor)."""
    if process is None:
        return None
    for probe, fast, takes in _PROBES:
        try:
            same = process(probe) == fast(probe)
        except (TypeError, ValueError):
            continue
        if same:
            return lambda value: fast(value) if takes(value) else process(value)
    return process
