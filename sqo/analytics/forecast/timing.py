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

from sqlalchemy import Connection, Integer, case, func, select
from sqlalchemy.sql.selectable import Subquery

from sqo.analytics.breakdowns import attributes
from sqo.analytics.forecast.period import Period
from sqo.analytics.forecast.stage_rates import shrunk
from sqo.analytics.states import day_text, next_day_text, open_sqo_stages, states_at
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


def pushes_at(moment: datetime, name: str = "pushes") -> Subquery:
    """record_id and how many times the close date had been moved later by ``moment``."""
    h = hi.history_intervals
    previous = func.lag(h.c.new_value).over(
        partition_by=h.c.record_id, order_by=(h.c.valid_from, h.c.id)
    )
    changes = (
        select(h.c.record_id, h.c.new_value, previous.label("previous"))
        .where(
            h.c.record_type == "opportunity", h.c.field == "close_date", h.c.valid_from <= moment
        )
        .subquery(f"{name}_changes")
    )
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


def _snapshot(
    connection: Connection, model: StageModel, period: Period, moment: datetime, as_of: datetime
) -> list[TimingCount]:
    then = states_at(moment, ("stage", "close_date"), name="then")
    final = states_at(as_of, ("stage", "closed_at"), name="final")
    pushes = pushes_at(moment)
    attrs = attributes(then, ("segment",), key_column="record_id")
    segment = attrs.columns["segment"]
    first = max(period.start, moment.date())
    bucket = case(
        (then.c.close_date < day_text(first), "before"),
        (then.c.close_date <= day_text(period.end), "inside"),
        else_="after",
    )
    pushed = func.coalesce(pushes.c.pushes, 0) > 0
    inside = (final.c.closed_at >= day_text(period.start)) & (
        final.c.closed_at < next_day_text(period.end)
    )
    source = attrs.source.join(final, final.c.record_id == then.c.record_id).outerjoin(
        pushes, pushes.c.record_id == then.c.record_id
    )
    # Labelled in a subquery first: PostgreSQL groups by a CASE only when it is the very same
    # expression, and each spelling of one binds its own parameters.
    rows = (
        select(
            segment.label("segment"),
            bucket.label("bucket"),
            case((pushed, 1), else_=0).label("pushed"),
            case((inside, 1), else_=0).label("inside"),
        )
        .select_from(source)
        .where(
            then.c.stage.in_(open_sqo_stages(model)),
            then.c.close_date.is_not(None),
            final.c.stage == model.won_stage().name,
        )
        .subquery("timing_rows")
    )
    query = select(
        rows.c.segment, rows.c.bucket, rows.c.pushed, func.count(), func.sum(rows.c.inside)
    ).group_by(rows.c.segment, rows.c.bucket, rows.c.pushed)
    return [
        TimingCount(seg, str(b), bool(p), int(n), int(k or 0))
        for seg, b, p, n, k in connection.execute(query)
    ]


def timing_counts(
    connection: Connection, model: StageModel, period: Period, as_of: datetime
) -> list[TimingCount]:
    """Counts from up to ``LOOKBACK`` earlier periods that ended before ``as_of`` (one small
    grouped query each)."""
    offset = as_of - datetime.combine(period.start, time())
    counts: list[TimingCount] = []
    for back in range(1, LOOKBACK + 1):
        earlier = period.earlier(back)
        if earlier.end >= as_of.date():
            continue
        moment = datetime.combine(earlier.start, time()) + offset
        moment = min(moment, datetime.combine(earlier.end, time.max) - timedelta(seconds=1))
        counts += _snapshot(connection, model, earlier, moment, as_of)
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
