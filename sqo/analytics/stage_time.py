"""Time in stage and stage-to-stage drop-off: where deals stall.

A *stint* is one stay of a record in a stage, from the stage change that entered it to the next
stage change (completed) or to ``as_of`` (still there). Closed stages (Won, Lost, Disqualified)
have no stints. Drop-off is the cohort conversion between consecutive stages of the whole model.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, and_, case, func, literal, select

from sqo.analytics.funnel import Conversion, conversions
from sqo.analytics.milestones import record_key, stage_ladder
from sqo.analytics.sqlfuncs import days_between, percentile_rows, quantiles
from sqo.domain.stages import StageKind, StageModel
from sqo.store import tables as t


@dataclass(frozen=True)
class StageTime:
    stage: str
    completed: int  # stints that ended (the record moved on, back, or closed)
    median_days: float | None
    p90_days: float | None
    current: int  # records in the stage at as_of
    current_median_days: float | None  # how long they have been there


def time_in_stage(connection: Connection, model: StageModel, as_of: datetime) -> list[StageTime]:
    h, lead = t.history, t.leads
    key = record_key()  # a converted lead's SQL stint ends when its opportunity starts
    next_at = func.lead(h.c.changed_at).over(partition_by=key, order_by=(h.c.changed_at, h.c.id))
    events = (
        select(h.c.new_value.label("stage"), h.c.changed_at, next_at.label("next_at"))
        .select_from(h.outerjoin(lead, and_(h.c.record_type == "lead", lead.c.id == h.c.record_id)))
        .where(
            h.c.record_type.in_(("lead", "opportunity")),
            h.c.field == "stage",
            h.c.changed_at <= as_of,
        )
        .subquery("events")
    )
    open_stages = [
        s.name for s in model.stages if s.kind in (StageKind.LEAD, StageKind.OPPORTUNITY)
    ]
    ongoing = case((events.c.next_at.is_(None), 1), else_=0)
    until = func.coalesce(events.c.next_at, literal(as_of))
    stints = (
        select(
            events.c.stage,
            ongoing.label("ongoing"),
            days_between(events.c.changed_at, until).label("value"),
        )
        .where(events.c.stage.in_(open_stages))
        .subquery("stints")
    )
    spread = quantiles(connection.execute(percentile_rows(stints, ["stage", "ongoing"])), 2)
    result = []
    for stage in open_stages:
        done_n, done_median, done_p90 = spread.get((stage, 0), (0, None, None))
        now_n, now_median, _p90 = spread.get((stage, 1), (0, None, None))
        result.append(StageTime(stage, done_n, done_median, done_p90, now_n, now_median))
    return result


def drop_off(connection: Connection, model: StageModel, as_of: datetime) -> list[Conversion]:
    """Entered, advanced, dropped and still open for each consecutive pair of stages."""
    ladder = stage_ladder(model)
    pairs = [(i, i + 1) for i in range(len(ladder.names) - 1)]
    return conversions(connection, ladder, as_of, pairs=pairs)
