"""Value parsing for exports, with expected values worked out by hand."""

from __future__ import annotations

from datetime import datetime

import pytest

from sqo.domain.errors import InvalidValue
from sqo.io.values import parse_day, parse_moment, parse_money


@pytest.mark.parametrize(
    ("text", "cents", "currency"),
    [
        ("12500", 1_250_000, None),
        ("$12,500.50", 1_250_050, "USD"),
        ("12 500,50 kr", 1_250_050, "SEK"),
        ("EUR 1.234,5", 123_450, "EUR"),
        ("1.234.567", 123_456_700, None),
        ("€0", 0, "EUR"),
    ],
)
def test_amounts_with_symbols_and_separators(text, cents, currency):
    assert parse_money(text) == (cents, currency)


@pytest.mark.parametrize(
    ("text", "cents", "currency"),
    [
        ("12345.675", 1_234_568, None),  # 12345.67|5: the 7 is odd, so up to the even 8
        ("12345.665", 1_234_566, None),  # 12345.66|5: the 6 is even, so it stays
        ("99.9999", 10_000, None),
        ("0.005", 0, None),
        ("$1,234.5678", 123_457, "USD"),
        ("12 500,505 kr", 1_250_050, "SEK"),
    ],
)
def test_amounts_with_more_than_two_decimals_are_rounded_half_even_and_counted(
    text, cents, currency
):
    from sqo.io.notes import FileNotes

    notes = FileNotes()
    assert parse_money(text, notes=notes) == (cents, currency)
    assert notes.amounts_rounded == 1
    assert parse_money("12500.50", notes=notes) == (1_250_050, None)
    assert notes.amounts_rounded == 1  # two decimals are not rounded


@pytest.mark.parametrize("text", ["ten", "12..5", "", "1,2,3.4.5"])
def test_bad_amounts_are_refused(text):
    with pytest.raises(InvalidValue, match="Invalid amount"):
        parse_money(text)


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        ("2024-03-01", "iso", datetime(2024, 3, 1)),
        ("2024-03-01T10:00:00.000Z", "iso", datetime(2024, 3, 1, 10)),
        ("2024-03-01T10:00:00.000+0200", "iso", datetime(2024, 3, 1, 8)),
        ("01/03/2024", "day-first", datetime(2024, 3, 1)),
        ("01.03.2024 14:05", "day-first", datetime(2024, 3, 1, 14, 5)),
        ("03/01/2024 2:05 PM", "month-first", datetime(2024, 3, 1, 14, 5)),
        ("1 Mar 2024", "%d %b %Y", datetime(2024, 3, 1)),
    ],
)
def test_dates_in_every_documented_format(text, order, expected):
    assert parse_moment(text, field="close_date", order=order) == expected


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        # Salesforce report exports: month-first, two-digit years, AM/PM, with and without time.
        ("02/23/26 08:55 PM", "month-first", datetime(2026, 2, 23, 20, 55)),
        ("2/3/26", "month-first", datetime(2026, 2, 3)),
        ("2/23/2026", "month-first", datetime(2026, 2, 23)),
        ("2/23/2026 8:55 PM", "month-first", datetime(2026, 2, 23, 20, 55)),
        ("2/23/2026 8:55:07 am", "month-first", datetime(2026, 2, 23, 8, 55, 7)),
        ("12/31/25 12:05 AM", "month-first", datetime(2025, 12, 31, 0, 5)),
        ("23.02.26 20:55", "day-first", datetime(2026, 2, 23, 20, 55)),
        ("23/02/26 8:55 p.m.", "day-first", datetime(2026, 2, 23, 20, 55)),
        # The pivot, as POSIX and Python's %y: 00-68 -> 2000-2068, 69-99 -> 1969-1999.
        ("1/1/68", "month-first", datetime(2068, 1, 1)),
        ("1/1/69", "month-first", datetime(1969, 1, 1)),
        ("1/1/00", "month-first", datetime(2000, 1, 1)),
        # One pattern covers date-only and date-time values, seconds and two-digit years.
        ("2/23/2026", "%m/%d/%Y %I:%M %p", datetime(2026, 2, 23)),
        ("2/23/26 8:55 PM", "%m/%d/%Y %I:%M %p", datetime(2026, 2, 23, 20, 55)),
        ("2/23/2026 8:55:07 PM", "%m/%d/%Y %I:%M %p", datetime(2026, 2, 23, 20, 55, 7)),
        ("23 Feb 26", "%d %b %Y", datetime(2026, 2, 23)),
    ],
)
def test_report_export_dates_two_digit_years_and_mixed_columns(text, order, expected):
    assert parse_moment(text, field="CreatedDate", order=order) == expected
    assert parse_day(text, field="CloseDate", order=order) == expected.date()


@pytest.mark.parametrize(
    ("text", "order"),
    [
        ("01/03/2024", "iso"),
        ("2024-13-01", "iso"),
        ("31/01/2024", "month-first"),
        ("2/23/226", "month-first"),  # three digits: no pivot guesses a century
        ("2/23/2026 13:05 PM", "month-first"),
        ("26-02-23", "iso"),
    ],
)
def test_dates_in_the_wrong_format_are_refused(text, order):
    with pytest.raises(InvalidValue, match="Invalid close_date"):
        parse_moment(text, field="close_date", order=order)


def test_percentages_out_of_100_as_salesforce_writes_them():
    from sqo.io.values import parse_percent

    assert parse_percent("35") == 0.35
    assert parse_percent("0.35") == 0.35
    assert parse_percent("1") == 1.0  # a plain 1 reads as a share: 100%
    assert parse_percent("1", scale_100=True) == 0.01  # Salesforce's Probability 1 is 1%
    assert parse_percent("100", scale_100=True) == 1.0
    assert parse_percent("0.5", scale_100=True) == 0.005
