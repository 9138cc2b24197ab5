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

from collections.abc import Callable, Collection, Mapping, Sequence
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
    select,
)
from sqlalchemy.sql.selectable import Subquery

from sqo.analytics.change_deals import (
    MOVEMENTS,
    REASONS,
    TAGS,
    DealChange,
    Reason,
    key_deals,
    reason_totals,
)
from sqo.analytics.states import held_between, open_sqo_stages, states_over
from sqo.analytics.temp_tables import temporary
from sqo.analytics.waterfall import classified
from sqo.domain.stages import ForecastCategory, StageKind, StageModel

# The reasons' vocabulary and the deals behind them live in change_deals; named here too, where
# the reasons are defined.
__all__ = [
    "MOVEMENTS",
    "REASONS",
    "TAGS",
    "Changes",
    "DealChange",
    "Reason",
    "Span",
    "changes",
    "changes_over",
]

CATEGORY_RANK = {
    ForecastCategory.PIPELINE: 1,
    ForecastCategory.BEST_CASE: 2,
    ForecastCategory.COMMIT: 3,
}


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


# What the reasons read of each deal at both moments, with the type of its column.
STATE_FIELDS = (
    ("stage", String),
    ("amount_cents", BigInteger),
    ("close_date", String),
    ("owner_id", Integer),
)


@dataclass(frozen=True)
class Span:
    """Two moments, and the close window of the pipeline whose change between them is told."""

    start: datetime
    end: datetime
    close_from: date
    close_to: date
    limit: int = 5  # deals listed behind each reason and key list; 0: the totals only


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
    states: Callable[[str], Subquery],
) -> Any:
    c = classified(
        model, start, end, lo, hi, currency=currency, states=states("waterfall_states")
    ).subquery("classified")
    s = states("reason_states")
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
    span = Span(start, end, close_from, close_to, limit)
    return changes_over(connection, model, [span], currency=currency, owners=owners)[0]


def changes_over(
    connection: Connection,
    model: StageModel,
    spans: Sequence[Span],
    *,
    currency: str,
    owners: Collection[int] | None = None,
) -> list[Changes]:
    """:func:`changes` for each span (the weekly review: its week and the week before), the
    deals' states at every span's start and end read from history in one pass, not two per
    span: that pass over the history is what costs, on a large workspace."""
    moments = sorted({m for span in spans for m in (span.start, span.end)})
    suffix = {m: f"_{i}" for i, m in enumerate(moments)}
    fields = [name for name, _ in STATE_FIELDS]
    # Only a deal open at or after SQO at some moment can be in a span's pipeline (the
    # waterfall's population): a few percent of a large workspace's deals, and the states of
    # every deal at four moments cost seconds there.
    candidates = held_between("stage", open_sqo_stages(model), moments[0], moments[-1])
    states = states_over(
        [(suffix[m], m) for m in moments], fields, name="deal_states", only=candidates
    )
    columns: list[Column[Any]] = [Column("record_id", Integer)]
    columns += [Column(name + suffix[m], kind()) for name, kind in STATE_FIELDS for m in moments]
    with temporary(connection, select(*states.c), columns, "states") as table:

        def pair(span: Span) -> Callable[[str], Subquery]:
            then, now = suffix[span.start], suffix[span.end]

            def named(name: str) -> Subquery:
                picked = [
                    table.c[f + at].label(f + n)
                    for f in fields
                    for n, at in (("0", then), ("1", now))
                ]
                return select(table.c.record_id, *picked).subquery(name)

            return named

        return [_changes(connection, model, span, pair(span), currency, owners) for span in spans]


def _changes(
    connection: Connection,
    model: StageModel,
    span: Span,
    states: Callable[[str], Subquery],
    currency: str,
    owners: Collection[int] | None,
) -> Changes:
    start, end, limit = span.start, span.end, span.limit
    columns = [Column(name, kind()) for name, kind in COLUMNS]
    query = _query(model, start, end, span.close_from, span.close_to, currency, owners, states)
    with temporary(connection, query, columns, "changes") as table:
        reasons = reason_totals(connection, table, limit)
        largest, movers, at_risk = (
            key_deals(connection, table, end, limit) if limit else ([], [], [])
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
        span.close_from,
        span.close_to,
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
