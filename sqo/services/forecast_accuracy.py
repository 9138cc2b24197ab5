"""Frozen forecasts and how good they were: `sqo forecast --save` and `sqo forecast accuracy`.

A saved forecast keeps its figures, method and the whole report (its inputs: every deal's
probabilities) in ``saved_forecasts``; the first saved for a period and scope (company, team or
rep) is that period's **baseline**. Accuracy holds each saved forecast of a period that has ended
against what was actually won in it (the same "won" the forecast counts: closed won in the period,
as coverage reads it), for that scope:

- error = expected - actual (positive: the forecast was too high);
- WAPE = sum |error| / sum actual; bias = sum error / sum actual (signed);
- hit = |error| <= 10% of actual; inside = P10 <= actual <= P90;

per method, team and period (and overall).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from sqo.analytics.coverage import CoverageLine, coverage
from sqo.domain.actor import Actor
from sqo.domain.audit import AuditAction, audit_entry
from sqo.domain.values import utc_now
from sqo.i18n import _
from sqo.services.forecast_reports import ForecastReport
from sqo.services.public import public_dict
from sqo.services.workspace import Workspace
from sqo.store import tables as t

HIT = 0.10


@dataclass(frozen=True)
class SavedForecast:
    id: int
    period: str
    team: str | None
    rep: str | None
    baseline: bool

    def to_dict(self) -> dict[str, Any]:
        return public_dict(self)


def save_forecast(ws: Workspace, actor: Actor, report: ForecastReport) -> SavedForecast:
    """Keep ``report`` as it is; the first for its period and scope becomes the baseline."""
    s = t.saved_forecasts
    now = utc_now()
    with ws.unit_of_work() as uow:
        earlier = uow.connection.execute(
            select(s.c.id)
            .where(
                s.c.period == report.period,
                s.c.team.is_(None) if report.team is None else s.c.team == report.team,
                s.c.rep.is_(None) if report.rep is None else s.c.rep == report.rep,
            )
            .limit(1)
        ).first()
        baseline = earlier is None
        new_id = uow.connection.execute(
            s.insert()
            .values(
                saved_at=now,
                actor=actor.name,
                period=report.period,
                period_start=report.period_start,
                period_end=report.period_end,
                team=report.team,
                rep=report.rep,
                as_of=report.as_of,
                method=report.method,
                currency=report.currency,
                won_cents=report.won_cents,
                expected_cents=report.expected_cents,
                p10_cents=report.p10_cents,
                p50_cents=report.p50_cents,
                p90_cents=report.p90_cents,
                baseline=baseline,
                report=report.to_dict(),
            )
            .returning(s.c.id)
        ).scalar_one()
        uow.audit.add(
            audit_entry(
                AuditAction.FORECAST_SAVED,
                actor,
                now,
                forecast_id=new_id,
                period=report.period,
                team=report.team,
                rep=report.rep,
                baseline=baseline,
            )
        )
        uow.commit()
    return SavedForecast(new_id, report.period, report.team, report.rep, baseline)


@dataclass(frozen=True)
class Held:
    """One saved forecast against what was actually won."""

    id: int
    period: str
    team: str | None
    rep: str | None
    method: str
    as_of: datetime
    baseline: bool
    expected_cents: int
    p10_cents: int
    p90_cents: int
    actual_cents: int
    error_cents: int
    hit: bool
    inside: bool


@dataclass(frozen=True)
class Accuracy:
    """Saved forecasts of one group (a method, a team, a period, or all) taken together."""

    by: str  # method, team, period or all
    value: str | None
    forecasts: int
    wape: float | None
    bias: float | None
    hit_rate: float
    inside_rate: float


@dataclass
class AccuracyReport:
    as_of: datetime
    currency: str
    forecasts: list[Held]
    groups: list[Accuracy]
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return public_dict(self)


def _group(by: str, value: str | None, held: list[Held]) -> Accuracy:
    actual = sum(h.actual_cents for h in held)
    errors = [h.error_cents for h in held]
    return Accuracy(
        by,
        value,
        len(held),
        sum(abs(e) for e in errors) / actual if actual else None,
        sum(errors) / actual if actual else None,
        sum(h.hit for h in held) / len(held),
        sum(h.inside for h in held) / len(held),
    )


def _groups(held: list[Held]) -> list[Accuracy]:
    found = [_group("all", None, held)] if held else []
    keys: list[tuple[str, Callable[[Held], str | None]]] = [
        ("method", lambda h: h.method),
        ("team", lambda h: h.team),
        ("period", lambda h: h.period),
    ]
    for by, key in keys:
        values = sorted({key(h) for h in held}, key=lambda v: (v is None, str(v)))
        found += [_group(by, v, [h for h in held if key(h) == v]) for v in values]
    return found


def _actual(lines: Iterable[CoverageLine], team: str | None, rep: str | None) -> int:
    for line in lines:
        if rep is not None and line.level == "rep" and line.name == rep:
            return line.won_cents
        if rep is None and team is not None and line.level == "team" and line.name == team:
            return line.won_cents
        if rep is None and team is None and line.level == "company":
            return line.won_cents
    return 0


def accuracy_report(
    ws: Workspace, actor: Actor, *, as_of: datetime | None = None, baselines: bool = False
) -> AccuracyReport:
    """Every saved forecast of a period over by ``as_of`` (only the baselines, if asked) against
    what was won in it."""
    now = as_of or utc_now()
    s = t.saved_forecasts
    query = select(s).where(s.c.period_end < now.date()).order_by(s.c.period_start, s.c.id)
    if baselines:
        query = query.where(s.c.baseline.is_(True))
    held: list[Held] = []
    with ws.unit_of_work() as uow:
        rows = uow.connection.execute(query).all()
        periods: dict[tuple[date, date], list[CoverageLine]] = {}
        for row in rows:
            key = (row.period_start, row.period_end)
            if key not in periods:  # one coverage query per period, not per forecast
                periods[key] = coverage(
                    uow.connection,
                    ws.stage_model,
                    row.period_start,
                    row.period_end,
                    now,
                    currency=ws.default_currency,
                )
            actual = _actual(periods[key], row.team, row.rep)
            error = int(row.expected_cents) - actual
            held.append(
                Held(
                    row.id,
                    row.period,
                    row.team,
                    row.rep,
                    row.method,
                    row.as_of,
                    bool(row.baseline),
                    int(row.expected_cents),
                    int(row.p10_cents),
                    int(row.p90_cents),
                    actual,
                    error,
                    abs(error) <= HIT * actual,
                    int(row.p10_cents) <= actual <= int(row.p90_cents),
                )
            )
    notes = []
    if not held:
        notes.append(
            _(
                "No saved forecast of a period that is over yet: save one with 'sqo forecast "
                "--save' and come back when its period has ended."
            )
        )
    return AccuracyReport(now, ws.default_currency, held, _groups(held), notes)
