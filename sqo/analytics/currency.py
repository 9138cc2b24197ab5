"""Amounts in the corporate currency: the one rule every sum of money in a report follows.

A deal's amount in the corporate currency is its amount divided by its currency's rate (units of
that currency per one unit of the corporate currency, as Salesforce keeps them). The rate used is
the one Salesforce's advanced currency management uses: for a closed deal (won or lost) the dated
rate in force on its close date; for an open deal the rate in force on the report's day (today,
or the as-of date); the currency's static rate when no dated rate covers that day. An amount in
the corporate currency is taken as it is, so single-currency workspaces sum exactly as before.

An amount whose currency has no rate is NULL here: sums skip it, and reports count such deals
per currency (``LeftOut``) and say so, rather than adding euros to dollars.

Each deal is rounded half up to whole cents before anything is summed: sums stay exact integers
on every engine, and the pipeline waterfall still reconciles to the cent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Date,
    Double,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import FunctionElement

from sqo.domain.stages import StageKind, StageModel
from sqo.i18n import _
from sqo.store import tables as t


@dataclass(frozen=True)
class LeftOut:
    """Deals whose amounts a report could not convert: their currency has no rate."""

    currency: str
    deals: int


@dataclass(frozen=True)
class DealValue:
    """SQL for one deal's amount in the corporate currency (whole cents; 0 without an amount;
    NULL when its currency has no rate) and for "its currency has no rate"."""

    amount: ColumnElement[Any]
    unrated: ColumnElement[bool]


class as_day(FunctionElement[date]):
    """A date (or ISO date text, as history keeps it) as a date every engine compares alike."""

    type = Date()
    inherit_cache = True
    name = "as_day"


@compiles(as_day, "sqlite")
def _day_sqlite(element: as_day, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite keeps dates as ISO text; CAST(... AS DATE) would make 2024 of '2024-03-01'.
    return f"date({compiler.process(next(iter(element.clauses)), **kw)})"


@compiles(as_day)
def _day_default(element: as_day, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST({compiler.process(next(iter(element.clauses)), **kw)} AS DATE)"


class round_half_up(FunctionElement[int]):
    """floor(x + 0.5) as a whole number: the same answer on every engine (PostgreSQL's round()
    of a double rounds half to even, SQLite may lack floor())."""

    type = BigInteger()
    inherit_cache = True
    name = "round_half_up"


@compiles(round_half_up, "sqlite")
def _round_sqlite(element: round_half_up, compiler: SQLCompiler, **kw: Any) -> str:
    x = f"({compiler.process(next(iter(element.clauses)), **kw)} + 0.5)"
    return f"(CAST({x} AS INTEGER) - ({x} < CAST({x} AS INTEGER)))"


@compiles(round_half_up)
def _round_default(element: round_half_up, compiler: SQLCompiler, **kw: Any) -> str:
    x = compiler.process(next(iter(element.clauses)), **kw)
    return f"CAST(FLOOR({x} + 0.5) AS BIGINT)"


def rate_on(currency: ColumnElement[Any], day: ColumnElement[Any]) -> ColumnElement[Any]:
    """The currency's rate on ``day``: the dated rate in force, else its static rate, else
    NULL."""
    dated = t.exchange_rates.alias("dated_rates")
    static = t.exchange_rates.alias("static_rates")
    on_day = as_day(day)
    in_force = (
        select(func.max(cast(dated.c.rate, Double)))
        .where(
            dated.c.currency == currency,
            or_(dated.c.valid_from.is_not(None), dated.c.valid_until.is_not(None)),
            or_(dated.c.valid_from.is_(None), as_day(dated.c.valid_from) <= on_day),
            or_(dated.c.valid_until.is_(None), as_day(dated.c.valid_until) > on_day),
        )
        .scalar_subquery()
    )
    fallback = (
        select(func.max(cast(static.c.rate, Double)))
        .where(
            static.c.currency == currency,
            static.c.valid_from.is_(None),
            static.c.valid_until.is_(None),
        )
        .scalar_subquery()
    )
    return func.coalesce(in_force, fallback)


def closed_stages(model: StageModel) -> list[str]:
    return [s.name for s in model.stages if s.kind in (StageKind.WON, StageKind.LOST)]


def rate_day(
    stage: ColumnElement[Any], close_date: ColumnElement[Any], as_of: date, model: StageModel
) -> ColumnElement[Any]:
    """Which day's rate values a deal: its close date once closed, the report's day while open
    (and for a closed deal without a close date)."""
    return case(
        (and_(stage.in_(closed_stages(model)), close_date.is_not(None)), as_day(close_date)),
        else_=as_day(literal(as_of, Date())),
    )


def in_corporate(
    amount: ColumnElement[Any],
    currency: ColumnElement[Any],
    day: ColumnElement[Any],
    corporate: str,
) -> DealValue:
    """An amount (cents) in ``currency`` valued in the corporate currency at ``day``'s rate."""
    rate = rate_on(currency, day)
    value = case(
        (amount.is_(None), 0),
        (currency == corporate, amount),
        else_=round_half_up(cast(amount, Double) / rate),
    )
    unrated = and_(amount.is_not(None), currency != corporate, rate.is_(None))
    return DealValue(value, unrated)


def deal_value(
    amount: ColumnElement[Any],
    currency: ColumnElement[Any],
    stage: ColumnElement[Any],
    close_date: ColumnElement[Any],
    *,
    as_of: date,
    model: StageModel,
    corporate: str,
) -> DealValue:
    """A deal's amount in the corporate currency, by the rule above."""
    return in_corporate(amount, currency, rate_day(stage, close_date, as_of, model), corporate)


def left_out(rows: Iterable[tuple[Any, Any]]) -> list[LeftOut]:
    """``(currency, deals)`` rows as ``LeftOut``, largest first."""
    found = [LeftOut(str(c), int(n)) for c, n in rows if n]
    return sorted(found, key=lambda x: (-x.deals, x.currency))


def left_out_notes(missing: Iterable[LeftOut]) -> list[str]:
    """One sentence per currency whose deals a report's amounts leave out."""
    return [
        _(
            "Amounts leave out {deals} deal(s) in {currency}: there is no exchange rate for "
            "{currency}. Import its rate (Salesforce's CurrencyType.csv, or --rates with a CSV "
            "or HubSpot import) to include them.",
            deals=x.deals,
            currency=x.currency,
        )
        for x in missing
    ]
