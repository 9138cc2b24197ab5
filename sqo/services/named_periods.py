"""``--period`` as people say it: a year (2026), a quarter (2026-Q2), a month (2026-06), or all.

A period is a window of whole days, its end exclusive; "all" (the default) has no bounds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqo.domain.errors import InvalidValue
from sqo.i18n import _

_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class Period:
    label: str
    start: datetime | None
    end: datetime | None  # exclusive


# The named windows that are keys in --json, and how a person reads them.
ALL = "all"
LAST_12_MONTHS = "last-12-months"


def period_words(label: str) -> str:
    """A period's label as a reader says it: the keys "all" and "last-12-months" in words of the
    reader's language, a year, quarter or month as written (2026, 2026-Q2, 2026-06)."""
    if label == ALL:
        return _("all time")
    if label == LAST_12_MONTHS:
        return _("the last 12 months")
    return label


def _month_start(year: int, month: int) -> datetime:
    return datetime(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def parse_period(text: str | None, as_of: datetime) -> Period:
    """The window ``text`` names; refused in one sentence when it names none, or starts after
    ``as_of``."""
    value = (text or ALL).strip()
    if value.casefold() == ALL:
        return Period(ALL, None, None)
    if m := _YEAR.match(value):
        year = int(m[1])
        found = Period(value, datetime(year, 1, 1), datetime(year + 1, 1, 1))
    elif m := _QUARTER.match(value):
        year, quarter = int(m[1]), int(m[2])
        first = 3 * (quarter - 1) + 1
        found = Period(
            f"{year}-Q{quarter}", _month_start(year, first), _month_start(year, first + 3)
        )
    elif (m := _MONTH.match(value)) and 1 <= int(m[2]) <= 12:
        year, month = int(m[1]), int(m[2])
        found = Period(value, _month_start(year, month), _month_start(year, month + 1))
    else:
        raise InvalidValue(
            _(
                "{value!r} is not a period: give a year (2026), a quarter (2026-Q2), a month "
                "(2026-06) or all.",
                value=value,
            ),
            field="period",
        )
    assert found.start is not None
    if found.start > as_of:
        raise InvalidValue(
            _(
                "The period {period} starts after {as_of}: nothing can have happened in it yet.",
                period=found.label,
                as_of=as_of.date().isoformat(),
            ),
            field="period",
        )
    return found
