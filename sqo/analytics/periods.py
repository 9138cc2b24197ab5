"""Calendar periods as pure functions: the quarter holding a day."""

from __future__ import annotations

from datetime import date, timedelta


def quarter_bounds(day: date) -> tuple[date, date]:
    """First and last day of the calendar quarter holding ``day``."""
    first_month = (day.month - 1) // 3 * 3 + 1
    start = date(day.year, first_month, 1)
    if first_month == 10:
        following = date(day.year + 1, 1, 1)
    else:
        following = date(day.year, first_month + 3, 1)
    return start, following - timedelta(days=1)
