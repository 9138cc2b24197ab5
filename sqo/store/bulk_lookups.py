"""Batched reads and updates by id or external id, for writers of many records at once."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, Table, bindparam, select


def chunks(values: list[Any], size: int = 900) -> Iterable[list[Any]]:
    """Slices small enough for an ``IN (...)`` list on every engine."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def ids_by_external_id(connection: Connection, table: Table, keys: Iterable[str]) -> dict[str, int]:
    """``{external_id: id}`` for the keys that exist, in a few ``IN`` queries."""
    found: dict[str, int] = {}
    for part in chunks(sorted(set(keys))):
        rows = connection.execute(
            select(table.c.external_id, table.c.id).where(table.c.external_id.in_(part))
        )
        found.update({key: record_id for key, record_id in rows})
    return found


def rows_by_external_id(
    connection: Connection, table: Table, keys: Iterable[str]
) -> dict[str, dict[str, Any]]:
    """The whole rows for the keys that exist."""
    found: dict[str, dict[str, Any]] = {}
    for part in chunks(sorted(set(keys))):
        rows = connection.execute(select(table).where(table.c.external_id.in_(part))).mappings()
        found.update({row["external_id"]: dict(row) for row in rows})
    return found


def update_many(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Update rows by id; each row holds ``id`` and the columns to set (same columns per call)."""
    by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        by_columns.setdefault(tuple(sorted(k for k in row if k != "id")), []).append(row)
    for columns, group in by_columns.items():
        statement = (
            table.update()
            .where(table.c.id == bindparam("_id"))
            .values({c: bindparam(f"_v_{c}") for c in columns})
        )
        connection.execute(
            statement,
            [{"_id": r["id"], **{f"_v_{c}": r[c] for c in columns}} for r in group],
        )
