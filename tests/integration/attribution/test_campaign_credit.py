"""`sqo campaigns` on a hand-built workspace with several touches per deal: every figure is
worked out by hand in the comments (SQLite and PostgreSQL: the touches query is new SQL)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from typer.testing import CliRunner

from sqo.cli.app import app
from sqo.services import analytics, directory, leads, opportunities
from sqo.services.campaign_touches import record_touch
from sqo.services.campaigns import CampaignReport, campaign_report
from sqo.services.workspace import Workspace, init_workspace
from tests import factories

runner = CliRunner()
T0 = datetime(2026, 3, 2, 9, 0)
DAY = timedelta(days=1)
AS_OF = datetime(2026, 6, 30, 23, 59)


def build(db_url, actor):
    """Pia: created from campaign A on day 0, touched by B on day 3, MQL day 4, SQL day 6,
    converted day 7, SQO day 10, touched by C on day 12 (after her SQO), won day 20 (10,000).
    Ola: created from B on day 1, MQL on day 2. Eva: source Website, no campaign. Max: no
    campaign and no source (no touch)."""
    workspace = init_workspace(db_url, actor)
    factories.org(workspace, actor)
    directory.add_campaign(workspace, actor, "A", channel="Webinar", cost="1000")
    directory.add_campaign(workspace, actor, "B", channel="Paid search", cost="3000")
    directory.add_campaign(workspace, actor, "C", channel="Event")
    pia = leads.create_lead(workspace, actor, name="Pia", company="Acme", campaign="A", at=T0)
    record_touch(workspace, actor, campaign="B", lead_id=pia.id, at=T0 + 3 * DAY)
    leads.move_lead(workspace, actor, pia.id, "MQL", at=T0 + 4 * DAY)
    leads.move_lead(workspace, actor, pia.id, "SQL", at=T0 + 6 * DAY)
    _lead, opp = leads.convert_lead(
        workspace, actor, pia.id, at=T0 + 7 * DAY, amount="10000", owner="Ann Lee"
    )
    for stage, day in (("SQO", 10), ("Won", 20)):
        if stage == "Won":
            record_touch(workspace, actor, campaign="C", lead_id=pia.id, at=T0 + 12 * DAY)
        opportunities.move_opportunity(
            workspace,
            actor,
            opp.id,
            stage,
            at=T0 + day * DAY,
            justification="test: promoted without recorded evidence",
        )
    ola = leads.create_lead(workspace, actor, name="Ola", company="Acme", campaign="B", at=T0 + DAY)
    leads.move_lead(workspace, actor, ola.id, "MQL", at=T0 + 2 * DAY)
    leads.create_lead(workspace, actor, name="Eva", company="Acme", source="Website", at=T0 + DAY)
    leads.create_lead(workspace, actor, name="Max", company="Acme", at=T0 + DAY)
    return workspace


@pytest.fixture
def ws(db_url, actor):
    workspace = build(db_url, actor)
    yield workspace
    workspace.close()


@pytest.fixture
def sqlite_ws(sqlite_url, actor):
    """The same on SQLite only: for the refusals, which run no new SQL."""
    workspace = build(sqlite_url, actor)
    yield workspace
    workspace.close()


def credit(report: CampaignReport, model: str, milestone: str) -> dict[str, float]:
    out = {}
    for line in report.campaigns:
        if line.model == model and line.credited[milestone]:
            name = line.campaign or line.channel or "no touch"
            out[name] = round(line.credited[milestone], 6)
    return out


def test_each_model_credits_the_touches_before_each_milestone(ws, actor):
    report = campaign_report(ws, actor, as_of=AS_OF)
    # Leads: each lead's only touch by its creation.
    for model in ("first-touch", "last-touch", "linear", "time-decay"):
        assert credit(report, model, "Lead") == {"A": 1, "B": 1, "Website": 1, "no touch": 1}
    # Pia's MQL (day 4): A (day 0) and B (day 3); Ola's MQL: B.
    assert credit(report, "first-touch", "MQL") == {"A": 1, "B": 1}
    assert credit(report, "last-touch", "MQL") == {"B": 2}
    assert credit(report, "linear", "MQL") == {"A": 0.5, "B": 1.5}
    # U-shaped: A is first and the last touch by lead creation (0.4 + 0.4), B the middle 0.2.
    assert credit(report, "u-shaped", "MQL") == {"A": 0.8, "B": 1.2}
    # Pia's SQO (day 10): C (day 12) comes after it and never counts.
    assert credit(report, "last-touch", "SQO") == {"B": 1}
    assert credit(report, "linear", "SQO") == {"A": 0.5, "B": 0.5}
    # W-shaped: A first 0.3 + lead 0.3, B the SQO touch 0.3; no middle: 0.6/0.9 and 0.3/0.9.
    assert credit(report, "w-shaped", "SQO") == {"A": 0.666667, "B": 0.333333}
    # Won (day 20): A, B, C. Full path: A first + lead (0.45), B SQO (0.225), C won (0.225),
    # no middle: divided by 0.9.
    assert credit(report, "full-path", "Won") == {"A": 0.5, "B": 0.25, "C": 0.25}
    assert credit(report, "last-touch", "Won") == {"C": 1}
    # Time decay at the win: ages 20, 17, 8 days -> 2^(-20/7) : 2^(-17/7) : 2^(-8/7).
    weights = [2 ** (-a / 7) for a in (20, 17, 8)]
    got = credit(report, "time-decay", "Won")
    assert [got["A"], got["B"], got["C"]] == pytest.approx(
        [w / sum(weights) for w in weights], abs=1e-6
    )


def test_amounts_and_cost_per_milestone_where_the_cost_is_known(ws, actor):
    report = campaign_report(ws, actor, model="full-path", as_of=AS_OF)
    lines = {line.campaign: line for line in report.campaigns}
    assert lines["A"].won_revenue_cents == 500_000  # half of 10,000
    assert lines["B"].won_revenue_cents == 250_000
    assert lines["B"].cost_per_cents["Won"] == 1_200_000  # 3,000 / 0.25 won deals
    assert lines["C"].cost_cents is None and lines["C"].cost_per_cents["Won"] is None
    first = campaign_report(ws, actor, model="first-touch", as_of=AS_OF)
    a = next(line for line in first.campaigns if line.campaign == "A")
    b = next(line for line in first.campaigns if line.campaign == "B")
    assert a.sqo_pipeline_cents == 1_000_000 and a.cost_per_cents["SQO"] == 100_000
    assert b.cost_per_cents["SQO"] is None  # nothing credited: no division by zero
    assert b.cost_per_cents["MQL"] == 300_000  # 3,000 / Ola's MQL
    assert any("no known cost" in note for note in first.notes)


def test_credit_reconciles_with_the_funnel(ws, actor):
    report = campaign_report(ws, actor, as_of=AS_OF)
    assert report.funnel == {"Lead": 4, "MQL": 2, "SAL": 1, "SQL": 1, "SQO": 1, "Won": 1}
    assert report.reconciles
    funnel = analytics.funnel(ws, actor, as_of=AS_OF)
    entered = {c.from_milestone: c.entered for c in funnel.conversions}
    for milestone, count in report.funnel.items():
        if milestone in entered:
            assert entered[milestone] == count


def test_a_period_credits_only_the_milestones_reached_in_it(ws, actor):
    # March 2026 holds every milestone but the win (day 20 is March 22); April holds none.
    march = campaign_report(ws, actor, model="first-touch", period="2026-03", as_of=AS_OF)
    assert march.funnel["Won"] == 1 and march.funnel["Lead"] == 4
    april = campaign_report(ws, actor, model="first-touch", period="2026-Q2", as_of=AS_OF)
    assert set(april.funnel.values()) == {0}
    assert april.notes[0].startswith("No record reached a funnel milestone")


def test_cli_json_and_table(ws):
    result = runner.invoke(
        app, ["--db", ws.url, "campaigns", "--model", "linear", "--as-of", "2026-06-30", "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["reconciles"] is True and [m["name"] for m in data["models"]] == ["linear"]
    a = next(c for c in data["campaigns"] if c["campaign"] == "A")
    assert a["credited"]["SQO"] == 0.5 and a["cost_per"]["SQO"] == 2000.0
    table = runner.invoke(
        app, ["--db", ws.url, "campaigns", "--as-of", "2026-06-30"], env={"COLUMNS": "250"}
    )
    assert table.exit_code == 0, table.output
    # Each model's column is headed by its label, as the model file names it for a reader.
    assert "W-shaped (30/30/30/10)" in table.stdout and "Credit adds up" in table.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--model", "z-shaped"], "Unknown attribution model 'z-shaped'. Models: first-touch"),
        (["--period", "spring"], "'spring' is not a period: give a year (2026)"),
        (["--period", "2027"], "The period 2027 starts after 2026-06-30"),
    ],
)
def test_bad_input_gets_one_sentence(sqlite_ws: Workspace, args, message):
    result = runner.invoke(
        app, ["--db", sqlite_ws.url, "campaigns", "--as-of", "2026-06-30", *args]
    )
    assert result.exit_code != 0
    assert message in " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_a_model_file_of_ones_own_and_a_bad_one(sqlite_ws, tmp_path):
    mine = tmp_path / "mine.yaml"
    mine.write_text("models:\n  half-half:\n    weights: {first: 0.5, lead_created: 0.5}\n")
    result = runner.invoke(
        app,
        [
            "--db",
            sqlite_ws.url,
            "campaigns",
            "--models",
            str(mine),
            "--as-of",
            "2026-06-30",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [m["name"] for m in data["models"]] == ["half-half"] and data["reconciles"]
    bad = tmp_path / "bad.yaml"
    bad.write_text("models:\n  mine:\n    weights: {first: 0.5, middle: 0.4}\n")
    result = runner.invoke(
        app, ["--db", sqlite_ws.url, "campaigns", "--models", str(bad), "--as-of", "2026-06-30"]
    )
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert f"{bad}, line 3, models.mine.weights: the weights add up to 0.9, not 1" in " ".join(
        result.output.split()
    )
