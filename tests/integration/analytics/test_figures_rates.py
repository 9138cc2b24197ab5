"""Two figures, two names; every rate with its count; no verdict on too few deals; coverage
leaves overdue SQOs out and never shows a negative "to close" (issue 11).

Expected values are counted by hand from the deals made here."""

import json
from datetime import datetime, timedelta

import pytest
from typer.testing import CliRunner

from sqo.analytics.benchmarks import Status, assess, load_benchmarks
from sqo.cli.app import app
from sqo.services import directory, leads
from sqo.services.workspace import init_workspace
from tests import factories

runner = CliRunner()
T0 = datetime(2026, 4, 6, 9, 0)
AS_OF = "2026-05-15"
DAY = timedelta(days=1)


def sqo(db, *args):
    result = runner.invoke(app, ["--db", db, *args])
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture
def db(db_url, actor):
    """Three SMB SQOs (won, lost, open) made without a lead, and two leads."""
    ws = init_workspace(db_url, actor)
    factories.org(ws, actor)
    for name, end in (("won", "Won"), ("lost", "Lost"), ("open", None)):
        moves = [("SQO", DAY)] + ([(end, 10 * DAY)] if end else [])
        factories.opportunity(
            ws, actor, name, at=T0, moves=moves, amount="30000", close_date="2026-06-20"
        )
    for name in ("Pia", "Ola"):
        leads.create_lead(ws, actor, name=name, company="Acme", owner="Ann Lee", at=T0)
    ws.close()
    return db_url


def test_conversion_and_win_rate_have_their_own_names(db):
    funnel = json.loads(sqo(db, "funnel", "--as-of", AS_OF, "--json"))
    to_won = next(c for c in funnel["conversions"] if (c["from"], c["to"]) == ("SQO", "Won"))
    assert to_won["conversion_rate"] == pytest.approx(1 / 3)  # open SQOs in the denominator
    assert funnel["win_rates"][0]["sqo_win_rate"] == pytest.approx(1 / 2)  # won / closed
    table = runner.invoke(app, ["--db", db, "funnel", "--as-of", AS_OF], env={"COLUMNS": "250"})
    assert "Conversion (open included)" in table.stdout
    assert "SQO win rate (won ÷ closed)" in table.stdout
    assert "All-time win rate" in sqo(db, "pipeline")
    assert json.loads(sqo(db, "pipeline", "--json"))["all_time_win_rate"] == pytest.approx(1 / 2)
    labels = {m["label"] for m in json.loads(sqo(db, "benchmarks", "--json"))["metrics"]}
    assert "SQO win rate (won ÷ closed)" in labels


def test_lead_entered_says_it_counts_opportunities_without_a_lead(db):
    funnel = json.loads(sqo(db, "funnel", "--as-of", AS_OF, "--json"))
    lead = next(c for c in funnel["conversions"] if (c["from"], c["to"]) == ("Lead", "MQL"))
    assert lead["entered"] == 5
    assert (
        "Lead entered counts 3 opportunities created without a lead (they skipped the lead "
        "stages, which count as passed) and 2 leads." in funnel["notes"]
    )


def test_no_benchmark_verdict_on_too_few_deals(db):
    metrics = json.loads(sqo(db, "benchmarks", "--as-of", AS_OF, "--json"))["metrics"]
    smb = {m["metric"]: m for m in metrics if m["segment"] == "SMB"}
    win = smb["sqo_win_rate"]
    assert (win["value"], win["sample"], win["sample_of"]) == (0.5, 2, "closed SQOs")
    assert win["status"] is None
    assert win["sentence"] == "Too few closed SQOs for a verdict: 2 (at least 10 needed)."
    cycle = smb["sales_cycle"]  # one won deal is not a top performer
    assert (cycle["sample"], cycle["status"]) == (1, None)
    table = runner.invoke(
        app, ["--db", db, "benchmarks", "--as-of", AS_OF], env={"COLUMNS": "250"}
    ).stdout
    assert "2 closed SQOs" in table and "1 won deals" in table


def test_a_value_shown_as_the_range_end_is_within_it():
    config = load_benchmarks()  # SMB win rate: 30%-50%
    shown_as_50 = assess(config, "sqo_win_rate", "SMB", 0.504, 100)
    assert shown_as_50 is not None and shown_as_50.status is Status.WITHIN
    assert shown_as_50.gap == 0
    shown_as_51 = assess(config, "sqo_win_rate", "SMB", 0.506, 100)
    assert shown_as_51 is not None and shown_as_51.status is Status.TOP


def test_coverage_leaves_overdue_sqos_out_and_to_close_is_never_negative(db_url, actor):
    url = db_url
    ws = init_workspace(url, actor)
    factories.org(ws, actor)
    quarter = {"period_start": "2026-04-01", "period_end": "2026-06-30"}
    directory.set_quota(ws, actor, amount="10000", rep="Ann Lee", **quarter)
    directory.set_quota(ws, actor, amount="100000", rep="Bo Ek", **quarter)
    sqo_move = [("SQO", DAY)]
    # Ann: won 25,000 against a 10,000 quota; one SQO overdue (close date passed), one ahead.
    factories.opportunity(
        ws, actor, "won", at=T0, moves=[*sqo_move, ("Won", 5 * DAY)], amount="25000"
    )
    factories.opportunity(
        ws, actor, "overdue", at=T0, moves=sqo_move, amount="7000", close_date="2026-05-10"
    )
    factories.opportunity(
        ws, actor, "ahead", at=T0, moves=sqo_move, amount="4000", close_date="2026-06-10"
    )
    # Bo: one SQO closing on the as-of day itself (not past yet) and one overdue.
    factories.opportunity(
        ws, actor, "today", owner="Bo Ek", at=T0, moves=sqo_move, amount="5000", close_date=AS_OF
    )
    factories.opportunity(
        ws,
        actor,
        "late",
        owner="Bo Ek",
        at=T0,
        moves=sqo_move,
        amount="9000",
        close_date="2026-04-30",
    )
    ws.close()
    report = json.loads(sqo(url, "coverage", "--as-of", AS_OF, "--json"))
    lines = {(x["level"], x["name"]): x for x in report["lines"]}
    ann, bo, company = lines["rep", "Ann Lee"], lines["rep", "Bo Ek"], lines["company", None]
    assert (ann["open_sqo"], ann["open_deals"], ann["overdue_deals"]) == (4000, 1, 1)
    assert (ann["remaining"], ann["coverage"]) == (0, None)
    assert ann["won_beyond_quota"] == 15000
    assert (bo["open_sqo"], bo["open_deals"], bo["overdue_deals"]) == (5000, 1, 1)
    assert bo["remaining"] == 100000 and bo["coverage"] == pytest.approx(0.05)
    assert (company["open_deals"], company["overdue_deals"]) == (2, 2)
    assert all(x["remaining"] is None or x["remaining"] >= 0 for x in report["lines"])
    assert any(
        "2 open SQO(s) have a close date in the period that has already passed" in n
        for n in report["notes"]
    )
    table = runner.invoke(app, ["--db", url, "coverage", "--as-of", AS_OF]).stdout
    assert "-$" not in table
