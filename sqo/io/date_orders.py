"""Which way round a file writes its dates, read from the dates themselves.

Data Loader and the API write ISO dates; a report exported with the user's locale writes
``2/23/26 8:55 PM`` (month first, US) or ``23/02/2026 20:55`` (day first). A folder of exports
often holds both kinds, so each file gets its own order: a slashed date whose first part is over
12 proves day-first, one whose second part is over 12 proves month-first, and a file with
slashed dates that prove neither is read month-first, as Salesforce's default (US) locale
writes them. A file whose dates are mostly ISO is ISO: a stray slashed date in it is an error
to report, not a reason to read the file another way.
"""

from __future__ import annotations

import re

from sqo.domain.errors import InvalidValue
from sqo.i18n import _
from sqo.io.csv_source import CsvRow, CsvSource

AUTO = "auto"
SAMPLE_ROWS = 5_000
_SLASHED = re.compile(r"\s*(\d{1,2})[/.](\d{1,2})[/.](\d{2}|\d{4})\b")
_ISO = re.compile(r"\s*\d{4}-\d{1,2}-\d{1,2}")


def is_date_column(name: str) -> bool:
    """Salesforce's date and date-time fields: CloseDate, CreatedDate, ActivityDateTime, ..."""
    return name.endswith(("Date", "DateTime", "Modstamp"))


def file_order(source: CsvSource, name: str) -> str:
    """``iso``, ``month-first`` or ``day-first`` for this file's dates, from its first rows."""
    columns = [c for c in source.header if is_date_column(c)]
    day_first = month_first = None
    slashed = iso = 0
    for number, entry in enumerate(source.rows()):
        if number >= SAMPLE_ROWS:
            break
        if not isinstance(entry, CsvRow):
            continue
        for column in columns:
            value = entry.values.get(column) or ""
            match = _SLASHED.match(value)
            if match is None:
                iso += bool(_ISO.match(value))
                continue
            first, second = int(match.group(1)), int(match.group(2))
            slashed += 1
            if first > 12:
                day_first = day_first or match.group(0).strip()
            elif second > 12:
                month_first = month_first or match.group(0).strip()
    if iso >= slashed:
        return "iso"
    if day_first and month_first:
        raise InvalidValue(
            _(
                "{file} writes dates both day first ({day}) and month first ({month}); give "
                "the order with --date-format day-first or month-first.",
                file=name,
                day=day_first,
                month=month_first,
            ),
            field="date_format",
        )
    if day_first:
        return "day-first"
    return "month-first"
