"""`--json` prints exactly the public schema of the service's result (``to_dict()``): a route
returning ``result.to_dict()`` gives a script the same document as the command line."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from typer.testing import CliRunner

from sqo.cli.app import app
from sqo.domain.actor import Actor
from sqo.domain.history import RecordType
from sqo.services import (
    analytics,
    campaigns,
    history,
    leads,
    losses,
    pipeline,
    record_views,
    scorecard,
)
from sqo.services.analytics_source import refresh_copy
from sqo.services.workspace import Workspace, init_workspace
from tests import factories

runner = CliRunner()
T0 = datetime(2026, 4, 6, 9, 0)
AS_OF = datetime.combine(date(2026, 6, 30), time.max)
DAY = timedelta(days=1)


@pytest.fixture
def ws(sqlite_url: str, actor: Actor) -> Iterator[Workspace]:
    workspace = init_workspace(sqlite_url, actor)
    factories.org(workspace, actor)
    for n, end in enumerate(("Won", "Lost", None)):
        moves = [("SQO", DAY)] + ([(end, 10 * DAY)] if end else [])
        factories.opportunity(
            workspace, actor, f"Deal {n}", at=T0, moves=moves, close_date="2026-06-20"
        )
    lead = leads.create_lead(workspace, actor, name="Pia", company="Acme", at=T0)
    leads.move_lead(workspace, actor, lead.id, "SQL")
    yield workspace
    workspace.close()


CASES: dict[str, tuple[list[str], Callable[[Workspace, Actor], Any]]] = {
    "pipeline": (["pipeline"], lambda w, a: pipeline.pipeline_summary(w, a)),
    "pipeline as of": (
        ["pipeline", "--as-of", "2026-06-30"],
        lambda w, a: pipeline.pipeline_summary(w, a, AS_OF),
    ),
    "funnel": (
        ["funnel", "--by", "segment", "--as-of", "2026-06-30"],
        lambda w, a: analytics.funnel(w, a, by="segment", as_of=AS_OF),
    ),
    "benchmarks": (
        ["benchmarks", "--as-of", "2026-06-30"],
        lambda w, a: analytics.benchmark_report(w, a, as_of=AS_OF),
    ),
    "coverage": (
        ["coverage", "--as-of", "2026-06-30"],
        lambda w, a: analytics.coverage_report(w, a, as_of=AS_OF),
    ),
    "pipeline-change": (
        ["pipeline-change", "--from", "2026-04-01", "--to", "2026-04-30"],
        lambda w, a: analytics.pipeline_change_report(
            w, a, start=date(2026, 4, 1), end=date(2026, 4, 30), limit=5
        ),
    ),
    "stages": (
        ["stages", "--as-of", "2026-06-30"],
        lambda w, a: analytics.stage_report(w, a, as_of=AS_OF),
    ),
    "campaigns": (
        ["campaigns", "--as-of", "2026-06-30"],
        lambda w, a: campaigns.campaign_report(w, a, as_of=AS_OF),
    ),
    "losses": (
        ["losses", "--as-of", "2026-06-30"],
        lambda w, a: losses.loss_report(w, a, as_of=AS_OF),
    ),
    "scorecard": (
        ["scorecard", "--as-of", "2026-06-30"],
        lambda w, a: scorecard.scorecard(w, a, as_of=AS_OF),
    ),
    "opp list": (
        ["opp", "list", "--limit", "2"],
        lambda w, a: record_views.opportunity_listing(w, a, limit=2),
    ),
    "opp show": (["opp", "show", "1"], lambda w, a: record_views.opportunity_detail(w, a, 1)),
    "lead list": (["lead", "list"], lambda w, a: record_views.lead_listing(w, a, limit=200)),
}


@pytest.mark.parametrize("case", CASES, ids=str)
def test_json_is_the_results_public_schema(ws: Workspace, actor: Actor, case: str) -> None:
    arguments, service = CASES[case]
    result = runner.invoke(app, ["--db", ws.url, *arguments, "--json"])
    assert result.exit_code == 0, result.output
    expected = service(ws, actor).to_dict()
    assert json.loads(result.stdout) == json.loads(json.dumps(expected))


def test_history_json_is_the_histories_public_schema(ws: Workspace, actor: Actor) -> None:
    result = runner.invoke(app, ["--db", ws.url, "history", "1", "--json"])
    assert result.exit_code == 0, result.output
    found = history.history_of(ws, actor, RecordType.OPPORTUNITY, 1)
    assert json.loads(result.stdout) == found.to_list()
    assert [e["field"] for e in found.to_list()][:2] == ["name", "stage"]


def test_history_values_are_decoded_for_every_face(ws: Workspace, actor: Actor) -> None:
    found = history.history_of(ws, actor, RecordType.OPPORTUNITY, 1)
    owner = next(e.change for e in found.entries if e.change.field == "owner_id")
    amount = next(e.change for e in found.entries if e.change.field == "amount_cents")
    assert found.value("owner_id", owner.new) == "Ann Lee"
    assert found.value("amount_cents", amount.new) == 1_000_000
    assert found.value("competitors", '["Globex", "Initech"]') == ["Globex", "Initech"]
    assert found.value("probability", "0.4") == 0.4
    assert found.value("owner_id", "999") == "999"  # a rep no longer there: the id
    assert found.currency == "USD"
    assert history.field_label("close_date") == "Close date"


def test_refresh_json_is_the_refreshs_public_schema(
    ws: Workspace, actor: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SQO_ANALYTICS_COPY", "required")
    result = runner.invoke(app, ["--db", ws.url, "refresh-analytics", "--json"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    again = refresh_copy(ws, actor).to_dict()
    assert printed.keys() == again.keys() and printed["path"] == again["path"]
    assert printed["path"].endswith(".duckdb")
