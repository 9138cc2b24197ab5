"""When each record reached each funnel milestone, derived from the stage history in SQL.

A *ladder* is an ordered list of stages (the funnel milestones Lead -> MQL -> SAL -> SQL -> SQO ->
Won, or every stage for drop-off analysis). A stage *reaches* ladder step ``i`` when it is at or
beyond that step in the stage model's order; Won is beyond every step; Lost and Disqualified reach
nothing. A record reached a step at the first ``changed_at`` (on or before ``as_of``) where its
stage reached it, so skipped steps count as passed at the time of the later one.

A lead and the opportunity it was converted to (``leads.converted_opportunity_id``) are one
funnel record, keyed by the opportunity id; an unconverted lead is keyed by minus its id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Table,
    and_,
    case,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.sql.selectable import FromClause, Select, Subquery

from sqo.domain.stages import StageKind, StageModel
from sqo.store import intervals as hi
from sqo.store import tables as t


@dataclass(frozen=True)
class Ladder:
    names: tuple[str, ...]
    # stage -> the highest step (index into ``names``) it reaches; stages reaching none absent
    highest_step: dict[str, int]
    won: str
    lost: str
    out: tuple[str, ...]  # stages that leave the funnel: lost and disqualified

    def index(self, name: str) -> int:
        return self.names.index(name)


def build_ladder(model: StageModel, names: list[str]) -> Ladder:
    positions = {s.name: i for i, s in enumerate(model.stages)}
    highest_step: dict[str, int] = {}
    for stage in model.stages:
        if stage.kind is StageKind.WON:
            highest_step[stage.name] = len(names) - 1
        elif stage.kind in (StageKind.LEAD, StageKind.OPPORTUNITY):
            reached = [i for i, n in enumerate(names) if positions[n] <= positions[stage.name]]
            if reached:
                highest_step[stage.name] = max(reached)
    out = tuple(s.name for s in model.stages if s.kind in (StageKind.LOST, StageKind.DISQUALIFIED))
    return Ladder(tuple(names), highest_step, model.won_stage().name, model.lost_stage().name, out)


def milestone_ladder(model: StageModel) -> Ladder:
    """Lead stages, the SQO stage and Won: the funnel the benchmarks talk about."""
    names = [s.name for s in model.stages if s.kind is StageKind.LEAD]
    return build_ladder(model, [*names, model.sqo_stage, model.won_stage().name])


def stage_ladder(model: StageModel) -> Ladder:
    """Every lead and open opportunity stage, then Won: where deals stall, step by step."""
    names = [s.name for s in model.stages if s.kind in (StageKind.LEAD, StageKind.OPPORTUNITY)]
    return build_ladder(model, [*names, model.won_stage().name])


def record_key(record_type: str, record_id: ColumnElement[int]) -> ColumnElement[int]:
    """The funnel record of a history row of ``record_type`` (lead rows need ``leads``
    outer-joined: a converted lead belongs to its opportunity)."""
    if record_type == "opportunity":
        return record_id
    converted = t.leads.c.converted_opportunity_id
    return case((converted.is_not(None), converted), else_=-record_id)


def with_leads(h: Table = hi.history_intervals) -> FromClause:
    """History rows with the lead each lead row is of (for a converted lead's opportunity)."""
    lead = t.leads
    return h.outerjoin(lead, and_(h.c.record_type == "lead", lead.c.id == h.c.record_id))


def _stage_rows(record_type: str, as_of: datetime) -> Subquery:
    """The stage rows of one record type up to ``as_of``. Filtered on their own, before any join,
    so that SQLite pushes record_type and field into the view and reads only those rows (not
    every record type's). It still picks the record-type index over the covering one for a
    single field: cheap at the demo's size, and the analytics copy serves large workspaces."""
    h = hi.history_intervals
    return (
        select(h.c.id, h.c.record_id, h.c.new_value, h.c.valid_from, h.c.valid_until)
        .where(h.c.record_type == record_type, h.c.field == "stage", h.c.valid_from <= as_of)
        .subquery(f"{record_type}_stages")
    )


def stage_events(ladder: Ladder, as_of: datetime, *, only: Select[Any] | None = None) -> Subquery:
    """Every stage change up to ``as_of`` with its funnel record, the step it reached, its id and
    whether it still held at ``as_of`` (``current``: 1 or 0)."""
    lead = t.leads
    parts = []
    for record_type in ("lead", "opportunity"):
        rows = _stage_rows(record_type, as_of)
        key = record_key(record_type, rows.c.record_id)
        source: FromClause = rows
        if record_type == "lead":
            source = rows.outerjoin(lead, lead.c.id == rows.c.record_id)
        step = (
            case(ladder.highest_step, value=rows.c.new_value, else_=None)
            if ladder.highest_step
            else literal(None)
        )
        current = or_(rows.c.valid_until.is_(None), rows.c.valid_until > as_of)
        query = select(
            key.label("key"),
            step.label("step"),
            rows.c.new_value.label("stage"),
            rows.c.valid_from.label("changed_at"),
            rows.c.id,
            case((current, 1), else_=0).label("current"),
        ).select_from(source)
        if only is not None:
            query = query.where(key.in_(only))
        parts.append(query)
    return union_all(*parts).subquery("stage_events")


def milestone_times(
    ladder: Ladder,
    as_of: datetime,
    *,
    only: Select[Any] | None = None,
    stage_set_at: bool = False,
) -> Subquery:
    """One row per funnel record (of those whose key ``only`` selects, if given): key, m0..mN
    (time each step was first reached), first_at (first contact: the first stage row) and
    current_stage (as of ``as_of``); with ``stage_set_at``, also when that stage was set."""
    ev = stage_events(ladder, as_of, only=only)
    # A lead and its opportunity may each have a stage holding at as_of: the later one counts.
    # Only the rows holding then are ranked against each other (at most two per record).
    ranked = select(
        *ev.c,
        func.row_number()
        .over(
            partition_by=(ev.c.key, ev.c.current),
            order_by=(ev.c.changed_at.desc(), ev.c.id.desc()),
        )
        .label("recency"),
    ).subquery("ranked_events")
    latest = and_(ranked.c.current == 1, ranked.c.recency == 1)
    steps = [
        func.min(case((ranked.c.step >= i, ranked.c.changed_at))).label(f"m{i}")
        for i in range(len(ladder.names))
    ]
    extra = (
        [func.max(case((latest, ranked.c.changed_at))).label("stage_set_at")]
        if stage_set_at
        else []
    )
    query = select(
        ranked.c.key,
        *steps,
        func.min(ranked.c.changed_at).label("first_at"),
        func.max(case((latest, ranked.c.stage))).label("current_stage"),
        *extra,
    ).group_by(ranked.c.key)
    return query.subquery("milestones")


def step_time(times: FromClause, index: ColumnElement[int], count: int) -> ColumnElement[datetime]:
    """The time of the step whose number is the SQL expression ``index``."""
    return case({i: times.c[f"m{i}"] for i in range(count)}, value=index)


def dropped(times: FromClause, ladder: Ladder) -> ColumnElement[bool]:
    return times.c.current_stage.in_(ladder.out)


def as_int(expr: ColumnElement[Any]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((expr, 1), else_=0)), 0).cast(Integer)
