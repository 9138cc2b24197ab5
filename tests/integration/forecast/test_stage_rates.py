"""Learned stage rates and the forecast on a small hand-built workspace, on SQLite and
PostgreSQL: counted "as reached" here in plain Python from the paths the deals took."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqo.analytics.forecast.stage_rates import PRIOR_DEALS
from sqo.domain.actor import Actor
from sqo.services import directory
from sqo.services.forecast import forecast_report
from sqo.services.workspace import Workspace
from tests import factories

T0 = datetime(2026, 1, 5, 9, 0)
DAY = timedelta(days=1)
OPEN = ["Qualification", "SQO", "Solution", "Proposal", "Negotiation", "Commit"]
CONFIGURED = dict(zip(OPEN, (0.05, 0.15, 0.3, 0.5, 0.7, 0.9), strict=True))
# (account, the stages moved through after Qualification); the last is the outcome
PATHS = [
    ("Acme", ["SQO", "Solution", "Won"]),
    ("Acme", ["SQO", "Lost"]),
    ("Acme", ["SQO", "Solution", "Proposal", "Lost"]),
    ("Acme", ["Lost"]),
    ("Globex", ["SQO", "Proposal", "Won"]),  # skips Solution: counts as passed
    ("Globex", ["SQO", "Solution", "Lost"]),
    ("Globex", ["SQO", "Won"]),
]


def build(ws: Workspace, actor: Actor) -> None:
    factories.org(ws, actor)
    for n, (account, path) in enumerate(PATHS):
        moves = [(stage, (i + 1) * 3 * DAY) for i, stage in enumerate(path)]
        factories.opportunity(
            ws, actor, f"Closed {n}", at=T0, account=account, moves=moves, close_date="2026-03-01"
        )
    factories.opportunity(
        ws,
        actor,
        "Open",
        at=T0,
        account="Globex",
        amount="50000",
        moves=[("SQO", DAY), ("Proposal", 2 * DAY)],
        close_date="2026-06-20",
    )
    directory.set_quota(
        ws,
        actor,
        amount="100000",
        period_start="2026-04-01",
        period_end="2026-06-30",
        rep="Ann Lee",
    )


def reached(path: list[str], stage: str) -> bool:
    if path[-1] == "Won":
        return True
    top = max(OPEN.index(s) for s in ["Qualification", *path[:-1]])
    return OPEN.index(stage) <= top


def expected_rate(stage: str, segment: str | None) -> float:
    def counts(rows: list[tuple[str, list[str]]]) -> tuple[int, int]:
        mine = [p for _a, p in rows if reached(p, stage)]
        return sum(p[-1] == "Won" for p in mine), len(mine)

    won, n = counts(PATHS)
    company = (won + PRIOR_DEALS * CONFIGURED[stage]) / (n + PRIOR_DEALS)
    if segment is None:
        return company
    account = {"SMB": "Acme", "enterprise": "Globex"}[segment]
    won, n = counts([x for x in PATHS if x[0] == account])
    return (won + PRIOR_DEALS * company) / (n + PRIOR_DEALS)


def test_learned_rates_and_the_forecast(any_workspace: Workspace, actor: Actor) -> None:
    build(any_workspace, actor)
    as_of = datetime(2026, 5, 1)
    report = forecast_report(any_workspace, actor, period="2026-Q2", rep="Ann Lee", as_of=as_of)
    for rate in report.stage_rates:
        assert abs(rate.rate - expected_rate(rate.stage, rate.segment)) < 1e-12, rate
        assert rate.configured == CONFIGURED[rate.stage]
    solution = next(r for r in report.stage_rates if r.stage == "Solution" and r.segment is None)
    assert (solution.reached, solution.won) == (5, 3)
    (deal,) = report.deals
    assert deal.name == "Open" and deal.segment == "enterprise"
    assert deal.probability == expected_rate("Proposal", "enterprise")
    assert report.expected_cents == round(5_000_000 * deal.probability * deal.timing_probability)
    assert report.quota_cents == 10_000_000 and report.won_cents == 0
