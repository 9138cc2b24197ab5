from datetime import date, datetime
from decimal import Decimal

import pytest

from sqo.domain.errors import InvalidValue
from sqo.domain.values import (
    Segment,
    cents_to_amount,
    parse_amount,
    parse_currency,
    parse_date,
    parse_enum,
    parse_timestamp,
)


@pytest.mark.parametrize(
    ("text", "cents"),
    [("12500", 1_250_000), ("12500.5", 1_250_050), ("0", 0), (" 99.99 ", 9_999), (42, 4_200)],
)
def test_amounts_become_whole_cents(text, cents):
    assert parse_amount(text) == cents


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("-5", "cannot be negative"),
        ("12.345", "more than two decimals"),
        ("12k", "write a number"),
        ("nan", "write a number"),
    ],
)
def test_bad_amounts_name_the_field(text, words):
    with pytest.raises(InvalidValue) as err:
        parse_amount(text)
    assert words in err.value.message and err.value.field == "amount"


def test_cents_round_trip():
    assert cents_to_amount(1_250_050) == Decimal("12500.50")
    assert cents_to_amount(None) is None


def test_currencies_are_iso_codes():
    assert parse_currency("sek") == "SEK"
    with pytest.raises(InvalidValue) as err:
        parse_currency("EURO")
    assert "ISO 4217" in err.value.message
    assert "USD" in (err.value.allowed or [])


def test_dates_and_timestamps():
    assert parse_date("2026-03-31", field="close_date") == date(2026, 3, 31)
    with pytest.raises(InvalidValue) as err:
        parse_date("31/03/2026", field="close_date")
    assert "Invalid close_date '31/03/2026'" in err.value.message
    assert parse_timestamp("2026-03-31T14:00+02:00", field="at") == datetime(2026, 3, 31, 12, 0)
    assert parse_timestamp("2026-03-31", field="at") == datetime(2026, 3, 31)


def test_enums_accept_values_and_names():
    assert parse_enum(Segment, "Mid Market", field="segment") is Segment.MID_MARKET
    assert parse_enum(Segment, "smb", field="segment") is Segment.SMB
    with pytest.raises(InvalidValue) as err:
        parse_enum(Segment, "giant", field="segment")
    assert err.value.allowed == ["SMB", "mid-market", "enterprise"]
