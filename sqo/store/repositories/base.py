"""What every repository shares: a connection, inserts that return ids, row-to-record mapping."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import fields
from typing import Any, TypeVar

from sqlalchemy import Connection, Table, insert

T = TypeVar("T")


class Repository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def _insert(self, table: Table, values: Mapping[str, Any]) -> int:
        result = self.connection.execute(insert(table).returning(table.c.id), dict(values))
        return int(result.scalar_one())

    def _insert_many(self, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
        if rows:
            self.connection.execute(insert(table), [dict(r) for r in rows])


def to_record(cls: type[T], row: Mapping[Any, Any], **convert: Any) -> T:
    """Build a dataclass from a row, converting the named columns with the given callables."""
    names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    values = {k: v for k, v in row.items() if k in names}
    for key, converter in convert.items():
        if values.get(key) is not None:
            values[key] = converter(values[key])
    return cls(**values)


def record_values(record: object, *, exclude: tuple[str, ...] = ("id",)) -> dict[str, Any]:
    """A dataclass's fields as column values."""
    return {f.name: getattr(record, f.name) for f in fields(record) if f.name not in exclude}  # type: ignore[arg-type]
