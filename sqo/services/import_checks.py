"""Text an import cannot store, found before it is written, the same on every engine.

SQLite keeps any length and a NUL character; PostgreSQL refuses both with a ``DataError`` that
would end the whole file's transaction. The column lengths are the domain's limits
(:data:`sqo.domain.values.TEXT_LIMITS`); a row that exceeds one is rejected with its row number,
the field and the limit, like any other invalid row.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from sqlalchemy import String, Table

from sqo.domain.values import text_problem
from sqo.i18n import _
from sqo.io.incoming import Rejected


@cache
def _text_columns(table: Table) -> tuple[tuple[str, int], ...]:
    return tuple(
        (column.name, int(column.type.length))
        for column in table.columns
        if isinstance(column.type, String) and column.type.length
    )


def text_refusal(
    table: Table, row: int, raw: dict[str, str], value: Callable[[str], Any]
) -> Rejected | None:
    """The rejection of this row, if one of its text values cannot be stored; ``value(name)``
    gives the value of a column."""
    for name, limit in _text_columns(table):
        text = value(name)
        if isinstance(text, str) and (len(text) > limit or "\x00" in text):
            problem = text_problem(text, field=name, max_length=limit)
            if problem is not None:
                return Rejected(row, _("row {row}: {problem}", row=row, problem=problem), raw)
    return None
