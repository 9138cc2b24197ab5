"""Timing: the chance that a deal which will be won is won inside the forecast period.

Learned from the same point of earlier periods: for each of up to ``LOOKBACK`` past periods of
the same length, the deals open (in the SQO pipeline) at the same offset from that period's
start as ``as_of`` is from this one's, later won, grouped by where their close date then lay
(before the window, inside it, after it: the window runs from the later of the period start and
that moment to the period end), whether the close date had been pushed by then, and segment.
The timing chance of a bucket is the share of those deals won inside their period; a segment's
share is shrunk towards the company's bucket (``sqo.analytics.forecast.stage_rates.shrunk``), and
with no history at all a bucket takes ``DEFAULT_TIMING``.

A *push* is a change of the close date to a later date (``pushes_at``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Column, Connection, Integer, String, Table, case, func, select
from sqlalchemy.sql.selectable import Select, Subquery

from sqo.analytics.breakdowns import attributes
from sqo.analytics.forecast.period import Period
from sqo.analytics.forecast.stage_rates import shrunk
from sqo.analytics.states import day_text, next_day_text, open_sqo_stages, states_at, states_over
from sqo.analytics.temp_tables import temporary
from sqo.domain.stages import StageModel
from sqo.store import intervals as hi

LOOKBACK = 8
BUCKETS = ("before", "inside", "after")
# Without any history: a close date inside the window is taken at its word, one outside not.
DEFAULT_TIMING = {"before": 0.5, "inside": 1.0, "after": 0.0}


@dataclass(frozen=True)
class TimingCount:
    segment: str | None
    bucket: str
    pushed: bool
    deals: int  # open then, later won
    in_period: int  # of those, won inside their period


@dataclass(frozen=True)
class TimingRate:
    bucket: str
    pushed: bool
    segment: str | None
    deals: int
    rate: float


def pushes_at(
    moment: datetime, name: str = "pushes", *, only: Select[Any] | None = None
) -> Subquery:
    """record_id and how many times the close date had been moved later by ``moment`` (of the
    deals ``only`` selects, when given)."""
    h = hi.history_intervals
    previous = func.lag(h.c.new_value).over(
        partition_by=h.c.record_id, order_by=(h.c.valid_from, h.c.id)
    )
    read = select(h.c.record_id, h.c.new_value, previous.label("previous")).where(
        h.c.record_type == "opportunity", h.c.field == "close_date", h.c.valid_from <= moment
    )
    if only is not None:
        read = read.where(h.c.record_id.in_(only))
    changes = read.subquery(f"{name}_changes")
    later = (changes.c.previous.is_not(None)) & (changes.c.new_value > changes.c.previous)
    return (
        select(
            changes.c.record_id,
            func.sum(case((later, 1), else_=0)).cast(Integer).label("pushes"),
        )
        .group_by(changes.c.record_id)
        .subquery(name)
    )


def bucket_of(close_date: date, period: Period, moment: datetime) -> str:
    first = max(period.start, moment.date())
    if close_date < first:
        return "before"
    return "inside" if close_date <= period.end else "after"


@dataclass(frozen=True)
class _Snapshot:
    period: Period
    moment: datetime


def _won_deals(model: StageModel, as_of: datetime) -> tuple[Select[Any], list[Column[Any]]]:
    """One row per deal won by ``as_of``: its segment and when it closed."""
    final = states_at(as_of, ("stage", "closed_at"), name="final")
    attrs = attributes(final, ("segment",), key_column="record_id")
    query = (
        select(final.c.record_id, attrs.columns["segment"].label("segment"), final.c.closed_at)
        .select_from(attrs.source)
        .where(final.c.stage == model.won_stage().name)
    )
    columns: list[Column[Any]] = [
        Column("record_id", Integer),
        Column("segment", String),
        Column("closed_at", String),
    ]
    return query, columns


def _counted(
    connection: Connection, model: StageModel, won: Table, snapshot: _Snapshot
) -> list[TimingCount]:
    """The deals of ``won`` open in the SQO pipeline at the snapshot's moment with a close date,
    by segment, bucket and pushed: how many, and how many were won inside that period."""
    period, moment = snapshot.period, snapshot.moment
    among = select(won.c.record_id)
    then = states_over([("", moment)], ("stage", "close_date"), name="then", only=among)
    pushes = pushes_at(moment, only=among)
    first = max(period.start, moment.date())
    bucket = case(
        (then.c.close_date < day_text(first), "before"),
        (then.c.close_date <= day_text(period.end), "inside"),
        else_="after",
    )
    inside = (won.c.closed_at >= day_text(period.start)) & (
        won.c.closed_at < next_day_text(period.end)
    )
    source = then.join(won, won.c.record_id == then.c.record_id).outerjoin(
        pushes, pushes.c.record_id == then.c.record_id
    )
    # Labelled in a subquery first: PostgreSQL groups by a CASE only when it is the very same
    # expression, and each spelling of one binds its own parameters.
    rows = (
        select(
            won.c.segment,
            bucket.label("bucket"),
            case((func.coalesce(pushes.c.pushes, 0) > 0, 1), else_=0).label("pushed"),
            case((inside, 1), else_=0).label("inside"),
        )
        .select_from(source)
        .where(then.c.stage.in_(open_sqo_stages(model)), then.c.close_date.is_not(None))
        .subquery("timing_rows")
    )
    query = select(
        rows.c.segment, rows.c.bucket, rows.c.pushed, func.count(), func.sum(rows.c.inside)
    ).group_by(rows.c.segment, rows.c.bucket, rows.c.pushed)
    return [
        TimingCount(seg, str(b), bool(p), int(n), int(x or 0))
        for seg, b, p, n, x in connection.execute(query)
    ]


def timing_counts(
    connection: Connection, model: StageModel, period: Period, as_of: datetime
) -> list[TimingCount]:
    """Counts from up to ``LOOKBACK`` earlier periods that ended before ``as_of``. Only deals
    won by ``as_of`` count: they are read once into a temporary table, and each snapshot reads
    only their history (each snapshot read every deal's final state again: 5.9 s of a 10 s
    forecast at 1M deals)."""
    offset = as_of - datetime.combine(period.start, time())
    snapshots = []
    for back in range(1, LOOKBACK + 1):
        earlier = period.earlier(back)
        if earlier.end >= as_of.date():
            continue
        moment = datetime.combine(earlier.start, time()) + offset
        moment = min(moment, datetime.combine(earlier.end, time.max) - timedelta(seconds=1))
        snapshots.append(_Snapshot(earlier, moment))
    if not snapshots:
        return []
    query, columns = _won_deals(model, as_of)
    counts: list[TimingCount] = []
    with temporary(connection, query, columns, "timing") as won:
        for snapshot in snapshots:
            counts += _counted(connection, model, won, snapshot)
    return counts


def learn_timing(counts: Iterable[TimingCount]) -> list[TimingRate]:
    """Company and per-segment timing chances per (bucket, pushed) (pure)."""
    rows = list(counts)
    segments = sorted({r.segment for r in rows if r.segment is not None})
    result: list[TimingRate] = []
    for bucket in BUCKETS:
        for pushed in (False, True):
            mine = [r for r in rows if r.bucket == bucket and r.pushed == pushed]
            deals = sum(r.deals for r in mine)
            company = shrunk(sum(r.in_period for r in mine), deals, DEFAULT_TIMING[bucket])
            result.append(TimingRate(bucket, pushed, None, deals, company))
            for segment in segments:
                seg = [r for r in mine if r.segment == segment]
                n = sum(r.deals for r in seg)
                rate = shrunk(sum(r.in_period for r in seg), n, company)
                result.append(TimingRate(bucket, pushed, segment, n, rate))
    return result


def timing_for(
    lookup: Mapping[tuple[str, bool, str | None], float],
    bucket: str,
    pushed: bool,
    segment: str | None,
) -> float:
    found = lookup.get((bucket, pushed, segment))
    if found is None:
        found = lookup.get((bucket, pushed, None), DEFAULT_TIMING[bucket])
    return found
