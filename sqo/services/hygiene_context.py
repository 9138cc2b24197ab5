"""What the hygiene rules need besides the deals' facts: the buying roles each deal's playbook
expects, the won-cycle p90 per segment (the funnel's cycle definition) and, for pipeline bloat,
coverage per rep and team (the coverage definition)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial

from sqo.analytics.coverage import CoverageLine, coverage
from sqo.analytics.funnel import cycles
from sqo.analytics.milestone_table import materialized
from sqo.analytics.milestones import milestone_ladder
from sqo.analytics.periods import quarter_bounds
from sqo.domain.hygiene.facts import DealFacts, OwnerLoad
from sqo.domain.hygiene.findings import Finding
from sqo.domain.hygiene.roles import expected_roles
from sqo.services.analytics_source import analytics_connection
from sqo.services.qualification import gate_settings
from sqo.services.workspace import Workspace
from sqo.store.unit_of_work import UnitOfWork

RoleExpectation = partial[tuple[tuple[str, ...], ...]]


def role_expectation(uow: UnitOfWork) -> RoleExpectation:
    """The workspace's playbook and overrides, as a function of a deal's values."""
    settings = gate_settings(uow)
    return partial(expected_roles, settings.playbook, settings.overrides)


@dataclass(frozen=True)
class AnalyticsInputs:
    """What the rules read from the funnel and coverage analytics: the won-cycle p90 per segment
    (None: the whole company) with how many won deals it comes from, and coverage lines of the
    quarter of the as-of day."""

    p90_cycle: Mapping[str | None, tuple[float, int]]
    coverage: list[CoverageLine]
    period: tuple[date, date]


def analytics_inputs(
    ws: Workspace, as_of: datetime, *, cycle: bool, bloat: bool
) -> AnalyticsInputs:
    """One analytics session (the copy brought up to date once) for both: the funnel's cycle
    over the milestones it keeps between commands, and the coverage per rep and team."""
    start, end = quarter_bounds(as_of.date())
    found: dict[str | None, tuple[float, int]] = {}
    lines: list[CoverageLine] = []
    if not cycle and not bloat:
        return AnalyticsInputs(found, lines, (start, end))
    ladder = milestone_ladder(ws.stage_model)
    with analytics_connection(ws) as connection:
        if cycle:
            with materialized(connection, ladder, as_of, ("segment",), kept=True) as times:
                by_segment = cycles(connection, ladder, as_of, keys=("segment",), milestones=times)
                overall = cycles(connection, ladder, as_of, milestones=times)
            for row in by_segment:
                segment = row.group.get("segment")
                if segment is not None and row.p90_days is not None:
                    found[str(segment)] = (float(row.p90_days), int(row.won))
            for row in overall:  # deals without a segment are held against the whole company
                if row.p90_days is not None:
                    found[None] = (float(row.p90_days), int(row.won))
        if bloat:
            currency = ws.default_currency
            lines = coverage(connection, ws.stage_model, start, end, as_of, currency=currency)
    return AnalyticsInputs(found, lines, (start, end))


def owner_loads(
    inputs: AnalyticsInputs,
    deals: Sequence[DealFacts],
    findings: Sequence[Finding],
    *,
    team: str | None,
    rep: str | None,
) -> list[OwnerLoad]:
    """Pipeline bloat's facts per rep and team: coverage of the quarter of the as-of day (the
    coverage definition of ``sqo coverage``) and how many of their open SQOs have a finding."""
    start, end = inputs.period
    lines = inputs.coverage
    flagged = {f.opportunity_id for f in findings if f.opportunity_id is not None}
    per_rep: dict[str | None, list[DealFacts]] = {}
    per_team: dict[str | None, list[DealFacts]] = {}
    rep_ids: dict[str, int] = {}
    for d in deals:
        if not d.is_sqo:
            continue
        per_rep.setdefault(d.owner_name, []).append(d)
        per_team.setdefault(d.team_name, []).append(d)
        if d.owner_name is not None and d.owner_id is not None:
            rep_ids[d.owner_name] = d.owner_id
    loads = []
    for line in lines:
        if line.level == "company" or line.name is None:
            continue
        if (team is not None and line.team != team) or (rep is not None and line.level == "team"):
            continue
        if rep is not None and line.name != rep:
            continue
        mine = (per_rep if line.level == "rep" else per_team).get(line.name, [])
        loads.append(
            OwnerLoad(
                level=line.level,
                name=line.name,
                team_name=line.team,
                coverage=line.coverage,
                open_sqo_cents=line.open_sqo_cents,
                remaining_cents=line.remaining_cents,
                open_sqos=len(mine),
                unhealthy_sqos=sum(1 for d in mine if d.opportunity_id in flagged),
                period_start=start,
                period_end=end,
                rep_id=rep_ids.get(line.name) if line.level == "rep" else None,
                deal_ids=tuple(d.opportunity_id for d in mine),
            )
        )
    return loads
