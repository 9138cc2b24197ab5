"""Rendering for the terminal: Rich tables for people, JSON for scripts, numbers per locale."""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent
from rich.console import Console
from rich.table import Table

from sqo import i18n

console = Console(highlight=False, soft_wrap=True)
error_console = Console(stderr=True, highlight=False, soft_wrap=True)


def plain(value: Any) -> Any:
    """A JSON-ready form of records and values: amounts in major units, ISO dates."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        data = {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        for key in [k for k in data if k.endswith("_cents")]:
            cents = data.pop(key)
            data[key.removesuffix("_cents")] = None if cents is None else cents / 100
        return data
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(plain(data), ensure_ascii=False, indent=2) + "\n")


def money(cents: int | None, currency: str | None) -> str:
    if cents is None:
        return "—"
    return format_currency(
        Decimal(cents) / 100,
        currency or "USD",
        locale=i18n.locale(),
        format="¤#,##0" if cents % 100 == 0 else "¤#,##0.00",  # whole amounts stay short
        currency_digits=False,
    )


def number(value: float | int | None, digits: int = 0) -> str:
    if value is None:
        return "—"
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=i18n.locale())


def percent(value: float | None) -> str:
    return "—" if value is None else format_percent(value, format="#,##0%", locale=i18n.locale())


def day(value: date | datetime | None) -> str:
    if value is None:
        return "—"
    return format_date(
        value if isinstance(value, date) else value.date(), format="medium", locale=i18n.locale()
    )


def table(
    title: str | None,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    right: Iterable[int] = (),
    nowrap: Iterable[int] = (),
) -> None:
    """A table; ``right`` columns are right-aligned, ``nowrap`` ones (amounts, dates, stages)
    stay on one line while free text wraps."""
    view = Table(title=title, title_justify="left", header_style="bold")
    aligned, single = set(right), set(nowrap)
    for index, column in enumerate(columns):
        view.add_column(
            column, justify="right" if index in aligned else "left", no_wrap=index in single
        )
    for row in rows:
        view.add_row(*("" if cell is None else str(cell) for cell in row))
    console.print(view)


def fields(pairs: Iterable[tuple[str, Any]]) -> None:
    """A two-column "label: value" block for one record."""
    view = Table.grid(padding=(0, 2))
    view.add_column(style="bold")
    view.add_column()
    for label, value in pairs:
        view.add_row(label, "—" if value in (None, "", []) else str(value))
    console.print(view)
