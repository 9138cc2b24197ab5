"""Pipeline change between two moments (the revenue-intelligence "waterfall").

The pipeline at a moment is the open SQO-or-later opportunities whose close date (as it was then)
falls in the close window. Every opportunity in the pipeline at either moment lands in exactly one
entry bar and one exit bar, so start + created + pulled in - pushed out +/- amount changes - won -
lost - moved back below SQO = end, exactly, in integer cents.

Amounts are in the corporate currency (``sqo.analytics.currency``): the pipeline at each moment
at the rates in force that day, won and lost deals at the rate of their close date, so currency
moves between the two moments show in the amount-changes bar. A deal whose currency has no rate
counts in its bars with no amount, and is reported in ``left_out``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Integer,
    String,
    and_,
    case,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.sql.selectable import FromClause, Select

from sqo.analytics.currency import LeftOut, deal_value, left_out
from sqo.analytics.states import day_text, open_sqo_stages, states_between
from sqo.analytics.temp_tables import temporary
from sqo.domain.stages import StageModel
from sqo.store import tables as t

# Bars in display order with their sign: entries add, exits subtract.
BARS = ("created", "pulled_in", "amount_changes", "pushed_out", "won", "lost", "demoted")
ENTRY = ("created", "pulled_in")
EXIT = ("pushed_out", "won", "lost", "demoted")


@dataclass(frozen=True)
class BarDeal:
    id: int
    name: str
    amount_cents: int  # this deal's signed contribution to the bar


@dataclass
class Bar:
    name: str
    amount_cents: int = 0  # signed: entries positive, exits negative
    deals: int = 0
    opportunities: list[BarDeal] = field(default_factory=list)


@dataclass
class PipelineChange:
    start: datetime
    end: datetime
    close_from: date
    close_to: date
    start_cents: int
    start_deals: int
    end_cents: int
    end_deals: int
    bars: list[Bar]
    currency: str = ""  # the corporate currency of every amount
    left_out: list[LeftOut] = field(default_factory=list)  # deals without a rate: no amount

    @property
    def reconciles(self) -> bool:
        return self.start_cents + sum(b.amount_cents for b in self.bars) == self.end_cents


def classified(
    model: StageModel,
    start: datetime,
    end: datetime,
    lo: date,
    hi: date,
    *,
    currency: str,
    states: FromClause | None = None,
) -> Select[Any]:
    """Per opportunity in the pipeline at either moment: entry or exit kind, amounts then, now
    (in the corporate ``currency``; 0 with ``unrated`` 1 when its currency has no rate).
    ``states``: the deals' stage, amount and close date at both moments as ``states_between``
    gives them, when the caller has them already (for several pairs of moments at once)."""
    fields = ("stage", "amount_cents", "close_date")
    s = states if states is not None else states_between(start, end, fields)
    o = t.opportunities
    stages = open_sqo_stages(model)
    lo_text, hi_text = day_text(lo), day_text(hi)

    def inside(n: str) -> Any:
        stage, close = s.c["stage" + n], s.c["close_date" + n]
        return func.coalesce(
            and_(stage.in_(stages), close >= lo_text, close <= hi_text),
            False,
        )

    open0 = func.coalesce(s.c.stage0.in_(stages), False)
    open1 = s.c.stage1.in_(stages)
    in0, in1 = inside("0"), inside("1")
    kind = case(
        (and_(in0, in1), "stayed"),
        (and_(in1, open0), "pulled_in"),
        (in1, "created"),
        (s.c.stage1 == model.won_stage().name, "won"),
        (s.c.stage1 == model.lost_stage().name, "lost"),
        (open1, "pushed_out"),
        else_="demoted",
    )
    then, now = (
        deal_value(
            s.c["amount_cents" + n],
            o.c.currency,
            s.c["stage" + n],
            s.c["close_date" + n],
            as_of=moment.date(),
            model=model,
            corporate=currency,
        )
        for n, moment in (("0", start), ("1", end))
    )
    unrated = or_(and_(in0, then.unrated), now.unrated)
    return (
        select(
            s.c.record_id.label("id"),
            kind.label("kind"),
            case((in0, 1), else_=0).label("in0"),
            case((in1, 1), else_=0).label("in1"),
            case((unrated, 0), else_=then.amount).label("a0"),
            case((unrated, 0), else_=now.amount).label("a1"),
            case((unrated, 1), else_=0).label("unrated"),
            o.c.currency.label("currency"),
        )
        .select_from(s.join(o, o.c.id == s.c.record_id))
        .where(or_(in0, in1))
    )


CLASSIFIED = (
    ("id", Integer),
    ("kind", String),
    ("in0", Integer),
    ("in1", Integer),
    ("a0", BigInteger),
    ("a1", BigInteger),
    ("unrated", Integer),
    ("currency", String),
)


def pipeline_change(
    connection: Connection,
    model: StageModel,
    start: datetime,
    end: datetime,
    close_from: date,
    close_to: date,
    *,
    currency: str,
    limit: int = 10,
) -> PipelineChange:
    """The waterfall; amounts in the corporate ``currency``."""
    columns = [Column(name, kind()) for name, kind in CLASSIFIED]
    query = classified(model, start, end, close_from, close_to, currency=currency)
    with temporary(connection, query, columns, "pipeline_change") as table:
        change = _pipeline_change(connection, table, start, end, close_from, close_to, limit=limit)
        missing = select(table.c.currency, func.count()).where(table.c.unrated == 1)
        change.left_out = left_out(connection.execute(missing.group_by(table.c.currency)).tuples())
    change.currency = currency
    return change


def _pipeline_change(
    connection: Connection,
    c: FromClause,
    start: datetime,
    end: datetime,
    close_from: date,
    close_to: date,
    *,
    limit: int,
) -> PipelineChange:
    totals = select(
        c.c.kind,
        func.count(),
        func.sum(c.c.a0 * c.c.in0),
        func.sum(c.c.a1),
        func.sum(c.c.in0),
        func.sum(case((and_(c.c.in0 == 1, c.c.a1 != c.c.a0), 1), else_=0)),
    ).group_by(c.c.kind)
    bars = {name: Bar(name) for name in BARS}
    start_cents = start_deals = end_cents = end_deals = 0
    for kind, n, a0, a1, was_in, changed in connection.execute(totals):
        n, a0, a1, was_in, changed = int(n), int(a0 or 0), int(a1 or 0), int(was_in), int(changed)
        start_cents += a0
        start_deals += was_in
        if kind in ("stayed", *ENTRY):
            end_cents += a1
            end_deals += n
        if kind in ENTRY:
            bars[kind].amount_cents += a1
            bars[kind].deals += n
        elif kind in EXIT:
            bars[kind].amount_cents -= a1
            bars[kind].deals += n
        if was_in:
            bars["amount_changes"].amount_cents += a1 - a0
            bars["amount_changes"].deals += changed
    for bar_name, deal in _top_deals(connection, c, limit):
        bars[bar_name].opportunities.append(deal)
    return PipelineChange(
        start,
        end,
        close_from,
        close_to,
        start_cents,
        start_deals,
        end_cents,
        end_deals,
        [bars[name] for name in BARS],
    )


def _top_deals(connection: Connection, c: FromClause, limit: int) -> list[tuple[str, BarDeal]]:
    """The ``limit`` largest deals behind each bar (by the size of their contribution)."""
    contribution = case(
        (c.c.kind.in_(ENTRY), c.c.a1),
        else_=-c.c.a1,
    )
    moves = select(c.c.id, c.c.kind.label("bar"), contribution.label("amount")).where(
        c.c.kind != "stayed"
    )
    changes = select(c.c.id, literal("amount_changes").label("bar"), (c.c.a1 - c.c.a0)).where(
        c.c.in0 == 1, c.c.a1 != c.c.a0
    )
    every = union_all(moves, changes).subquery("bar_deals")
    ranked = select(
        every.c.id,
        every.c.bar,
        every.c.amount,
        func.row_number()
        .over(
            partition_by=every.c.bar,
            order_by=(func.abs(every.c.amount).desc(), every.c.id),
        )
        .label("rank"),
    ).subquery("ranked_deals")
    o = t.opportunities
    query = (
        select(ranked.c.bar, ranked.c.id, o.c.name, ranked.c.amount)
        .join(o, o.c.id == ranked.c.id)
        .where(ranked.c.rank <= limit)
        .order_by(ranked.c.bar, ranked.c.rank)
    )
    return [
        (bar, BarDeal(int(i), str(name), int(amount)))
        for bar, i, name, amount in connection.execute(query)
    ]
