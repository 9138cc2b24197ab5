"""Pipeline change (waterfall) and coverage on hand-built histories, SQLite and PostgreSQL.

Window 2026-02-01 .. 2026-02-28, close window Q1 2026 (the default: the quarters of the dates).
  P1 SQO $1,000 closing 03-15, untouched              -> in at start and end
  P2 SQO $2,000 closing 03-20, amount 2,500 on 02-10  -> amount change +500
  P3 SQO $3,000 closing 03-01, Won 02-15              -> won -3,000
  P4 SQO $4,000 closing 03-10, 3,500 on 02-05, Lost 02-20 -> change -500, lost -3,500
  P5 SQO $5,000 closing 03-31, close date 04-15 on 02-12  -> pushed out -5,000
  P6 SQO $600 closing 05-01, close date 03-05 on 02-08    -> pulled in +600
  P7 created at SQO on 02-03, $700 closing 03-30          -> created +700
  P8 Qualification $800 closing 03-15, SQO on 02-09       -> created (newly qualified) +800
  P9 SQO $900 closing 03-12, back to Qualification 02-11  -> moved below SQO -900
  P10 created 03-02                                       -> outside the window
Start 15,900 (6 deals); end 1,000 + 2,500 + 600 + 700 + 800 = 5,600 (5 deals).
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from sqo.services import analytics, directory
from tests.conftest import T0
from tests.factories import org
from tests.integration.analytics.helpers import edit, move, opp


def at(month: int, dom: int) -> datetime:
    return datetime(2026, month, dom, 10, 0)


@pytest.fixture
def pipeline(any_workspace, actor):
    ws = any_workspace
    org(ws, actor)
    ids = {}
    ids["P1"] = opp(ws, actor, "P1", T0, "SQO", amount="1000", close_date="2026-03-15")
    ids["P2"] = opp(ws, actor, "P2", T0, "SQO", amount="2000", close_date="2026-03-20")
    edit(ws, actor, ids["P2"], at(2, 10), amount="2500")
    ids["P3"] = opp(ws, actor, "P3", T0, "SQO", amount="3000", close_date="2026-03-01")
    move(ws, actor, ids["P3"], "Won", at(2, 15))
    ids["P4"] = opp(ws, actor, "P4", T0, "SQO", amount="4000", close_date="2026-03-10")
    edit(ws, actor, ids["P4"], at(2, 5), amount="3500")
    move(ws, actor, ids["P4"], "Lost", at(2, 20))
    ids["P5"] = opp(ws, actor, "P5", T0, "SQO", amount="5000", close_date="2026-03-31")
    edit(ws, actor, ids["P5"], at(2, 12), close_date="2026-04-15")
    ids["P6"] = opp(ws, actor, "P6", T0, "SQO", amount="600", close_date="2026-05-01")
    edit(ws, actor, ids["P6"], at(2, 8), close_date="2026-03-05")
    ids["P7"] = opp(ws, actor, "P7", at(2, 3), "SQO", amount="700", close_date="2026-03-30")
    ids["P8"] = opp(ws, actor, "P8", T0, "Qualification", amount="800", close_date="2026-03-15")
    move(ws, actor, ids["P8"], "SQO", at(2, 9))
    ids["P9"] = opp(ws, actor, "P9", T0, "SQO", amount="900", close_date="2026-03-12")
    move(ws, actor, ids["P9"], "Qualification", at(2, 11))
    ids["P10"] = opp(ws, actor, "P10", at(3, 2), "SQO", amount="50", close_date="2026-03-20")
    return ws, ids


def test_waterfall_bars_reconcile_exactly(pipeline, actor):
    ws, _ids = pipeline
    change = analytics.pipeline_change_report(
        ws, actor, start=date(2026, 2, 1), end=date(2026, 2, 28), limit=10
    )
    assert (change.close_from, change.close_to) == (date(2026, 1, 1), date(2026, 3, 31))
    bars = {b.name: b for b in change.bars}
    assert (change.start_cents, change.start_deals) == (1_590_000, 6)
    assert (change.end_cents, change.end_deals) == (560_000, 5)
    expected = {
        "created": (150_000, 2),
        "pulled_in": (60_000, 1),
        "amount_changes": (0, 2),  # +500 (P2) and -500 (P4)
        "pushed_out": (-500_000, 1),
        "won": (-300_000, 1),
        "lost": (-350_000, 1),
        "demoted": (-90_000, 1),
    }
    assert {k: (b.amount_cents, b.deals) for k, b in bars.items()} == expected
    assert change.reconciles
    names = {k: sorted(d.name for d in b.opportunities) for k, b in bars.items()}
    assert names["created"] == ["P7", "P8"]
    assert names["amount_changes"] == ["P2", "P4"]
    changes = {d.name: d.amount_cents for d in bars["amount_changes"].opportunities}
    assert changes == {"P2": 50_000, "P4": -50_000}
    assert names["pushed_out"] == ["P5"] and names["pulled_in"] == ["P6"]


def test_coverage_per_rep_team_and_company(pipeline, actor):
    ws, _ids = pipeline
    directory.set_quota(
        ws, actor, rep="Ann Lee", period_start="2026-01-01", period_end="2026-03-31", amount="10000"
    )
    directory.set_quota(
        ws, actor, rep="Bo Ek", period_start="2026-01-01", period_end="2026-03-31", amount="2000"
    )
    report = analytics.coverage_report(ws, actor, as_of=at(2, 28))
    lines = {(x.level, x.name): x for x in report.lines}
    ann = lines[("rep", "Ann Lee")]
    # as of 02-28, Ann's open SQOs closing in Q1: P1 1000, P2 2500, P6 600, P7 700, P8 800
    assert (ann.open_sqo_cents, ann.open_deals) == (560_000, 5)
    assert ann.won_cents == 300_000  # P3, won 02-15
    assert ann.remaining_cents == 700_000
    assert ann.coverage == pytest.approx(0.8)
    bo = lines[("rep", "Bo Ek")]
    assert (bo.open_sqo_cents, bo.quota_cents, bo.coverage) == (0, 200_000, 0.0)
    team = lines[("team", "Nordics")]
    assert team.quota_cents == 1_200_000 and team.remaining_cents == 900_000
    company = lines[("company", None)]
    assert company.coverage == pytest.approx(560_000 / 900_000)
