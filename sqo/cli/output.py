"""Rendering for the terminal: Rich tables for people, JSON for scripts, numbers per locale.

Data is text, never markup: both consoles have Rich markup and emoji codes switched off, so a
deal named ``[/]`` or ``[red]Ann`` prints as typed, and every string they render passes through
:func:`visible`, so a control character in imported text (``\\x1b[2J`` clears a screen) is shown
as an escape instead of being sent to the terminal. Styling is applied with ``style=``, not
with markup in the text.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent
from rich.cells import cell_len
from rich.console import Console
from rich.measure import Measurement
from rich.style import Style
from rich.table import Table
from rich.text import Text

from sqo import i18n

# C0 controls but newline and tab, DEL, C1 controls (0x9b is a one-byte CSI on some terminals),
# and the Unicode bidirectional overrides and isolates that reorder what a line seems to say.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """``text`` with every control character written as its escape (``\\x1b``, ``\\u202e``)."""
    return _CONTROL.sub(_escaped, text)


class DataConsole(Console):
    """A console that renders every string literally: no markup, no emoji codes, and control
    characters made visible."""

    def __init__(self, **options: Any) -> None:
        super().__init__(markup=False, emoji=False, highlight=False, soft_wrap=True, **options)

    def render_str(self, text: str, **options: Any) -> Text:
        return super().render_str(visible(text), **options)


console = DataConsole()
error_console = DataConsole(stderr=True)


def heading(title: str, detail: str = "") -> None:
    """A record's name in bold, then plain detail such as its id and version."""
    line = Text()
    line.append(visible(title), style=Style(bold=True))
    if detail:
        line.append("  " + visible(detail))
    console.print(line)


def plain(value: Any) -> Any:
    """A JSON-ready form of records and values: the services' public schema."""
    from sqo.services.public import public  # the services load with the command, not at --help

    return public(value)


def json_text(data: Any, *, public: bool = False) -> str:
    """``data`` as indented JSON, ending with a newline; ``public`` when it is in the services'
    public form already (a value left as is still gets it)."""
    # orjson: the standard library's encoder is pure Python once it indents (5.6 s of the 8 s
    # `sqo hygiene --json` spent printing 92,000 findings at 1M deals).
    import orjson

    value = data if public else plain(data)
    try:
        return (
            orjson.dumps(
                value, default=plain, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS
            ).decode()
            + "\n"
        )
    except orjson.JSONEncodeError:  # an integer beyond 64 bits: the slower encoder takes it
        return json.dumps(value, ensure_ascii=False, indent=2, default=plain) + "\n"


def print_json(data: Any) -> None:
    sys.stdout.write(json_text(data))


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


def estimate(cents: int | None, currency: str | None) -> str:
    """An estimate (an expected value, a deal's swing, a share of credit) in whole currency
    units: its cents are noise beside the whole amounts deals are sold for."""
    return money(None if cents is None else round(cents, -2), currency)


def number(value: float | int | None, digits: int = 0) -> str:
    if value is None:
        return "—"
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=i18n.locale())


def percent(value: float | None) -> str:
    return "—" if value is None else format_percent(value, format="#,##0%", locale=i18n.locale())


def days(value: float | None) -> str:
    """A number of days, to a tenth."""
    return number(value, 1)


def print_notes(notes: Iterable[str]) -> None:
    for note in notes:
        console.print(note)


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
    cards_when_narrow: bool = False,
) -> None:
    """A table; ``right`` columns are right-aligned, ``nowrap`` ones (amounts, dates, stages)
    stay on one line while free text wraps. With ``cards_when_narrow``, a table too wide for
    the terminal is printed as one "label: value" card per row instead, under the first
    column's value: eleven columns squeezed into 80 are cut to "Säl…" and "Cyk…"."""
    view = Table(title=title, title_justify="left", header_style="bold")
    aligned, single = set(right), set(nowrap)
    for index, column in enumerate(columns):
        view.add_column(
            column, justify="right" if index in aligned else "left", no_wrap=index in single
        )
    texts = [["" if cell is None else str(cell) for cell in row] for row in rows]
    for row in texts:
        view.add_row(*row)
    if cards_when_narrow and texts and _natural_width(view) > console.width:
        _cards(title, columns, texts)
        return
    console.print(view)


def _natural_width(view: Table) -> int:
    # console.measure clamps to the terminal's width: measure against an unbounded one.
    return Measurement.get(console, console.options.update_width(1_000_000), view).maximum


def _cards(title: str | None, columns: Sequence[str], rows: list[list[str]]) -> None:
    # One Text for all the cards, printed once: a grid table per card cost Rich 4 ms each, a
    # fifth of `sqo scorecard` for fifty reps.
    labels = [visible(c) for c in columns[1:]]
    width = max((cell_len(label) for label in labels), default=0)
    bold = Style(bold=True)
    if title:
        console.print(title, soft_wrap=False)  # wrapped at the terminal's width, as a table's
    text = Text()
    for row in rows:
        text.append("\n")
        text.append(visible(row[0]), style=bold)
        for label, value in zip(labels, row[1:], strict=True):
            text.append("\n")
            text.append(label + " " * (width - cell_len(label)), style=bold)
            text.append("  " + visible(value or "—"))
        text.append("\n")
    console.print(text, end="")


def fields(pairs: Iterable[tuple[str, Any]]) -> None:
    """A two-column "label: value" block for one record."""
    view = Table.grid(padding=(0, 2))
    view.add_column(style="bold")
    view.add_column()
    for label, value in pairs:
        view.add_row(label, "—" if value in (None, "", []) else str(value))
    console.print(view)
