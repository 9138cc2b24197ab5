"""Win rates and cycles computed without the deals that missing stage history hides are
withheld, with the reason and the fix; a workspace with real history keeps its verdicts."""

from __future__ import annotations

from datetime import datetime

import pytest

from sqo.services import analytics
from tests.factories import org
from tests.integration.analytics.helpers import day, move, opp

T0 = datetime(2025, 1, 6, 9, 0)
AS_OF = datetime(2025, 12, 1)


@pytest.fixture(autouse=True)
def _people(workspace, actor):
    org(workspace, actor)


def _won(ws, actor, n: int) -> None:
    for i in range(n):
        deal = opp(ws, actor, f"Won {i}", day(T0, i), "Qualification")
        move(ws, actor, deal, "SQO", day(T0, i + 3))
        move(ws, actor, deal, "Won", day(T0, i + 30))


def _lost_before_sqo(ws, actor, n: int) -> None:
    for i in range(n):
        deal = opp(ws, actor, f"Lost {i}", day(T0, i), "Qualification")
        move(ws, actor, deal, "Lost", day(T0, i + 20))


def _verdict(report, metric: str):
    (found,) = [v for v in report.verdicts if v.metric == metric and v.segment is None]
    return found


def test_no_loss_reached_sqo_while_wins_did_withholds_the_win_rate(workspace, actor):
    _won(workspace, actor, 3)
    _lost_before_sqo(workspace, actor, 2)
    funnel = analytics.funnel(workspace, actor, as_of=AS_OF)
    (rate,) = funnel.win_rates
    assert (rate.won, rate.lost, rate.rate) == (3, 0, None)
    assert any("--start-stage SQO" in note for note in funnel.notes)
    report = analytics.benchmark_report(workspace, actor, as_of=AS_OF)
    win = _verdict(report, "sqo_win_rate")
    assert (win.value, win.status) == (None, None)
    assert "none of the 2 lost deals reached SQO" in win.sentence
    cycle = _verdict(report, "sales_cycle")  # the wins have their history: not withheld,
    assert cycle.value is not None and cycle.sample == 3  # only too few for a verdict


def test_one_loss_after_sqo_keeps_the_win_rate(workspace, actor):
    _won(workspace, actor, 3)
    _lost_before_sqo(workspace, actor, 2)
    deal = opp(workspace, actor, "Lost late", day(T0, 1), "Qualification")
    move(workspace, actor, deal, "SQO", day(T0, 4))
    move(workspace, actor, deal, "Lost", day(T0, 40))
    (rate,) = analytics.funnel(workspace, actor, as_of=AS_OF).win_rates
    assert (rate.won, rate.lost, rate.rate) == (3, 1, 3 / 4)
    report = analytics.benchmark_report(workspace, actor, as_of=AS_OF)
    assert _verdict(report, "sqo_win_rate").value == 3 / 4
    assert not any("withheld" in note for note in report.notes)


def test_wins_without_a_stage_before_the_win_withhold_the_cycle(workspace, actor):
    _won(workspace, actor, 1)
    for i in range(2):  # won in their first stage row: 0 days by construction
        opp(workspace, actor, f"Won at once {i}", day(T0, 50 + i), "Won")
    deal = opp(workspace, actor, "Lost late", day(T0, 1), "Qualification")
    move(workspace, actor, deal, "SQO", day(T0, 4))
    move(workspace, actor, deal, "Lost", day(T0, 40))
    funnel = analytics.funnel(workspace, actor, as_of=AS_OF)
    (cycle,) = funnel.cycles
    assert (cycle.won, cycle.median_days, cycle.mean_days) == (3, None, None)
    assert any("2 of the 3 won deals" in note for note in funnel.notes)
    report = analytics.benchmark_report(workspace, actor, as_of=AS_OF)
    assert _verdict(report, "sales_cycle").status is None
    assert _verdict(report, "sqo_win_rate").value == 3 / 4
