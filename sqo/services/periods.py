"""One policy for "as of when" and "over which days", whatever face asks.

``--as-of`` on the command line and ``?as_of=`` in a future route mean the same moment, and a
report left without dates covers the same default week or quarter, because both ask here.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqo.domain.errors import InvalidValue
from sqo.domain.values import parse_date, parse_timestamp, utc_now
from sqo.i18n import _

# The weekly pipeline review's question: what changed in the last 7 days.
REVIEW_DAYS = 7


def as_of_moment(text: str | None) -> datetime | None:
    """``now``, a time (UTC), or a bare date meaning the end of that day, so that "as of
    2026-06-30" includes what happened on the 30th; nothing given is None (each use case then
    takes now)."""
    if not text:
        return None
    value = text.strip()
    if value.lower() == "now":
        return utc_now()
    if len(value) == 10:
        return datetime.combine(parse_date(value, field="as-of"), time.max)
    return parse_timestamp(value, field="as-of")


def moment_so_far(as_of: datetime | None) -> datetime:
    """``as_of``, or now when none is given; a moment after now is refused: nothing is known of
    it yet, and a forecast, model or finding "as of" it would silently be made as of today."""
    now = utc_now()
    if as_of is None:
        return now
    if as_of > now:
        raise InvalidValue(
            _(
                "The as-of moment {moment} is in the future; give today or an earlier day.",
                moment=as_of.date().isoformat(),
            ),
            field="as-of",
        )
    return as_of


def day_or_none(text: str | None, field: str) -> date | None:
    """A date given as YYYY-MM-DD, or None when none is given."""
    return parse_date(text, field=field) if text else None


def review_week(
    start: date | None, end: date | None, *, today: date | None = None
) -> tuple[date, date]:
    """The days a pipeline review covers: up to ``end`` (default today), from ``start`` (default
    a week before ``end``)."""
    last = end or today or utc_now().date()
    return (start or last - timedelta(days=REVIEW_DAYS)), last


def check_range(start: date | None, end: date | None, *, names: tuple[str, str]) -> None:
    """Refuse a period whose start comes after its end."""
    if start is not None and end is not None and start > end:
        raise InvalidValue(
            _(
                "{first} ({start}) is after {second} ({end}); give the earlier date first.",
                first=names[0],
                second=names[1],
                start=start.isoformat(),
                end=end.isoformat(),
            ),
            field=names[0].lstrip("-"),
        )
