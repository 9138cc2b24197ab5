"""Time in stage and stage-to-stage drop-off: where deals stall.

A *stint* is one stay of a record in a stage, from the stage change that entered it to the next
stage change of that record (completed: its ``valid_until``) or to ``as_of`` (still there).
Closed stages (Won, Lost, Disqualified) have no stints. Drop-off is the cohort conversion
between consecutive stages of the whole model.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, and_, case, func, literal, or_, select

from sqo.analytics.funnel import Conversion, conversions
from sqo.analytics.milestones import stage_ladder, with_leads
from sqo.analytics.sqlfuncs import days_between, maybe_float, spread
from sqo.domain.stages import StageKind, StageModel
from sqo.store import intervals as hi
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
    h, lead = hi.history_intervals, t.leads
    # A converted lead's last stint (its stage when converted) ends when its opportunity starts.
    opportunity_start = (
        select(h.c.record_id, func.min(h.c.valid_from).label("started_at"))
        .where(h.c.record_type == "opportunity", h.c.field == "stage")
        .group_by(h.c.record_id)
        .subquery("opportunity_starts")
    )
    converted_last = and_(h.c.record_type == "lead", h.c.valid_until.is_(None))
    ends = case((converted_last, opportunity_start.c.started_at), else_=h.c.valid_until)
    source = with_leads(h).outerjoin(
        opportunity_start,
        and_(converted_last, opportunity_start.c.record_id == lead.c.converted_opportunity_id),
    )
    events = (
        select(h.c.new_value.label("stage"), h.c.valid_from, ends.label("valid_until"))
        .select_from(source)
        .where(
            h.c.record_type.in_(("lead", "opportunity")),
            h.c.field == "stage",
            h.c.valid_from <= as_of,
        )
        .subquery("events")
    )
    open_stages = [
        s.name for s in model.stages if s.kind in (StageKind.LEAD, StageKind.OPPORTUNITY)
    ]
    ongoing = or_(events.c.valid_until.is_(None), events.c.valid_until > as_of)
    until = case((ongoing, literal(as_of)), else_=events.c.valid_until)
    stints = (
        select(
            events.c.stage,
            case((ongoing, 1), else_=0).label("ongoing"),
            days_between(events.c.valid_from, until).label("value"),
        )
        .where(events.c.stage.in_(open_stages))
        .subquery("stints")
    )
    query = select(stints.c.stage, stints.c.ongoing, *spread(stints.c.value)).group_by(
        stints.c.stage, stints.c.ongoing
    )
    found = {
        (row.stage, int(row.ongoing)): (int(row.n), maybe_float(row.median), maybe_float(row.p90))
        for row in connection.execute(query)
    }
    result = []
    for stage in open_stages:
        done_n, done_median, done_p90 = found.get((stage, 0), (0, None, None))
        now_n, now_median, _p90 = found.get((stage, 1), (0, None, None))
        result.append(StageTime(stage, done_n, done_median, done_p90, now_n, now_median))
    return result


def drop_off(connection: Connection, model: StageModel, as_of: datetime) -> list[Conversion]:
    """Entered, advanced, dropped and still open for each consecutive pair of stages."""
    ladder = stage_ladder(model)
    pairs = [(i, i + 1) for i in range(len(ladder.names) - 1)]
    return conversions(connection, ladder, as_of, pairs=pairs)
