"""The per-rep figures of a scorecard that the funnel does not already compute: average won
deal, override rate at promotion and activity volume, each one grouped query.

Conversion, win rate, cycle and coverage come from :mod:`sqo.analytics.funnel` and
:mod:`sqo.analytics.coverage` (one definition of each metric).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Integer, case, func, select

from sqo.analytics.currency import deal_value
from sqo.analytics.states import states_at
from sqo.domain.stages import StageModel
from sqo.store import tables as t


@dataclass(frozen=True)
class WonDeals:
    deals: int
    cents: int


def won_amounts(
    connection: Connection,
    model: StageModel,
    times: Any,
    won_step: int,
    start: datetime,
    end: datetime,
    as_of: datetime,
    currency: str,
) -> dict[str, WonDeals]:
    """Per owner (the ``owner`` column of the milestone table ``times``): the deals won in the
    window and their amount in the corporate currency (deals without an exchange rate left
    out)."""
    state = states_at(as_of, ("stage", "amount_cents", "close_date"), name="won_states")
    opp = t.opportunities
    value = deal_value(
        state.c.amount_cents,
        opp.c.currency,
        state.c.stage,
        state.c.close_date,
        as_of=as_of.date(),
        model=model,
        corporate=currency,
    )
    won_at = times.c[f"m{won_step}"]
    query = (
        select(times.c.owner, func.count(), func.sum(value.amount))
        .select_from(
            times.join(state, state.c.record_id == times.c.key).join(opp, opp.c.id == times.c.key)
        )
        .where(
            times.c.current_stage == model.won_stage().name,
            won_at >= start,
            won_at < end,
            value.unrated.is_not(True),
        )
        .group_by(times.c.owner)
    )
    return {
        str(owner): WonDeals(int(n), int(total or 0))
        for owner, n, total in connection.execute(query)
        if owner is not None
    }


def promotions(
    connection: Connection, sqo_stage: str, start: datetime, end: datetime
) -> dict[str, tuple[int, int]]:
    """Per owner (the deal's current owner): promotions to the SQO stage in the window and how
    many of them overrode the gate."""
    s, opp, rep = t.qualification_snapshots, t.opportunities, t.reps
    overridden = func.sum(case((s.c.overridden.is_(True), 1), else_=0)).cast(Integer)
    query = (
        select(rep.c.name, func.count(), overridden)
        .select_from(
            s.join(opp, opp.c.id == s.c.opportunity_id).join(rep, rep.c.id == opp.c.owner_id)
        )
        .where(s.c.stage == sqo_stage, s.c.evaluated_at >= start, s.c.evaluated_at < end)
        .group_by(rep.c.name)
    )
    return {str(name): (int(n), int(o or 0)) for name, n, o in connection.execute(query)}


def activity_volume(connection: Connection, start: datetime, end: datetime) -> dict[str, int]:
    """Per rep: activities logged in the window."""
    a, rep = t.activities, t.reps
    query = (
        select(rep.c.name, func.count())
        .select_from(a.join(rep, rep.c.id == a.c.rep_id))
        .where(a.c.occurred_at >= start, a.c.occurred_at < end)
        .group_by(rep.c.name)
    )
    return {str(name): int(n) for name, n in connection.execute(query)}
