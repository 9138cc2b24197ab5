"""The analytics commands through the CLI runner: exit codes, messages and JSON shape."""

from __future__ import annotations

import json
from datetime import timedelta

from typer.testing import CliRunner

from sqo.cli.app import app
from tests.conftest import T0
from tests.factories import org
from tests.integration.analytics.helpers import move, opp

runner = CliRunner()


def _setup(workspace, actor):
    org(workspace, actor)
    a = opp(workspace, actor, "A", T0, "SQO")
    move(workspace, actor, a, "Won", T0 + timedelta(days=20))
    b = opp(workspace, actor, "B", T0, "SQO", account="Globex")
    move(workspace, actor, b, "Lost", T0 + timedelta(days=5))
    opp(workspace, actor, "C", T0, "Qualification")


def test_funnel_json_has_conversions_with_group_keys(workspace, actor, sqlite_url):
    _setup(workspace, actor)
    result = runner.invoke(app, ["--db", sqlite_url, "funnel", "--by", "segment,quarter", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    row = next(
        c
        for c in data["conversions"]
        if c["from"] == "SQO" and c["to"] == "Won" and c["segment"] == "SMB"
    )
    assert (row["entered"], row["converted"], row["open"], row["rate"]) == (1, 1, 0, 1.0)
    assert row["quarter"] == "2026-01-01"
    sql = next(
        c
        for c in data["conversions"]
        if c["from"] == "SQL" and c["to"] == "SQO" and c["segment"] == "SMB"
    )
    assert (sql["entered"], sql["converted"], sql["open"]) == (2, 1, 1)  # A converted, C open


def test_other_commands_render_and_emit_json(workspace, actor, sqlite_url):
    _setup(workspace, actor)
    for args in (
        ["benchmarks"],
        ["coverage", "--as-of", "2026-02-01"],
        ["pipeline-change", "--from", "2026-01-01", "--to", "2026-03-31"],
        ["stages"],
        ["funnel"],
    ):
        table = runner.invoke(app, ["--db", sqlite_url, *args])
        assert table.exit_code == 0, (args, table.output)
        as_json = runner.invoke(app, ["--db", sqlite_url, *args, "--json"])
        assert as_json.exit_code == 0, (args, as_json.output)
        json.loads(as_json.stdout)
    change = json.loads(
        runner.invoke(
            app,
            [
                "--db",
                sqlite_url,
                "pipeline-change",
                "--from",
                "2026-01-01",
                "--to",
                "2026-03-31",
                "--json",
            ],
        ).stdout
    )
    assert change["reconciles"] is True


def test_bad_input_gives_clear_messages(workspace, actor, sqlite_url):
    result = runner.invoke(app, ["--db", sqlite_url, "funnel", "--by", "region"])
    assert result.exit_code == 2
    assert (
        "Unknown breakdown 'region'. Valid breakdowns: segment, owner, manager, team, source, "
        "campaign, week, month, quarter." in result.output
    )
    result = runner.invoke(
        app, ["--db", sqlite_url, "pipeline-change", "--from", "2026-03-01", "--to", "2026-01-01"]
    )
    assert result.exit_code == 2
    assert "--from (2026-03-01) is after --to (2026-01-01)" in result.output
    result = runner.invoke(app, ["--db", sqlite_url, "stages", "--stage", "Nope"])
    assert (
        result.exit_code == 2 and "Unknown stage 'Nope'. Valid stages: Lead, MQL" in result.output
    )
    result = runner.invoke(
        app, ["--db", sqlite_url, "funnel", "--from", "2031-01-01", "--to", "2031-02-01"]
    )
    assert result.exit_code == 0
    assert "No records entered the funnel in this period" in result.output


def _count(workspace, sql):
    from sqlalchemy import text

    with workspace.engine.connect() as connection:
        return connection.execute(text(sql)).scalar_one()


def test_refresh_analytics_reports_what_it_read(workspace, actor, sqlite_url):
    _setup(workspace, actor)
    history = _count(workspace, "SELECT count(*) FROM history")
    records = _count(
        workspace, "SELECT (SELECT count(*) FROM leads) + (SELECT count(*) FROM opportunities)"
    )

    def refresh(*extra):
        result = runner.invoke(app, ["--db", sqlite_url, "refresh-analytics", *extra, "--json"])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    first = refresh()
    assert (first["rebuilt"], first["history_rows"], first["records"]) == (True, history, records)
    again = refresh()
    assert (again["rebuilt"], again["history_rows"], again["records"]) == (False, 0, 0)
    c = _count(workspace, "SELECT id FROM opportunities WHERE name = 'C'")
    move(workspace, actor, c, "SQO", T0 + timedelta(days=3))
    added = _count(workspace, "SELECT count(*) FROM history") - history
    assert added >= 1
    after_move = refresh()
    assert (after_move["rebuilt"], after_move["history_rows"], after_move["records"]) == (
        False,
        added,
        1,
    )
    assert refresh("--rebuild")["rebuilt"] is True
    text_output = runner.invoke(app, ["--db", sqlite_url, "refresh-analytics"])
    assert "brought up to date: 0 history rows and 0 records" in text_output.output


def test_the_first_analytics_command_announces_building_the_copy(
    workspace, actor, sqlite_url, analytics_reads
):
    _setup(workspace, actor)
    first = runner.invoke(app, ["--db", sqlite_url, "funnel", "--json"])
    second = runner.invoke(app, ["--db", sqlite_url, "funnel", "--json"])
    assert first.exit_code == 0 and second.exit_code == 0, first.output
    json.loads(first.stdout)  # the note goes to stderr, never into the JSON
    announcement = "Building the analytics copy of this workspace first"
    if analytics_reads == "copy":
        assert announcement in first.stderr
    else:
        assert announcement not in first.stderr  # SQO_ANALYTICS_COPY=off builds nothing
    assert announcement not in second.stderr
