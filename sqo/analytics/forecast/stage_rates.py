"""Learned stage rates: of the closed deals that reached a stage, the share that went on to win.

Counted "as reached" from the stage history (``sqo.analytics.milestones``' stage ladder): a won
deal counts for every open stage up to Won (skipped stages count as passed, as in the funnel), a
lost one for the stages it had reached when it was lost. Only deals closed by ``as_of`` count,
and only their history up to then.

Thin data are shrunk, Bayesian style, towards a wider rate: a segment's rate towards the
company's rate for the stage, the company's towards the stage model's configured probability,
each as if ``PRIOR_DEALS`` more deals had closed at the wider rate. With no closed deals at all a
rate is the configured value. A team's rate (the team of the deal's owner) is shrunk towards the
company's rate the same way; it is shown, not used by the forecast (``docs/forecast.md``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from sqlalchemy import Connection, case, func, or_, select

from sqo.analytics.breakdowns import attributes
from sqo.analytics.milestones import stage_ladder
from sqo.domain.stages import StageKind, StageModel
from sqo.store import intervals as hi
from sqo.store import tables as t

PRIOR_DEALS = 20


@dataclass(frozen=True)
class StageRate:
    stage: str
    segment: str | None  # None: the company
    configured: float  # the stage model's probability
    reached: int  # closed deals that reached the stage
    won: int
    observed: float | None  # won / reached, before shrinking
    rate: float  # the learned rate used
    team: str | None = None  # set on a team's rate (its segment is then None)
    # Fewer than PRIOR_DEALS closed deals behind a segment's or team's rate: the wider rate
    # weighs at least as much as its own deals.
    small: bool = False

    @property
    def company_wide(self) -> bool:
        return self.segment is None and self.team is None


@dataclass(frozen=True)
class ClosedReach:
    """Closed deals by segment and team, the highest step of the stage ladder they reached, and
    outcome."""

    segment: str | None
    top: int
    won: bool
    deals: int
    team: str | None = None


def closed_reach(connection: Connection, model: StageModel, as_of: datetime) -> list[ClosedReach]:
    """Counts per (segment, highest step reached, won or lost) of the deals closed by
    ``as_of``: a few dozen rows, whatever the number of deals."""
    ladder = stage_ladder(model)
    h = hi.history_intervals
    current = or_(h.c.valid_until.is_(None), h.c.valid_until > as_of)
    per_deal = (
        select(
            h.c.record_id,
            func.max(case(ladder.highest_step, value=h.c.new_value, else_=None)).label("top"),
            func.max(case((current, h.c.new_value))).label("outcome"),
        )
        .where(h.c.record_type == "opportunity", h.c.field == "stage", h.c.valid_from <= as_of)
        .group_by(h.c.record_id)
        .subquery("reach")
    )
    attrs = attributes(per_deal, ("segment", "team"), key_column="record_id")
    segment, team = attrs.columns["segment"], attrs.columns["team"]
    query = (
        select(segment, team, per_deal.c.top, per_deal.c.outcome, func.count())
        .select_from(attrs.source)
        .where(
            per_deal.c.outcome.in_((model.won_stage().name, model.lost_stage().name)),
            per_deal.c.top.is_not(None),
        )
        .group_by(segment, team, per_deal.c.top, per_deal.c.outcome)
    )
    won = model.won_stage().name
    return [
        ClosedReach(seg, int(top), outcome == won, int(n), team_name)
        for seg, team_name, top, outcome, n in connection.execute(query)
    ]


def shrunk(won: int, reached: int, prior: float, strength: float = PRIOR_DEALS) -> float:
    """``won / reached`` pulled towards ``prior`` as if ``strength`` more deals closed at it."""
    return (won + strength * prior) / (reached + strength)


def _in_segment(segment: str, row: ClosedReach) -> bool:
    return row.segment == segment


def _in_team(team: str, row: ClosedReach) -> bool:
    return row.team == team


def learn_rates(
    model: StageModel, reach: Iterable[ClosedReach], *, by_team: bool = False
) -> list[StageRate]:
    """Company and per-segment rates for every open opportunity stage, and per team when
    ``by_team`` (pure)."""
    ladder = stage_ladder(model)
    rows = list(reach)
    segments = sorted({r.segment for r in rows if r.segment is not None})
    teams = sorted({r.team for r in rows if r.team is not None}) if by_team else []
    result: list[StageRate] = []
    for stage in model.stages:
        if stage.kind is not StageKind.OPPORTUNITY:
            continue
        step = ladder.index(stage.name)

        def counts(keep: Callable[[ClosedReach], bool], step: int = step) -> tuple[int, int]:
            mine = [r for r in rows if r.top >= step and keep(r)]
            return sum(r.deals for r in mine if r.won), sum(r.deals for r in mine)

        won, reached = counts(lambda r: True)
        company = shrunk(won, reached, stage.probability)
        result.append(
            StageRate(
                stage.name,
                None,
                stage.probability,
                reached,
                won,
                won / reached if reached else None,
                company,
            )
        )
        groups: list[tuple[str | None, str | None, partial[bool]]] = [
            (segment, None, partial(_in_segment, segment)) for segment in segments
        ]
        groups += [(None, team, partial(_in_team, team)) for team in teams]
        for segment, team, keep in groups:
            won, reached = counts(keep)
            result.append(
                StageRate(
                    stage.name,
                    segment,
                    stage.probability,
                    reached,
                    won,
                    won / reached if reached else None,
                    shrunk(won, reached, company),
                    team=team,
                    small=reached < PRIOR_DEALS,
                )
            )
    return result


def rate_lookup(rates: Iterable[StageRate]) -> Mapping[tuple[str, str | None], float]:
    """(stage, segment) -> rate, with (stage, None) the company's; team rates are left out."""
    return {(r.stage, r.segment): r.rate for r in rates if r.team is None}


def rate_for(
    lookup: Mapping[tuple[str, str | None], float], stage: str, segment: str | None
) -> float:
    found = lookup.get((stage, segment))
    return found if found is not None else lookup.get((stage, None), 0.0)


def stage_rate_chances(
    model: StageModel, connection: Connection, as_of: datetime, opportunity_ids: list[int]
) -> dict[int, float]:
    """Each of these opportunities' learned stage rate for its current stage and segment (near
    misses show it beside the gate score): two small queries whatever the number of deals."""
    if not opportunity_ids:
        return {}
    lookup = rate_lookup(learn_rates(model, closed_reach(connection, model, as_of)))
    o = t.opportunities
    deals = select(o.c.id.label("record_id"), o.c.stage).where(o.c.id.in_(opportunity_ids))
    chosen = deals.subquery("chosen")
    attrs = attributes(chosen, ("segment",), key_column="record_id")
    query = select(chosen.c.record_id, chosen.c.stage, attrs.columns["segment"]).select_from(
        attrs.source
    )
    return {
        int(i): rate_for(lookup, str(stage), segment)
        for i, stage, segment in connection.execute(query)
    }
