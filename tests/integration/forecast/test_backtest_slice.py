"""A small slice of the demo's backtest (six Mondays), held against the tables: which deals each
Monday scores, their stage then and how they ended, from SQL written here; the scores recomputed
in plain Python from the predictions."""

from __future__ import annotations

import math
import sqlite3
from datetime import date, datetime, time

import pytest

from sqo.analytics.forecast.backtest import METHODS
from sqo.domain.actor import Actor
from sqo.services.forecast_backtest import BacktestReport, backtest_report
from sqo.services.workspace import open_workspace
from tests.conftest import DemoFile

CUTOFF = datetime.combine(date(2026, 6, 30), time.max)
PIPELINE = ("SQO", "Solution", "Proposal", "Negotiation", "Commit")
CONFIGURED = {"SQO": 0.15, "Solution": 0.3, "Proposal": 0.5, "Negotiation": 0.7, "Commit": 0.9}


@pytest.fixture(scope="module")
def report(demo_file: DemoFile) -> BacktestReport:
    ws = open_workspace(str(demo_file.path))
    try:
        return backtest_report(
            ws,
            Actor("test"),
            start=date(2026, 3, 2),
            end=date(2026, 4, 6),
            as_of=CUTOFF,
            keep_predictions=True,
        )
    finally:
        ws.close()


def stage_at(db: sqlite3.Connection, moment: datetime) -> dict[int, str]:
    rows = db.execute(
        "SELECT record_id, new_value FROM history h WHERE record_type = 'opportunity' AND "
        "field = 'stage' AND changed_at <= :t AND NOT EXISTS (SELECT 1 FROM history x WHERE "
        "x.record_type = 'opportunity' AND x.record_id = h.record_id AND x.field = 'stage' AND "
        "x.changed_at <= :t AND (x.changed_at > h.changed_at OR (x.changed_at = h.changed_at "
        "AND x.id > h.id)))",
        {"t": moment.isoformat(sep=" ")},
    ).fetchall()
    return {int(r): str(s) for r, s in rows}


def test_each_monday_scores_the_open_deals_of_that_monday(
    report: BacktestReport, demo_file: DemoFile
) -> None:
    assert report.weeks == 6
    with sqlite3.connect(demo_file.path) as db:
        outcome = dict(db.execute("SELECT id, stage FROM opportunities").fetchall())
        weeks = sorted({p.week for p in report.predictions})
        assert [w.weekday() for w in weeks] == [0] * 6
        for week in weeks:
            then = stage_at(db, week)
            expected = {
                i: s for i, s in then.items() if s in PIPELINE and outcome[i] in ("Won", "Lost")
            }
            mine = [p for p in report.predictions if p.week == week and p.method == "configured"]
            assert {p.deal_id: p.stage for p in mine} == expected
            for p in mine:
                assert p.probability == CONFIGURED[p.stage]
                assert p.won == (outcome[p.deal_id] == "Won")


@pytest.mark.parametrize("method", METHODS)
def test_scores_are_those_of_the_predictions(report: BacktestReport, method: str) -> None:
    mine = [p for p in report.predictions if p.method == method]
    result = next(r for r in report.results if r.method == method)
    assert result.rows == len(mine) > 100
    brier = sum((p.probability - p.won) ** 2 for p in mine) / len(mine)
    assert result.brier == pytest.approx(brier)
    clipped = [min(max(p.probability, 1e-6), 1 - 1e-6) for p in mine]
    loss = -sum(
        math.log(q) if p.won else math.log(1 - q) for p, q in zip(mine, clipped, strict=True)
    ) / len(mine)
    assert result.log_loss == pytest.approx(loss)
    for b in result.reliability:
        inside = [
            p
            for p in mine
            if b.low <= p.probability < b.high or (b.high == 1 and p.probability == 1)
        ]
        assert b.deals == len(inside)
        if inside:
            assert b.observed == pytest.approx(sum(p.won for p in inside) / len(inside))
    assert 0 <= (result.coverage or 0) <= 1


def test_the_winner_is_the_lowest_brier(report: BacktestReport) -> None:
    best = min(report.results, key=lambda r: r.brier or 1)
    assert report.winner == best.method
