"""One as-of and default-window policy for every face (``sqo.services.periods``)."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from sqo.domain.errors import InvalidValue
from sqo.domain.values import utc_now
from sqo.services.periods import as_of_moment, check_range, day_or_none, review_week


def test_a_bare_date_means_the_end_of_that_day() -> None:
    assert as_of_moment("2026-06-30") == datetime.combine(date(2026, 6, 30), time.max)


def test_a_time_is_taken_as_utc_and_nothing_given_is_none() -> None:
    assert as_of_moment("2026-06-30T14:00") == datetime(2026, 6, 30, 14, 0)
    assert as_of_moment("2026-06-30T14:00+02:00") == datetime(2026, 6, 30, 12, 0)
    assert as_of_moment(None) is None and as_of_moment("") is None


def test_now_is_now() -> None:
    before = utc_now()
    moment = as_of_moment(" NOW ")
    assert moment is not None and before <= moment


def test_a_wrong_moment_says_how_to_write_one() -> None:
    with pytest.raises(InvalidValue, match="as-of"):
        as_of_moment("30/06/2026")


def test_the_review_week_ends_today_and_starts_a_week_before() -> None:
    assert review_week(None, None, today=date(2026, 3, 9)) == (date(2026, 3, 2), date(2026, 3, 9))
    assert review_week(None, date(2026, 3, 31)) == (date(2026, 3, 24), date(2026, 3, 31))
    assert review_week(date(2026, 3, 1), date(2026, 3, 31)) == (date(2026, 3, 1), date(2026, 3, 31))


def test_a_period_backwards_is_refused_by_its_option_names() -> None:
    assert day_or_none(None, "from") is None
    with pytest.raises(InvalidValue, match=r"--from \(2026-02-01\) is after --to"):
        check_range(date(2026, 2, 1), date(2026, 1, 1), names=("--from", "--to"))
