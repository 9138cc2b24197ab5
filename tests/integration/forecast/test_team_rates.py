"""Learned stage rates by team (`sqo forecast rates --by team`) on a hand-built workspace, on
SQLite and PostgreSQL, through the analytics copy and without it: counted "as reached" here in
plain Python from the paths the deals took and who owned them."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from typer.testing import CliRunner

from sqo.cli.app import app
from sqo.domain.actor import Actor
from sqo.services import directory
from sqo.services.forecast import forecast_report
from sqo.services.forecast_rates import stage_rates_report
from sqo.services.workspace import Workspace
from tests import factories

T0 = datetime(2026, 1, 5, 9, 0)
DAY = timedelta(days=1)
OPEN = ["Qualification", "SQO", "Solution", "Proposal", "Negotiation", "Commit"]
CONFIGURED = dict(zip(OPEN, (0.05, 0.15, 0.3, 0.5, 0.7, 0.9), strict=True))
PRIOR = 20  # the documented shrinkage strength, written out rather than imported
TEAM_OF = {"Ann Lee": "Nordics", "Bo Ek": "Nordics", "Cy Ruiz": "Iberia", "Di Fox": None}
# (owner, the stages moved through after Qualification); the last is the outcome
PATHS = [
    ("Ann Lee", ["SQO", "Solution", "Won"]),
    ("Ann Lee", ["SQO", "Lost"]),
    ("Bo Ek", ["SQO", "Solution", "Proposal", "Lost"]),
    ("Bo Ek", ["Lost"]),
    ("Cy Ruiz", ["SQO", "Proposal", "Won"]),  # skips Solution: counts as passed
    ("Cy Ruiz", ["SQO", "Solution", "Lost"]),
    ("Cy Ruiz", ["SQO", "Won"]),
    ("Cy Ruiz", ["SQO", "Solution", "Proposal", "Negotiation", "Won"]),
    ("Di Fox", ["SQO", "Won"]),  # a rep in no team: in the company's rate only
    ("Di Fox", ["SQO", "Solution", "Lost"]),
]


def build(ws: Workspace, actor: Actor) -> None:
    factories.org(ws, actor)
    directory.add_team(ws, actor, "Iberia")
    directory.add_rep(ws, actor, "Cy Ruiz", email="cy@example.com", team="Iberia")
    directory.add_rep(ws, actor, "Di Fox", email="di@example.com")
    for n, (owner, path) in enumerate(PATHS):
        moves = [(stage, (i + 1) * 3 * DAY) for i, stage in enumerate(path)]
        factories.opportunity(
            ws, actor, f"Closed {n}", at=T0, owner=owner, moves=moves, close_date="2026-03-01"
        )
    factories.opportunity(
        ws,
        actor,
        "Open",
        at=T0,
        owner="Cy Ruiz",
        amount="50000",
        moves=[("SQO", DAY), ("Proposal", 2 * DAY)],
        close_date="2026-06-20",
    )


def reached(path: list[str], stage: str) -> bool:
    if path[-1] == "Won":
        return True
    top = max(OPEN.index(s) for s in ["Qualification", *path[:-1]])
    return OPEN.index(stage) <= top


def counts(stage: str, team: str | None) -> tuple[int, int]:
    mine = [p for o, p in PATHS if (team is None or TEAM_OF[o] == team) and reached(p, stage)]
    return sum(p[-1] == "Won" for p in mine), len(mine)


def expected(stage: str, team: str | None) -> float:
    won, n = counts(stage, None)
    company = (won + PRIOR * CONFIGURED[stage]) / (n + PRIOR)
    if team is None:
        return company
    won, n = counts(stage, team)
    return (won + PRIOR * company) / (n + PRIOR)


@pytest.mark.parametrize("copy", ["required", "off"])
def test_team_rates_against_plain_python(
    any_workspace: Workspace, actor: Actor, copy: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SQO_ANALYTICS_COPY", copy)
    build(any_workspace, actor)
    report = stage_rates_report(any_workspace, actor, by="team", as_of=datetime(2026, 5, 1))
    assert report.by == "team" and report.closed_sqos == 9
    seen = {(r.stage, r.team): r for r in report.rates}
    assert set(seen) == {(s, x) for s in OPEN for x in (None, "Iberia", "Nordics")}
    for (stage, team), rate in seen.items():
        assert rate.segment is None and rate.configured == CONFIGURED[stage]
        assert (rate.won, rate.reached) == counts(stage, team), (stage, team)
        assert abs(rate.rate - expected(stage, team)) < 1e-12, (stage, team)
        # every team here has fewer than 20 closed deals, so every team rate is flagged
        assert rate.small is (team is not None)
    iberia = seen["Proposal", "Iberia"]
    assert (iberia.won, iberia.reached) == (3, 3)  # a skipped Proposal counts as passed
    assert iberia.observed == 1.0 and iberia.rate < 1.0  # pulled towards the company's


def test_the_forecast_keeps_segment_rates_for_a_team(workspace: Workspace, actor: Actor) -> None:
    build(workspace, actor)
    as_of = datetime(2026, 5, 1)
    for_team = forecast_report(workspace, actor, period="2026-Q2", team="Iberia", as_of=as_of)
    company = forecast_report(workspace, actor, period="2026-Q2", as_of=as_of)
    (deal,) = for_team.deals
    assert deal.probability == company.deals[0].probability  # the same deal, the same chance
    assert deal.probability != expected("Proposal", "Iberia")
    assert {r.team for r in for_team.team_rates} == {"Iberia"}
    proposal = next(r for r in for_team.team_rates if r.stage == "Proposal")
    assert abs(proposal.rate - expected("Proposal", "Iberia")) < 1e-12
    assert company.team_rates == [] and all(r.team is None for r in company.stage_rates)


def test_cli_rates_json_and_a_wrong_breakdown(sqlite_url: str, actor: Actor) -> None:
    from sqo.services.workspace import init_workspace

    ws = init_workspace(sqlite_url, actor)
    build(ws, actor)
    ws.close()
    runner = CliRunner()
    base = ["--db", sqlite_url, "forecast", "rates"]
    done = runner.invoke(app, [*base, "--by", "team", "--as-of", "2026-05-01", "--json"])
    assert done.exit_code == 0, done.output
    data = json.loads(done.stdout)
    nordics = next(r for r in data["rates"] if r["stage"] == "SQO" and r["team"] == "Nordics")
    assert (nordics["won"], nordics["reached"], nordics["small"]) == (1, 3, True)
    shown = runner.invoke(app, [*base, "--by", "team", "--as-of", "2026-05-01"])
    assert shown.exit_code == 0 and "Iberia" in shown.stdout and "*" in shown.stdout
    wrong = runner.invoke(app, [*base, "--by", "region"])
    assert wrong.exit_code != 0
    assert "Unknown breakdown 'region'. Valid breakdowns: segment, team." in wrong.output
    assert "Traceback" not in wrong.output
