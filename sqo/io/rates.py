"""Exchange rates as import items: Salesforce's CurrencyType and DatedConversionRate rows, and
the ``currency,rate[,start_date]`` rates files (or a mapping's ``rates:`` block) of other
imports.

A rate is units of the currency per one unit of the corporate currency, kept as the exact decimal
text of the source. A dated rate applies from its start date up to the next one's.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqo.domain.errors import InvalidValue
from sqo.domain.records import Opportunity
from sqo.domain.values import parse_currency
from sqo.i18n import _
from sqo.io.csv_source import CsvRow, CsvSource
from sqo.io.incoming import Incoming, IncomingStaged, Item, Kind, Rejected, SourceFile
from sqo.io.mapping import RateEntry
from sqo.io.values import parse_bool, parse_day

RATE_COLUMNS = ["currency", "rate"]


def parse_rate(text: str | None, *, field: str = "rate") -> str:
    """A positive decimal, as exact text (``0.9150`` stays ``0.9150``)."""
    try:
        value = Decimal((text or "").strip())
    except InvalidOperation:
        value = Decimal(0)
    if not value.is_finite() or value <= 0:
        raise InvalidValue(
            _(
                "the rate {value!r} is not a positive number (units of the currency per one "
                "unit of the corporate currency).",
                value=text or "",
            ),
            field=field,
        )
    return str(value)


def rate_item(
    row: int,
    key: str,
    currency: str,
    rate: str,
    source: str,
    raw: dict[str, str],
    valid_from: date | None = None,
    valid_until: date | None = None,
) -> Incoming:
    return Incoming(
        row,
        Kind.EXCHANGE_RATE,
        key,
        {
            "currency": currency,
            "rate": rate,
            "valid_from": valid_from,
            "valid_until": valid_until,
            "source": source,
        },
        raw=raw,
    )


# ---- Salesforce ----------------------------------------------------------------------------
def _text(row: dict[str, str], name: str) -> str:
    return (row.get(name) or "").strip()


def currency_type(n: int, row: dict[str, str], key: str) -> Incoming:
    """A CurrencyType row: the currency's static rate (the one in force today)."""
    currency = parse_currency(_text(row, "IsoCode"), field="IsoCode")
    rate = parse_rate(_text(row, "ConversionRate"), field="ConversionRate")
    return rate_item(n, key, currency, rate, "CurrencyType", row)


def dated_conversion_rate(n: int, row: dict[str, str], key: str, date_format: str) -> Incoming:
    """A DatedConversionRate row: a rate from StartDate up to NextStartDate."""
    currency = parse_currency(_text(row, "IsoCode"), field="IsoCode")
    rate = parse_rate(_text(row, "ConversionRate"), field="ConversionRate")
    start = _text(row, "StartDate")
    until = _text(row, "NextStartDate")
    return rate_item(
        n,
        key,
        currency,
        rate,
        "DatedConversionRate",
        row,
        parse_day(start, field="StartDate", order=date_format) if start else None,
        parse_day(until, field="NextStartDate", order=date_format) if until else None,
    )


def corporate_currency(rows: Iterable[dict[str, str]]) -> str | None:
    """The IsCorporate currency of CurrencyType rows (None when no row says so)."""
    for row in rows:
        flag = _text(row, "IsCorporate")
        if flag and parse_bool(flag, field="IsCorporate"):
            return parse_currency(_text(row, "IsoCode"), field="IsoCode")
    return None


# ---- rates files and mapping blocks ---------------------------------------------------------
@dataclass(frozen=True)
class Rate:
    currency: str
    rate: str
    start: date | None = None


def rates_items(rates: Sequence[tuple[int, Rate, dict[str, str]]], source: str) -> Iterator[Item]:
    """Rates with their validity: each dated rate runs until the currency's next start date."""
    starts: dict[str, list[date]] = {}
    for _n, rate, _raw in rates:
        if rate.start is not None:
            starts.setdefault(rate.currency, []).append(rate.start)
    for n, rate, raw in rates:
        later = [d for d in starts.get(rate.currency, []) if rate.start and d > rate.start]
        day = rate.start.isoformat() if rate.start else ""
        yield rate_item(
            n,
            f"rates:{rate.currency}:{day}",
            rate.currency,
            rate.rate,
            source[:40],
            raw,
            rate.start,
            min(later) if later else None,
        )


