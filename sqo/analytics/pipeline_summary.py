"""The pipeline at a glance: open deals per stage with their value, and what closed.

Two GROUP BY queries over the current state; nothing is loaded row by row. Amounts are in the
corporate currency (``sqo.analytics.currency``): open deals at today's rate, closed deals at the
rate of their close date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Connection, func, select

from sqo.analytics.currency import LeftOut, deal_value, left_out
from sqo.domain.stages import StageKind, StageModel
from sqo.domain.values import utc_now
from sqo.store import tables as t


@dataclass(frozen=True)
class StageLine:
    stage: str
    kind: StageKind
    deals: int
    amount_cents: int
    weighted_cents: int


@dataclass(frozen=True)
class PipelineSummary:
    lines: list[StageLine]
    leads_by_stage: dict[str, int]
    currency: str
    left_out: list[LeftOut] = field(default_factory=list)  # amounts not converted: no rate

    @property
    def open_lines(self) -> list[StageLine]:
        return [x for x in self.lines if x.kind is StageKind.OPPORTUNITY]

    def total(self, kind: StageKind) -> StageLine:
        lines = [x for x in self.lines if x.kind is kind]
        return StageLine(
            kind.value,
            kind,
            sum(x.deals for x in lines),
            sum(x.amount_cents for x in lines),
            sum(x.weighted_cents for x in lines),
        )

    @property
    def win_rate(self) -> float | None:
        won, lost = self.total(StageKind.WON).deals, self.total(StageKind.LOST).deals
        return won / (won + lost) if won + lost else None


def pipeline_summary(
    connection: Connection, model: StageModel, currency: str, *, today: date | None = None
) -> PipelineSummary:
    """``currency`` is the corporate currency every amount is converted to."""
    o = t.opportunities
    value = deal_value(
        o.c.amount_cents,
        o.c.currency,
        o.c.stage,
        o.c.close_date,
        as_of=today or utc_now().date(),
        model=model,
        corporate=currency,
    )
    amount = value.amount
    weighted = amount * func.coalesce(o.c.probability, 0)
    query = select(o.c.stage, func.count(), func.sum(amount), func.sum(weighted)).group_by(
        o.c.stage
    )
    counts = {stage: (n, int(a or 0), int(w or 0)) for stage, n, a, w in connection.execute(query)}
    lines = [
        StageLine(s.name, s.kind, *counts.get(s.name, (0, 0, 0)))
        for s in model.opportunity_stages()
    ]
    lq = (
        select(t.leads.c.stage, func.count())
        .where(t.leads.c.converted_opportunity_id.is_(None))
        .group_by(t.leads.c.stage)
    )
    converted = select(func.count()).where(t.leads.c.converted_opportunity_id.is_not(None))
    leads = {stage: n for stage, n in connection.execute(lq)}
    leads_by_stage = {s.name: leads.get(s.name, 0) for s in model.lead_stages()}
    leads_by_stage["converted"] = int(connection.execute(converted).scalar_one())
    missing = select(o.c.currency, func.count()).where(value.unrated).group_by(o.c.currency)
    return PipelineSummary(
        lines=lines,
        leads_by_stage=leads_by_stage,
        currency=currency,
        left_out=left_out(connection.execute(missing).tuples()),
    )
