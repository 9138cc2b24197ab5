"""Saved forecasts and their accuracy, on SQLite and PostgreSQL: the baseline is the first of a
period, and each saved forecast is held against the won amount summed here."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from sqo.domain.actor import Actor
from sqo.services import opportunities
from sqo.services.forecast import forecast_report
from sqo.services.forecast_accuracy import accuracy_report, save_forecast
from sqo.services.workspace import Workspace
from tests import factories

T0 = datetime(2026, 4, 2, 9, 0)
DAY = timedelta(days=1)


def test_saved_forecasts_against_what_was_won(any_workspace: Workspace, actor: Actor) -> None:
    ws = any_workspace
    factories.org(ws, actor)
    deals = [
        factories.opportunity(
            ws,
            actor,
            f"Deal {n}",
            at=T0,
            amount=str(amount),
            moves=[("SQO", DAY), ("Proposal", 2 * DAY)],
            close_date="2026-06-15",
        )
        for n, amount in enumerate((10_000, 30_000, 60_000))
    ]
    first = forecast_report(ws, actor, period="2026-Q2", as_of=T0 + 5 * DAY)
    again = forecast_report(ws, actor, period="2026-Q2", as_of=T0 + 6 * DAY, method="configured")
    saved = [save_forecast(ws, actor, first), save_forecast(ws, actor, again)]
    assert [s.baseline for s in saved] == [True, False]
    opportunities.move_opportunity(ws, actor, deals[1].id, "Won", at=T0 + 20 * DAY)
    opportunities.move_opportunity(
        ws, actor, deals[2].id, "Lost", at=T0 + 21 * DAY, loss_reason="price"
    )
    assert accuracy_report(ws, actor, as_of=datetime(2026, 6, 30)).forecasts == []  # not over
    report = accuracy_report(ws, actor, as_of=datetime(2026, 7, 2))
    actual = 3_000_000
    assert [h.actual_cents for h in report.forecasts] == [actual, actual]
    for held, made in zip(report.forecasts, (first, again), strict=True):
        assert held.expected_cents == made.expected_cents
        assert held.error_cents == made.expected_cents - actual
        assert held.hit == (abs(made.expected_cents - actual) <= 0.1 * actual)
        assert held.inside == (made.p10_cents <= actual <= made.p90_cents)
    overall = next(g for g in report.groups if g.by == "all")
    errors = [f.expected_cents - actual for f in (first, again)]
    assert overall.wape == pytest.approx(sum(abs(e) for e in errors) / (2 * actual))
    assert overall.bias == pytest.approx(sum(errors) / (2 * actual))
    methods = {g.value: g.forecasts for g in report.groups if g.by == "method"}
    assert methods == {first.method: 1, "configured": 1} or methods == {"configured": 2}
    only = accuracy_report(ws, actor, as_of=datetime(2026, 7, 2), baselines=True)
    assert [h.id for h in only.forecasts] == [saved[0].id]
