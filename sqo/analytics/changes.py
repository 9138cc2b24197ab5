"""Why each deal's pipeline changed between two moments: the reasons revenue tools name.

The population and the movement of every deal are the waterfall's (``sqo.analytics.waterfall``:
the open SQO-or-later deals whose close date falls in the close window at either moment), so the
reasons reconcile with ``sqo pipeline-change`` by construction:

- each deal has at most one *movement*, its waterfall bar: new (created or newly qualified),
  pulled in (into the close window), pushed out (of it), won, lost, moved below SQO; a deal with
  no movement stayed in the pipeline. Each movement's count and signed amount equal its bar's;
- amount up + amount down (the change ``now - then`` of the deals in the pipeline at the start)
  equal the waterfall's amount-changes bar;
- the other reasons tag what else changed on a deal, beside its movement: stage forward or back
  (by the stage model's order, among open stages), forecast category in or out, close date
  later (slipped, whether or not it left the window), owner changed.

The forecast category is the one the stage model gives each stage: ``history_intervals`` holds the
analytics fields only, and a category set by hand is not among them (docs/review.md).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    ColumnElement,
    Connection,
    Integer,
    String,
    and_,
    case,
    func,
    literal,
    select,
    union_all,
)
from sqlalchemy.sql.selectable import FromClause

from sqo.analytics.states import states_between
from sqo.analytics.temp_tables import temporary
from sqo.analytics.waterfall import classified
from sqo.domain.stages import ForecastCategory, StageKind, StageModel
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
CATEGORY_RANK = {
    ForecastCategory.PIPELINE: 1,
    ForecastCategory.BEST_CASE: 2,
    ForecastCategory.COMMIT: 3,
}


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


@dataclass
class Changes:
    start: datetime
    end: datetime
    close_from: date
    close_to: date
    currency: str
    reasons: list[Reason]
    start_cents: int
    start_deals: int
    end_cents: int
    end_deals: int
    largest: list[DealChange] = field(default_factory=list)  # largest expected value now
    movers: list[DealChange] = field(default_factory=list)  # largest change of the pipeline
    at_risk: list[DealChange] = field(default_factory=list)  # slipped, cut, moved back, overdue
    # Per owner (at the end): deals and amount in the pipeline at the end.
    by_owner: dict[int, tuple[int, int]] = field(default_factory=dict)

    def reason(self, name: str) -> Reason:
        return next(r for r in self.reasons if r.name == name)


COLUMNS = (
    ("id", Integer),
    ("kind", String),
    ("in0", Integer),
    ("in1", Integer),
    ("a0", BigInteger),
    ("a1", BigInteger),
    ("stage0", String),
    ("stage1", String),
    ("close0", String),
    ("close1", String),
    ("owner1", Integer),
    ("expected", BigInteger),
    *((name, Integer) for name in REASONS),
)


def _ranked(values: Mapping[str, float], column: ColumnElement[Any], missing: float) -> Any:
    return case(*((column == k, v) for k, v in values.items()), else_=missing)


def _query(
    model: StageModel,
    start: datetime,
    end: datetime,
    lo: date,
    hi: date,
    currency: str,
    owners: Collection[int] | None,
) -> Any:
    c = classified(model, start, end, lo, hi, currency=currency).subquery("classified")
    s = states_between(start, end, ("stage", "close_date", "owner_id"), name="reason_states")
    opp = [x for x in model.stages if x.kind is StageKind.OPPORTUNITY]
    order = {x.name: i for i, x in enumerate(model.stages)}
    rank = {x.name: CATEGORY_RANK.get(x.forecast_category, 0) for x in opp}
    chance = {x.name: x.probability for x in opp}
    opens = [x.name for x in opp]
    both_open = and_(s.c.stage0.in_(opens), s.c.stage1.in_(opens))
    pos0, pos1 = (_ranked(order, s.c["stage" + n], -1) for n in "01")
    cat0, cat1 = (_ranked(rank, s.c["stage" + n], 0) for n in "01")

    def flag(condition: ColumnElement[bool]) -> Any:
        return case((condition, 1), else_=0)

    tags = {
        "amount_up": and_(c.c.in0 == 1, c.c.a1 > c.c.a0),
        "amount_down": and_(c.c.in0 == 1, c.c.a1 < c.c.a0),
        "stage_forward": and_(both_open, pos1 > pos0),
        "stage_back": and_(both_open, pos1 < pos0),
        "category_in": and_(both_open, cat1 > cat0),
        "category_out": and_(both_open, cat1 < cat0),
        "close_date_later": and_(both_open, s.c.close_date1 > s.c.close_date0),
        "owner_changed": and_(
            s.c.owner_id0.is_not(None), s.c.owner_id1.is_not(None), s.c.owner_id0 != s.c.owner_id1
        ),
    }
    expected = func.round(c.c.a1 * _ranked(chance, s.c.stage1, 0.0))
    query = select(
        c.c.id,
        c.c.kind,
        c.c.in0,
        c.c.in1,
        c.c.a0,
        c.c.a1,
        s.c.stage0,
        s.c.stage1,
        s.c.close_date0.label("close0"),
        s.c.close_date1.label("close1"),
        s.c.owner_id1.label("owner1"),
        expected.label("expected"),
        *(flag(c.c.kind == bar).label(name) for name, bar in MOVEMENTS.items()),
        *(flag(condition).label(name) for name, condition in tags.items()),
    ).select_from(c.join(s, s.c.record_id == c.c.id))
    if owners is not None:
        query = query.where(s.c.owner_id1.in_(list(owners)))
    return query


def _amount(c: FromClause, name: str) -> Any:
    if name in ENTRIES:
        return c.c.a1
    if name in MOVEMENTS:
        return -c.c.a1
    if name in ("amount_up", "amount_down"):
        return c.c.a1 - c.c.a0
    return c.c.a1


def changes(
    connection: Connection,
    model: StageModel,
    start: datetime,
    end: datetime,
    close_from: date,
    close_to: date,
    *,
    currency: str,
    owners: Collection[int] | None = None,
    limit: int = 5,
) -> Changes:
    """The reasons between ``start`` and ``end`` (of the deals ``owners`` own at ``end``, all
    when None), with the ``limit`` largest deals behind each."""
    columns = [Column(name, kind()) for name, kind in COLUMNS]
    query = _query(model, start, end, close_from, close_to, currency, owners)
    with temporary(connection, query, columns, "changes") as table:
        reasons = _reasons(connection, table, limit)
        largest, movers, at_risk = (
            _key_deals(connection, table, end, limit) if limit else ([], [], [])
        )
        owned = select(table.c.owner1, func.count(), func.sum(table.c.a1)).where(
            table.c.in1 == 1, table.c.owner1.is_not(None)
        )
        by_owner = {
            int(owner): (int(n), int(cents or 0))
            for owner, n, cents in connection.execute(owned.group_by(table.c.owner1))
        }
        totals = connection.execute(
            select(
                func.sum(table.c.a0 * table.c.in0),
                func.sum(table.c.in0),
                func.sum(table.c.a1 * table.c.in1),
                func.sum(table.c.in1),
            )
        ).one()
    a0, n0, a1, n1 = (int(x or 0) for x in totals)
    return Changes(
        start,
        end,
        close_from,
        close_to,
        currency,
        reasons,
        a0,
        n0,
        a1,
        n1,
        largest,
        movers,
        at_risk,
        by_owner,
    )


def _key_deals(
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


def _reasons(connection: Connection, c: FromClause, limit: int) -> list[Reason]:
    sums = select(
        *(func.sum(c.c[name]) for name in REASONS),
        *(func.sum(c.c[name] * _amount(c, name)) for name in REASONS),
    )
    row = connection.execute(sums).one()
    n = len(REASONS)
    reasons = {
        name: Reason(name, int(row[i] or 0), int(row[n + i] or 0)) for i, name in enumerate(REASONS)
    }
    parts = [
        select(c.c.id, literal(name).label("reason"), _amount(c, name).label("amount")).where(
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
