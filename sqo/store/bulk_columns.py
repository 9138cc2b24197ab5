"""One column list per insert: rows of one batch may name different columns (a campaign member
of a lead has ``lead_id``, one of a contact ``contact_id``), and one executemany binds every row
to the first row's columns. Left alone, a column only later rows name is dropped from all of
them, and a column a later row lacks fails the batch.

A column a row leaves out means "the column's default", exactly as in a single INSERT. Where that
default is known here (NULL for a column without one, a constant), the row gets it written out;
where only the database or SQLAlchemy can compute it (a callable such as ``dict``, a server
default, an id), the row keeps leaving the column out and goes in a statement of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Column, Table


def same_columns(table: Table, rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """The rows in runs that name the same columns in the same order, in the order given (so a
    row that refers to an earlier row of its own table is still inserted after it)."""
    first = tuple(rows[0])
    if all(tuple(row) == first for row in rows):
        return [rows]
    union: dict[str, None] = {}
    for row in rows:
        union.update(dict.fromkeys(row))
    fill = {name: _known_default(table.c[name]) for name in union}
    runs: list[list[dict[str, Any]]] = []
    columns: tuple[str, ...] | None = None
    for row in rows:
        full = _complete(row, union, fill)
        shape = tuple(full)
        if shape != columns:
            runs.append([])
            columns = shape
        runs[-1].append(full)
    return runs


_UNKNOWN = object()


def _known_default(column: Column[Any]) -> Any:
    """What an INSERT that leaves ``column`` out writes, when that is a plain value."""
    if column.primary_key or column.server_default is not None:
        return _UNKNOWN
    default = column.default
    if default is None:
        return None
    if getattr(default, "is_scalar", False):
        return getattr(default, "arg", _UNKNOWN)
    return _UNKNOWN


def _complete(
    row: Mapping[str, Any], union: Mapping[str, None], fill: Mapping[str, Any]
) -> dict[str, Any]:
    full: dict[str, Any] = {}
    for name in union:
        if name in row:
            full[name] = row[name]
        elif fill[name] is not _UNKNOWN:
            full[name] = fill[name]
    return full


def computed_defaults(table: Table, columns: tuple[str, ...]) -> bool:
    """Whether an insert of only these columns needs SQLAlchemy to compute a default (a
    callable or SQL expression) for a column left out: a plain driver insert would not."""
    return any(c.default is not None for c in table.columns if c.name not in columns)
