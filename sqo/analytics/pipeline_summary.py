"""The pipeline at a glance: open deals per stage with their value, and what closed.

Two GROUP BY queries over the current state, or (``as_of``) over the states history gives for
that moment; nothing is loaded row by row. Amounts are in the corporate currency
(``sqo.analytics.currency``): open deals at the day's rate, closed deals at the rate of their
close date. As of a past moment a deal is weighted by its stage's probability (probability edits
are not part of the analytics history).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, case, func, literal, select

from sqo.analytics.currency import LeftOut, deal_value, left_out
from sqo.analytics.states import last_values, states_at
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
    connection: Connection,
    model: StageModel,
    currency: str,
    *,
    today: date | None = None,
    as_of: datetime | None = None,
) -> PipelineSummary:
    """``currency`` is the corporate currency every amount is converted to; ``as_of`` gives the
    pipeline as it stood then, rebuilt from history."""
    o = t.opportunities
    day = as_of.date() if as_of else today or utc_now().date()
    stage: ColumnElement[Any]
    amount_cents: ColumnElement[Any]
    close_date: ColumnElement[Any]
    probability: ColumnElement[Any]
    if as_of is None:
        stage, amount_cents, close_date = o.c.stage, o.c.amount_cents, o.c.close_date
        probability = func.coalesce(o.c.probability, 0)
        source: Any = o
    else:
        then = states_at(as_of, ("stage", "amount_cents", "close_date"), "then")
        stage, amount_cents, close_date = then.c.stage, then.c.amount_cents, then.c.close_date
        probability = case(
            *((stage == s.name, literal(s.probability)) for s in model.opportunity_stages()),
            else_=literal(0.0),
        )
        source = then.join(o, o.c.id == then.c.record_id)
    value = deal_value(
        amount_cents, o.c.currency, stage, close_date, as_of=day, model=model, corporate=currency
    )
    amount = value.amount
    weighted = amount * probability
    query = (
        select(stage, func.count(), func.sum(amount), func.sum(weighted))
        .select_from(source)
        .group_by(stage)
    )
    counts = {s: (n, int(a or 0), int(w or 0)) for s, n, a, w in connection.execute(query)}
    lines = [
        StageLine(s.name, s.kind, *counts.get(s.name, (0, 0, 0)))
        for s in model.opportunity_stages()
    ]
    leads = _leads_by_stage(connection, model, as_of)
    missing = (
        select(o.c.currency, func.count())
        .select_from(source)
        .where(value.unrated)
        .group_by(o.c.currency)
    )
    return PipelineSummary(
        lines=lines,
        leads_by_stage=leads,
        currency=currency,
        left_out=left_out(connection.execute(missing).tuples()),
    )


def _leads_by_stage(
    connection: Connection, model: StageModel, as_of: datetime | None
) -> dict[str, int]:
    """Leads per stage, those converted into an opportunity counted apart as ``converted``."""
    ld = t.leads
    stage: ColumnElement[Any]
    converted: ColumnElement[Any]
    if as_of is None:
        stage, converted = ld.c.stage, ld.c.converted_opportunity_id
        source: Any = ld
    else:
        fields = ("stage", "converted_opportunity_id")
        latest = last_values("lead", as_of, fields, "lead_then")
        stage, converted = latest.c.stage, latest.c.converted_opportunity_id
        source = latest
    by_stage = {
        s: n
        for s, n in connection.execute(
            select(stage, func.count())
            .select_from(source)
            .where(converted.is_(None))
            .group_by(stage)
        )
    }
    result = {s.name: by_stage.get(s.name, 0) for s in model.lead_stages()}
    result["converted"] = int(
        connection.execute(
            select(func.count()).select_from(source).where(converted.is_not(None))
        ).scalar_one()
    )
    return result
