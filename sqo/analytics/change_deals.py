"""The deals behind a span's change reasons: the reasons' vocabulary, their totals with the
largest deals behind each, and the key deals to discuss, read from the span's changes table
(:mod:`sqo.analytics.changes` builds it; its docstring defines each reason)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, func, literal, select, union_all
from sqlalchemy.sql.selectable import FromClause

from sqo.store import tables as t

# The waterfall bar each movement is.
MOVEMENTS = {
    "new": "created",
    "pulled_in": "pulled_in",
    "pushed_out": "pushed_out",
    "won": "won",
    "lost": "lost",
    "moved_below_sqo": "demoted",
}
TAGS = (
    "amount_up",
    "amount_down",
    "stage_forward",
    "stage_back",
    "category_in",
    "category_out",
    "close_date_later",
    "owner_changed",
)
REASONS = (*MOVEMENTS, *TAGS)
ENTRIES = ("new", "pulled_in")


@dataclass(frozen=True)
class DealChange:
    """One deal's change: its values then and now, and every reason that applies."""

    id: int
    name: str
    owner_id: int | None
    stage_then: str | None
    stage_now: str | None
    amount_then_cents: int  # in the corporate currency; 0 where not in the pipeline then
    amount_now_cents: int
    close_then: str | None
    close_now: str | None
    in_pipeline_then: bool
    in_pipeline_now: bool
    expected_cents: int  # amount now x the stage's probability (0 once closed)
    reasons: tuple[str, ...]

    @property
    def net_cents(self) -> int:
        """What the deal changed the pipeline by."""
        now = self.amount_now_cents if self.in_pipeline_now else 0
        then = self.amount_then_cents if self.in_pipeline_then else 0
        return now - then


@dataclass
class Reason:
    name: str
    deals: int = 0
    # Movements: the signed waterfall contribution; amount up/down: now - then; other tags: the
    # deals' amounts now (what is concerned, not a change).
    amount_cents: int = 0
    opportunities: list[DealChange] = field(default_factory=list)


def reason_amount(c: FromClause, name: str) -> Any:
    if name in ENTRIES:
        return c.c.a1
    if name in MOVEMENTS:
        return -c.c.a1
    if name in ("amount_up", "amount_down"):
        return c.c.a1 - c.c.a0
    return c.c.a1


def key_deals(
    connection: Connection, c: FromClause, end: datetime, limit: int
) -> tuple[list[DealChange], list[DealChange], list[DealChange]]:
    """The deals to discuss: the largest expected values in the pipeline now, the biggest
    movers (by what they changed the pipeline by), and the largest deals at risk: in the pipeline
    now and slipped, cut, moved back or out of the forecast this week, or with a close date
    already passed."""
    net = c.c.a1 * c.c.in1 - c.c.a0 * c.c.in0
    risky = and_(
        c.c.in1 == 1,
        (c.c.close_date_later + c.c.amount_down + c.c.stage_back + c.c.category_out > 0)
        | (c.c.close1 < end.date().isoformat()),
    )
    orders = (
        (select(c.c.id).where(c.c.in1 == 1), (c.c.expected.desc(), c.c.id)),
        (select(c.c.id).where(net != 0), (func.abs(net).desc(), c.c.id)),
        (select(c.c.id).where(risky), (c.c.a1.desc(), c.c.id)),
    )
    lists = []
    for query, order in orders:
        ids = [int(i) for i in connection.execute(query.order_by(*order).limit(limit)).scalars()]
        rows = {d.id: d for d in deal_rows(connection, c, ids)} if ids else {}
        lists.append([rows[i] for i in ids])
    return lists[0], lists[1], lists[2]


def reason_totals(connection: Connection, c: FromClause, limit: int) -> list[Reason]:
    sums = select(
        *(func.sum(c.c[name]) for name in REASONS),
        *(func.sum(c.c[name] * reason_amount(c, name)) for name in REASONS),
    )
    row = connection.execute(sums).one()
    n = len(REASONS)
    reasons = {
        name: Reason(name, int(row[i] or 0), int(row[n + i] or 0)) for i, name in enumerate(REASONS)
    }
    parts = [
        select(c.c.id, literal(name).label("reason"), reason_amount(c, name).label("amount")).where(
            c.c[name] == 1
        )
        for name in REASONS
    ]
    every = union_all(*parts).subquery("reason_deals")
    ranked = select(
        every.c.id,
        every.c.reason,
        func.row_number()
        .over(partition_by=every.c.reason, order_by=(func.abs(every.c.amount).desc(), every.c.id))
        .label("rank"),
    ).subquery("ranked_reasons")
    top = select(ranked.c.reason, ranked.c.id).where(ranked.c.rank <= limit)
    found = (
        connection.execute(top.order_by(ranked.c.reason, ranked.c.rank)).tuples().all()
        if limit
        else []
    )
    ids = sorted({int(i) for _, i in found})
    deals = {d.id: d for d in deal_rows(connection, c, ids)} if ids else {}
    for reason, i in found:
        reasons[str(reason)].opportunities.append(deals[int(i)])
    return [reasons[name] for name in REASONS]


def deal_rows(connection: Connection, c: FromClause, ids: list[int]) -> list[DealChange]:
    """The ``DealChange`` of the deals of ``c`` with these ``ids`` (a few: shown in a list)."""
    o = t.opportunities
    query = select(c, o.c.name).join(o, o.c.id == c.c.id).where(c.c.id.in_(ids))
    found = []
    for row in connection.execute(query).mappings():
        found.append(
            DealChange(
                id=int(row["id"]),
                name=str(row["name"]),
                owner_id=None if row["owner1"] is None else int(row["owner1"]),
                stage_then=row["stage0"],
                stage_now=row["stage1"],
                amount_then_cents=int(row["a0"] or 0),
                amount_now_cents=int(row["a1"] or 0),
                close_then=row["close0"],
                close_now=row["close1"],
                in_pipeline_then=bool(row["in0"]),
                in_pipeline_now=bool(row["in1"]),
                expected_cents=int(row["expected"] or 0),
                reasons=tuple(name for name in REASONS if row[name]),
            )
        )
    return found
