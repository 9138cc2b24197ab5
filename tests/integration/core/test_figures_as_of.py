"""One meaning of a bare date: `--as-of 2026-06-30` is the end of that day in every command,
and `pipeline` and `history` take `--as-of` too (issue 11)."""

import json
from datetime import datetime, timedelta

from typer.testing import CliRunner

from sqo.cli.app import app
from sqo.services.workspace import init_workspace
from tests import factories

runner = CliRunner()
DAY = "2026-06-30"
NOON = datetime(2026, 6, 30, 12, 0)  # things happen during the day, not at midnight


def _workspace(db_url, actor):
    ws = init_workspace(db_url, actor)
    factories.org(ws, actor)
    # Created the evening before, promoted at noon on the day, closing in the quarter.
    factories.opportunity(
        ws,
        actor,
        "Acme – noon",
        at=NOON - timedelta(hours=15),
        moves=[("SQO", timedelta(hours=15))],
        close_date="2026-06-30",
        amount="20000",
    )
    # Created at noon on the day.
    factories.opportunity(ws, actor, "Acme – born that day", at=NOON, amount="5000")
    factories.opportunity(ws, actor, "Acme – later", at=NOON + timedelta(days=1))
    ws.close()
    return db_url


def _json(db, *args):
    result = runner.invoke(app, ["--db", db, *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_a_bare_date_means_the_end_of_that_day_everywhere(db_url, actor):
    db = _workspace(db_url, actor)
    listed = _json(db, "opp", "list", "--as-of", DAY)["opportunities"]
    # Both deals that existed at any time on the 30th, the first as an SQO (promoted at noon).
    assert sorted(o["name"] for o in listed) == ["Acme – born that day", "Acme – noon"]
    assert {o["name"]: o["stage"] for o in listed}["Acme – noon"] == "SQO"
    shown = _json(db, "opp", "show", "1", "--as-of", DAY)
    assert shown["opportunity"]["stage"] == "SQO"
    summary = _json(db, "pipeline", "--as-of", DAY)
    deals = {line["stage"]: line["deals"] for line in summary["stages"]}
    assert deals["SQO"] == 1 and deals["Qualification"] == 1
    assert summary["as_of"].startswith("2026-06-30T23:59:59")
    coverage = _json(db, "coverage", "--as-of", DAY)
    assert [x["open_deals"] for x in coverage["lines"] if x["level"] == "company"] == [1]


def test_history_as_of_stops_at_that_moment(db_url, actor):
    db = _workspace(db_url, actor)
    all_changes = _json(db, "history", "1")
    that_evening = _json(db, "history", "1", "--as-of", "2026-06-29")
    assert {c["field"] for c in that_evening} >= {"stage", "amount_cents"}
    assert all(c["changed_at"] < "2026-06-30" for c in that_evening)
    assert len(that_evening) < len(all_changes)
    assert any(c["field"] == "stage" and c["new"] == "SQO" for c in all_changes)
    result = runner.invoke(app, ["--db", db, "history", "2", "--as-of", "2026-06-29"])
    assert result.exit_code == 3
    assert "did not exist yet" in result.output


def test_as_of_now_is_the_current_state(db_url, actor):
    db = _workspace(db_url, actor)
    assert _json(db, "opp", "show", "1", "--as-of", "now") == _json(db, "opp", "show", "1")
    now = _json(db, "pipeline", "--as-of", "now")
    plain = _json(db, "pipeline")
    assert now["stages"] == plain["stages"] and now["leads"] == plain["leads"]
