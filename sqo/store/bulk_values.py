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


_ISO_TIME = datetime(1999, 12, 31, 23, 59, 58, 7)
_ISO_DATE = date(1999, 12, 31)


def _same(process: Callable[[Any], Any], probe: Any, text: str) -> bool:
    try:
        return bool(process(probe) == text)
    except (TypeError, ValueError):
        return False


def quicker(process: Callable[[Any], Any] | None) -> Callable[[Any], Any] | None:
    """The same value processor, with a C shortcut for dates and times when the processor's
    text is Python's isoformat, and for empty JSON lists and objects (each checked on a probe;
    anything else goes to the processor). One plain function per column: it runs for every
    value of a million-row insert."""
    if process is None:
        return None
    if _same(process, _ISO_TIME, _ISO_TIME.isoformat(" ", "microseconds")):

        def moment(value: Any) -> Any:
            if type(value) is datetime and value.tzinfo is None:
                return value.isoformat(" ", "microseconds")
            return process(value)

        return moment
    if _same(process, _ISO_DATE, _ISO_DATE.isoformat()):

        def day(value: Any) -> Any:
            if type(value) is date:
                return value.isoformat()
            return process(value)

        return day
    empty_list = _same(process, [], "[]")
    empty_dict = _same(process, {}, "{}")
    if empty_list or empty_dict:

        def document(value: Any) -> Any:
            if not value:
                kind = type(value)
                if kind is list and empty_list:
                    return "[]"
                if kind is dict and empty_dict:
                    return "{}"
            return process(value)

        return document
    return process
