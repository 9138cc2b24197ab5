"""ISO weeks as the review reads them: Monday to Sunday, the default week, refusals."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from sqo.domain.errors import InvalidValue
from sqo.services.review_scope import ReviewWeek, parse_week, week_of

TODAY = date(2026, 12, 2)  # a Wednesday of 2026-W49


def test_a_week_runs_from_monday_to_the_end_of_sunday() -> None:
    week = parse_week("2026-W49", TODAY)
    assert (week.monday, week.sunday) == (date(2026, 11, 30), date(2026, 12, 6))
    assert (week.start, week.end) == (
        datetime(2026, 11, 30),
        datetime.combine(week.sunday, time.max),
    )
    assert parse_week("2026w49", TODAY) == week


def test_the_default_is_the_last_whole_week() -> None:
    assert parse_week(None, TODAY).label == "2026-W48"
    assert parse_week(None, date(2026, 11, 30)).label == "2026-W48"  # on the Monday itself


def test_weeks_across_a_year_end() -> None:
    assert ReviewWeek(2026, 1).monday == date(2025, 12, 29)
    assert week_of(date(2027, 1, 1)).label == "2026-W53"  # 2026 has 53 ISO weeks
    assert ReviewWeek(2026, 1).previous().label == "2025-W52"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2025-W53", "'2025-W53' is not a week"),
        ("49", "'49' is not a week: write it as YYYY-Www, e.g. 2026-W49"),
        ("2026-W50", "Week 2026-W50 has not started yet (today is 2026-12-02): choose 2026-W49"),
    ],
)
def test_refused(text: str, message: str) -> None:
    with pytest.raises(InvalidValue, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_week(text, TODAY)
