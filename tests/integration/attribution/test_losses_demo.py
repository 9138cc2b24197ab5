"""`sqo losses` on the demo: counts against plain SQL written here over the workspace file, the
team filter, JSON as the service's schema, and bad input in one sentence."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from datetime import datetime

import pytest
from typer.testing import CliRunner

from sqo.cli.app import app
from sqo.domain.actor import Actor
from sqo.services.losses import loss_report
from sqo.services.workspace import open_workspace

runner = CliRunner()
AS_OF = datetime(2026, 6, 30, 23, 59, 59, 999999)  # what --as-of 2026-06-30 means
SQO_OR_LATER = ("SQO", "Solution", "Proposal", "Negotiation", "Commit", "Won")


def closed_sqos_by_sql(path) -> list[tuple[int, str, str | None, str]]:
    """(id, final stage, loss reason, team) of every SQO now won or lost."""
    marks = ", ".join("?" for _ in SQO_OR_LATER)
    with sqlite3.connect(path) as db:
        return db.execute(
            f"""
            SELECT o.id, o.stage, o.loss_reason, t.name FROM opportunities o
            LEFT JOIN reps r ON r.id = o.owner_id LEFT JOIN teams t ON t.id = r.team_id
            WHERE o.stage IN ('Won', 'Lost') AND EXISTS (
                SELECT 1 FROM history h WHERE h.record_type = 'opportunity'
                AND h.record_id = o.id AND h.field = 'stage' AND h.new_value IN ({marks}))
            """,
            SQO_OR_LATER,
        ).fetchall()


@pytest.fixture(scope="module")
def report(demo_file):
    ws = open_workspace(str(demo_file.path))
    try:
        yield loss_report(ws, Actor("tester"), as_of=AS_OF)
    finally:
        ws.close()


def test_counts_match_sql_over_the_workspace(demo_file, report):
    rows = closed_sqos_by_sql(demo_file.path)
    lost = [r for r in rows if r[1] == "Lost"]
    assert report.lost == len(lost) and report.won == len(rows) - len(lost)
    assert {c.name: c.count for c in report.reasons} == Counter(r[2] for r in lost)
    assert sum(c.count for c in report.lost_at_stage) == len(lost)
    assert sum(c.count for c in report.reasons_by_quarter) == len(lost)


def test_findings_are_plain_sentences_with_counts(report):
    assert report.findings, "the demo's deals promoted with criteria unmet lose more often"
    claimed = [c for c in report.comparisons if c.claimed]
    assert len(claimed) == len(report.findings)
    for c, sentence in zip(claimed, report.findings, strict=True):
        assert f"{c.lost_weak} of {c.weak} vs {c.lost_met} of {c.met}" in sentence
        assert c.weak >= report.min_group and c.met >= report.min_group


def test_team_filter_and_json(demo_file):
    rows = closed_sqos_by_sql(demo_file.path)
    team = "SMB (Stockholm)"
    result = runner.invoke(
        app,
        ["--db", str(demo_file.path), "losses", "--team", team, "--as-of", "2026-06-30", "--json"],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["lost"] == sum(1 for r in rows if r[1] == "Lost" and r[3] == team)
    ws = open_workspace(str(demo_file.path))
    try:
        expected = loss_report(ws, Actor("tester"), team=team, as_of=AS_OF).to_dict()
    finally:
        ws.close()
    assert data == json.loads(json.dumps(expected))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--team", "Nowhere"], "Unknown team 'Nowhere'. Known teams: Enterprise (New York)"),
        (["--period", "2026-13"], "'2026-13' is not a period"),
    ],
)
def test_bad_input_gets_one_sentence(demo_file, args, message):
    result = runner.invoke(
        app, ["--db", str(demo_file.path), "losses", "--as-of", "2026-06-30", *args]
    )
    assert result.exit_code != 0
    assert message in " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_too_few_deals_claim_nothing(tmp_path, actor):
    from datetime import timedelta

    from sqo.services.workspace import init_workspace
    from tests import factories

    ws = init_workspace(str(tmp_path / "few.db"), actor)
    factories.org(ws, actor)
    t0 = datetime(2026, 3, 2, 9)
    for n, end in enumerate(("Won", "Lost", "Lost")):
        factories.opportunity(
            ws,
            actor,
            f"Deal {n}",
            at=t0,
            moves=[("SQO", timedelta(days=1)), (end, timedelta(days=9))],
        )
    found = loss_report(ws, actor, as_of=AS_OF)
    ws.close()
    assert (found.won, found.lost) == (1, 2)
    assert found.findings == []
    assert any("Too few closed SQOs to compare criteria" in note for note in found.notes)
