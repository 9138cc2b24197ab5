"""Closed SQOs for lost-deal analysis, from history and the evaluations stored at promotion.

One row per SQO closed won or lost in the window (by the moment its closing stage was set, up
to ``as_of``): the outcome, loss reason and competitors, when it became an SQO, the stage it
was lost from (the stage held just before Lost) and the latest evaluation stored when it was
promoted to the SQO stage. Closed SQOs are a small share of the records; their counts by
reason, competitor, stage and criterion are made from these rows by pure functions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, func, or_, select

from sqo.domain.stages import StageKind, StageModel
from sqo.store import intervals as hi
from sqo.store import tables as t


@dataclass(frozen=True)
class ClosedSqo:
    id: int
    lost: bool
    loss_reason: str | None
    competitors: tuple[str, ...]
    sqo_at: datetime
    closed_at: datetime
    lost_from: str | None
    team_id: int | None
    evaluation: dict[str, Any] | None


def _moment(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def closed_sqos(
    connection: Connection,
    model: StageModel,
    as_of: datetime,
    start: datetime | None,
    end: datetime | None,
) -> list[ClosedSqo]:
    h = hi.history_intervals
    won, lost = model.won_stage().name, model.lost_stage().name
    sqo_or_later = [
        s.name
        for s in model.stages
        if s.kind is StageKind.WON
        or (s.kind is StageKind.OPPORTUNITY and model.at_or_after_sqo(s.name))
    ]
    rows = (
        select(
            h.c.record_id,
            h.c.new_value,
            h.c.valid_from,
            h.c.valid_until,
            func.lag(h.c.new_value)
            .over(partition_by=h.c.record_id, order_by=(h.c.valid_from, h.c.id))
            .label("before"),
        )
        .where(h.c.record_type == "opportunity", h.c.field == "stage", h.c.valid_from <= as_of)
        .subquery("stage_rows")
    )
    reached = (
        select(rows.c.record_id, func.min(rows.c.valid_from).label("sqo_at"))
        .where(rows.c.new_value.in_(sqo_or_later))
        .group_by(rows.c.record_id)
        .subquery("sqo_reached")
    )
    current = or_(rows.c.valid_until.is_(None), rows.c.valid_until > as_of)
    closing = [rows.c.new_value.in_((won, lost)), current]
    if start is not None:
        closing.append(rows.c.valid_from >= start)
    if end is not None:
        closing.append(rows.c.valid_from < end)
    s = t.qualification_snapshots
    latest = (
        select(
            s.c.opportunity_id,
            s.c.detail,
            func.row_number()
            .over(
                partition_by=s.c.opportunity_id, order_by=(s.c.evaluated_at.desc(), s.c.id.desc())
            )
            .label("recency"),
        )
        .where(s.c.stage == model.sqo_stage, s.c.evaluated_at <= as_of)
        .subquery("promotions")
    )
    opp, rep = t.opportunities, t.reps
    query = (
        select(
            rows.c.record_id,
            rows.c.new_value,
            rows.c.before,
            rows.c.valid_from,
            reached.c.sqo_at,
            opp.c.loss_reason,
            opp.c.competitors,
            rep.c.team_id,
            latest.c.detail,
        )
        .select_from(
            rows.join(reached, reached.c.record_id == rows.c.record_id)
            .join(opp, opp.c.id == rows.c.record_id)
            .outerjoin(rep, rep.c.id == opp.c.owner_id)
            .outerjoin(
                latest,
                and_(latest.c.opportunity_id == rows.c.record_id, latest.c.recency == 1),
            )
        )
        .where(*closing)
        .order_by(rows.c.record_id)
    )
    out = []
    for rid, stage, before, closed, sqo_at, reason, competitors, team, detail in connection.execute(
        query
    ):
        names = _json(competitors) or []
        out.append(
            ClosedSqo(
                int(rid),
                stage == lost,
                reason if stage == lost else None,
                tuple(str(c) for c in names) if isinstance(names, list) else (),
                _moment(sqo_at),
                _moment(closed),
                before if stage == lost else None,
                team,
                _json(detail) if detail is not None else None,
            )
        )
    return out
