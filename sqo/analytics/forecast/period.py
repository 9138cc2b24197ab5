"""Forecast periods as pure functions: a quarter (``2026-Q1``) or a month (``2026-03``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from sqo.analytics.periods import quarter_bounds
from sqo.domain.errors import InvalidValue
from sqo.i18n import _

_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class Period:
    label: str
    start: date
    end: date
    months: int  # 3 for a quarter, 1 for a month

    def earlier(self, count: int) -> Period:
        """The period of the same length ``count`` periods before this one."""
        month = self.start.year * 12 + self.start.month - 1 - count * self.months
        return period_starting(date(month // 12, month % 12 + 1, 1), self.months)


def period_starting(start: date, months: int) -> Period:
    following = start.year * 12 + start.month - 1 + months
    end = date(following // 12, following % 12 + 1, 1) - timedelta(days=1)
    if months == 3:
        return Period(f"{start.year}-Q{(start.month - 1) // 3 + 1}", start, end, 3)
    return Period(f"{start.year}-{start.month:02d}", start, end, 1)


def quarter_of(day: date) -> Period:
    return period_starting(quarter_bounds(day)[0], 3)


def parse_period(text: str) -> Period:
    """``2026-Q1`` or ``2026-03``; anything else is refused in one sentence."""
    value = text.strip()
    if found := _QUARTER.match(value):
        return period_starting(date(int(found[1]), 3 * int(found[2]) - 2, 1), 3)
    if (found := _MONTH.match(value)) and 1 <= int(found[2]) <= 12:
        return period_starting(date(int(found[1]), int(found[2]), 1), 1)
    raise InvalidValue(
        _(
            "{value!r} is not a period: give a quarter such as 2026-Q1 or a month such as 2026-03.",
            value=text,
        ),
        field="period",
    )
