"""Deals that left the SQO pipeline (lost, or moved back below SQO) within a window, with the
promotion they left after: premature SQO's second half ("lost or demoted soon after promotion").

A promotion is a stage change into the SQO stage or later from a stage before it (or a deal
created there); an exit is a change from an open stage at or after SQO to Lost or to a stage
before SQO. Each exit in the window is paired with the latest promotion before it, and with the
latest gate evaluation up to then (was the gate overridden?). Only exits in the window come back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, case, func, or_, select
from sqlalchemy.sql.selectable import ScalarSelect, Subquery

from sqo.analytics.hygiene.deals import deal_state
from sqo.analytics.hygiene.facts import moment_of
from sqo.domain.hygiene.facts import FallenSqo
from sqo.domain.stages import StageKind, StageModel
from sqo.store import tables as t


def _stage_groups(model: StageModel) -> tuple[list[str], list[str], list[str]]:
    """(stages before SQO, open stages at or after SQO, stages an SQO falls to)."""
    before = [
        s.name
        for s in model.stages
        if s.kind is not StageKind.WON
        and s.kind is not StageKind.LOST
        and not model.at_or_after_sqo(s.name)
    ]
    sqo_open = [s.name for s in model.open_opportunity_stages() if model.at_or_after_sqo(s.name)]
    fallen_to = [*before, model.lost_stage().name]
    return before, sqo_open, fallen_to


def fallen_sqos(
    connection: Connection,
    model: StageModel,
    start: datetime,
    as_of: datetime,
    *,
    team_id: int | None = None,
    rep_id: int | None = None,
    state: Subquery | None = None,
) -> list[FallenSqo]:
    """The exits in (``start``, ``as_of``] with their promotion; ``state``: the deals' state
    at ``as_of`` (``deal_state``) when the caller already holds it."""
    before, sqo_open, fallen_to = _stage_groups(model)
    h, p, q = t.history, t.history.alias("promotion"), t.qualification_snapshots
    # Each exit's promotion and gate evaluation are index look-ups of that deal's rows
    # (correlated subqueries): joined and grouped instead, SQLite scanned the exits per exit.
    promoted_at = (
        select(func.max(p.c.changed_at))
        .where(
            p.c.record_type == "opportunity",
            p.c.record_id == h.c.record_id,
            p.c.field == "stage",
            p.c.changed_at <= h.c.changed_at,
            p.c.id != h.c.id,
            p.c.new_value.in_([*sqo_open, model.won_stage().name]),
            or_(p.c.old_value.is_(None), p.c.old_value.in_(before)),
        )
        .correlate(h)
        .scalar_subquery()
    )
    exits = (
        select(
            h.c.id,
            h.c.record_id,
            h.c.new_value.label("left_to"),
            h.c.changed_at,
            promoted_at.label("promoted_at"),
        )
        .where(
            h.c.record_type == "opportunity",
            h.c.field == "stage",
            h.c.changed_at > start,
            h.c.changed_at <= as_of,
            h.c.old_value.in_(sqo_open),
            h.c.new_value.in_(fallen_to),
        )
        .subquery("exits")
    )
    overridden = (
        select(func.max(case((q.c.overridden, 1), else_=0)))
        .where(
            q.c.opportunity_id == exits.c.record_id,
            q.c.evaluated_at <= exits.c.changed_at,
            q.c.evaluated_at >= exits.c.promoted_at,
        )
        .correlate(exits)
        .scalar_subquery()
    )
    if state is not None:
        return _fallen(connection, exits, overridden, state, team_id, rep_id)
    with deal_state(connection, as_of) as replayed:
        return _fallen(connection, exits, overridden, replayed, team_id, rep_id)


def _fallen(
    connection: Connection,
    exits: Subquery,
    overridden: ScalarSelect[Any],
    state: Subquery,
    team_id: int | None,
    rep_id: int | None,
) -> list[FallenSqo]:
    o, r, tm = t.opportunities, t.reps, t.teams
    query = (
        select(
            o.c.id,
            o.c.name,
            state.c.owner_id,
            r.c.name.label("owner_name"),
            tm.c.name.label("team_name"),
            exits.c.promoted_at,
            exits.c.changed_at,
            exits.c.left_to,
            overridden.label("overridden"),
        )
        .select_from(
            exits.join(o, o.c.id == exits.c.record_id)
            .join(state, state.c.record_id == o.c.id)
            .outerjoin(r, r.c.id == state.c.owner_id)
            .outerjoin(tm, tm.c.id == r.c.team_id)
        )
        .where(exits.c.promoted_at.is_not(None))
        .order_by(o.c.id, exits.c.changed_at)
    )
    if team_id is not None:
        query = query.where(r.c.team_id == team_id)
    if rep_id is not None:
        query = query.where(state.c.owner_id == rep_id)
    found = []
    for row in connection.execute(query).mappings():
        promoted_at, left_at = moment_of(row["promoted_at"]), moment_of(row["changed_at"])
        assert promoted_at is not None and left_at is not None  # inner joins
        found.append(
            FallenSqo(
                opportunity_id=int(row["id"]),
                name=str(row["name"]),
                owner_id=None if row["owner_id"] is None else int(row["owner_id"]),
                owner_name=row["owner_name"],
                team_name=row["team_name"],
                promoted_at=promoted_at,
                left_at=left_at,
                left_to=str(row["left_to"]),
                overridden=bool(row["overridden"]),
            )
        )
    return found
