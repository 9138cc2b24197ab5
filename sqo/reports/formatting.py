"""Numbers, money, percentages and dates in the reader's language (babel)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent

from sqo import i18n


def money(cents: int | None, currency: str) -> str:
    if cents is None:
        return "—"
    return format_currency(
        Decimal(cents) / 100,
        currency,
        locale=i18n.locale(),
        format="¤#,##0",
        currency_digits=False,
    )


def signed_money(cents: int, currency: str) -> str:
    text = money(abs(cents), currency)
    return ("+" if cents > 0 else "−" if cents < 0 else "") + text


def number(value: float | int | None, digits: int = 0) -> str:
    if value is None:
        return "—"
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=i18n.locale())


def signed(value: int) -> str:
    return ("+" if value > 0 else "−" if value < 0 else "") + number(abs(value))


def percent(value: float | None) -> str:
    return "—" if value is None else format_percent(value, format="#,##0%", locale=i18n.locale())


def day(value: date | datetime | str | None) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        value = value.date()
    return format_date(value, format="medium", locale=i18n.locale())