def _rate_of(values: dict[str, Any], date_format: str) -> Rate:
    currency = parse_currency(str(values.get("currency") or "").strip(), field="currency")
    start = values.get("start_date")
    if not isinstance(start, date):  # YAML gives dates; CSV files give text
        text = str(start or "").strip()
        start = parse_day(text, field="start_date", order=date_format) if text else None
    return Rate(currency, parse_rate(str(values.get("rate") or "")), start)


def _rates_file_items(source: CsvSource, date_format: str) -> list[Item | tuple[int, Rate, Any]]:
    read: list[Item | tuple[int, Rate, Any]] = []
    for row in source.rows():
        if not isinstance(row, CsvRow):
            problem = _("row {row}: {problem}", row=row.number, problem=row.message)
            read.append(Rejected(row.number, problem))
            continue
        values = {k.strip().casefold(): v for k, v in row.values.items()}
        try:
            read.append((row.number, _rate_of(values, date_format), row.values))
        except InvalidValue as exc:
            problem = _("row {row}: {problem}", row=row.number, problem=exc.message)
            read.append(Rejected(row.number, problem, row.values))
    return read


@dataclass(frozen=True)
class RatesSource:
    """Rates to import first, and the currencies they give a rate for."""

    file: SourceFile
    currencies: frozenset[str]


def rates_file(path: Path, date_format: str = "iso") -> RatesSource:
    """``--rates rates.csv``: columns currency, rate and optionally start_date (a small file,
    read at once so that the currencies it rates are known before the deals are read)."""
    source = CsvSource(path)
    source.require(RATE_COLUMNS)
    read = _rates_file_items(source, date_format)
    good = [x for x in read if isinstance(x, tuple)]
    items = [*(x for x in read if not isinstance(x, tuple)), *rates_items(good, path.name)]
    return RatesSource(
        SourceFile(
            path.name,
            Kind.EXCHANGE_RATE,
            iter(items),
            path=str(path),
            columns=source.header,
            with_next=True,
        ),
        frozenset(rate.currency for _n, rate, _raw in good),
    )


def rates_block(entries: Sequence[RateEntry], date_format: str = "iso") -> RatesSource:
    """A mapping's ``rates:`` block: a list of {currency, rate, start_date} entries."""
    rates: list[tuple[int, Rate, dict[str, str]]] = []
    for n, entry in enumerate(entries, start=1):
        values = entry.model_dump()
        try:
            rates.append((n, _rate_of(values, date_format), {}))
        except InvalidValue as exc:
            raise InvalidValue(
                _("The mapping's rates, entry {n}: {problem}", n=n, problem=exc.message),
                field="rates",
            ) from None
    return RatesSource(
        SourceFile(
            _("mapping rates"), Kind.EXCHANGE_RATE, rates_items(rates, "mapping"), with_next=True
        ),
        frozenset(rate.currency for _n, rate, _raw in rates),
    )


def require_rates(items: Iterable[Item], corporate: str, rated: Iterable[str]) -> Iterator[Item]:
    """The items as they are; at the end, refuse the file (its transaction rolls back) when its
    deals are in several currencies and some have no rate: a sum of them would mean nothing."""
    seen: set[str] = set()
    for item in items:
        record = item.record if isinstance(item, IncomingStaged) else None
        if isinstance(record, Opportunity) and record.amount_cents is not None:
            seen.add(record.currency)
        yield item
    problem = unrated_currencies(seen, corporate, set(rated))
    if problem is not None:
        raise problem


def unrated_currencies(
    currencies: set[str], corporate: str, rated: set[str]
) -> InvalidValue | None:
    """The refusal for deals in several currencies some of which have no rate, else None."""
    missing = sorted(currencies - rated - {corporate})
    if len(currencies) < 2 or not missing:
        return None
    return InvalidValue(
        _(
            "the deals are in {currencies}, but there is no exchange rate for {missing} against "
            "the corporate currency {corporate}: give the rates with --rates rates.csv (columns "
            "currency,rate[,start_date]; or a rates: block in a CSV import's mapping), or "
            "import one currency only.",
            currencies=", ".join(sorted(currencies)),
            missing=", ".join(missing),
            corporate=corporate,
        ),
        field="currency",
    )
