"""`sqo hygiene` on a small workspace built through the services: the table, --json as the
service's schema, and one sentence for bad input."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sqo.cli.app import app
from sqo.domain.actor import Actor
from sqo.domain.errors import ConfigurationError
from sqo.services import opportunities
from sqo.services.hygiene import hygiene_report, use_rules_file
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
    factories.opportunity(
        workspace, actor, "Acme – late", at=T0, moves=[("SQO", DAY)], close_date="2026-06-20"
    )
    factories.opportunity(
        workspace,
        actor,
        "Globex – on track",
        at=T0,
        owner="Bo Ek",
        account="Globex",
        close_date="2026-09-30",
        next_step="Workshop",
        next_step_due="2026-07-02",
    )
    opportunities.create_opportunity(
        workspace, actor, name="Acme – no amount", at=T0, owner="Ann Lee", account="Acme"
    )
    yield workspace
    workspace.close()


def _invoke(ws: Workspace, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--db", ws.url, "hygiene", "--as-of", "2026-06-30", *args])
    return result.exit_code, result.stdout, result.stderr


def test_json_is_the_reports_public_schema(ws: Workspace, actor: Actor) -> None:
    code, out, err = _invoke(ws, "--json")
    assert code == 0, err
    expected = hygiene_report(ws, actor, as_of=AS_OF).to_dict()
    assert json.loads(out) == json.loads(json.dumps(expected))
    rules = {(f["opportunity_name"], f["rule"]) for f in json.loads(out)["findings"]}
    assert ("Acme – late", "stale") in rules and ("Acme – no amount", "no_amount") in rules
    assert not any(name == "Globex – on track" for name, _rule in rules if _rule != "neglected")


def test_the_table_groups_by_owner_with_counts_per_rule(ws: Workspace) -> None:
    code, out, _err = _invoke(ws, "--rule", "stale,no_amount")
    assert code == 0
    assert "findings on 3 open deals" in out
    assert "Ann Lee (Nordics): 1 high, 1 medium, 0 low" in out
    assert "Bo Ek" not in out  # no finding of these rules


@pytest.mark.parametrize(
    ("args", "sentence"),
    [
        (["--team", "Nordix"], "Unknown team 'Nordix'. Known teams: Nordics."),
        (["--rep", "Zed"], "Known reps: Ann Lee, Bo Ek."),
        (["--rule", "stale,bloat"], "Unknown hygiene rule 'bloat'. Rules: premature_sqo,"),
    ],
)
def test_bad_input_gets_one_sentence_with_the_valid_values(
    ws: Workspace, args: list[str], sentence: str
) -> None:
    code, out, err = _invoke(ws, *args)
    assert code == 2 and sentence in err and "Traceback" not in err + out


def test_a_future_as_of_and_a_bad_rules_file_are_refused(ws: Workspace, tmp_path: Path) -> None:
    result = runner.invoke(app, ["--db", ws.url, "hygiene", "--as-of", "2999-01-01"])
    assert result.exit_code == 2 and "is in the future" in result.stderr
    bad = tmp_path / "rules.yaml"
    bad.write_text("rules:\n  neglected:\n    days: {SMB: 3}\n", encoding="utf-8")
    code, _out, err = _invoke(ws, "--rules", str(bad))
    assert code != 0 and "line 3, rules.neglected.days.default" in err


def test_a_rules_file_changes_thresholds(ws: Workspace, tmp_path: Path) -> None:
    mine = tmp_path / "rules.yaml"
    mine.write_text("rules:\n  no_amount: {enabled: false}\n", encoding="utf-8")
    code, out, _err = _invoke(ws, "--rules", str(mine), "--json")
    assert code == 0
    data = json.loads(out)
    assert "no_amount" not in data["rules"] and "no_amount" not in data["rule_counts"]
    assert any("Switched off" in n for n in data["notes"])


def test_the_workspaces_own_rules_file(ws: Workspace, actor: Actor, tmp_path: Path) -> None:
    mine = tmp_path / "ours.yaml"
    mine.write_text("name: ours\nrules:\n  stale: {enabled: false}\n", encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules:\n  stale: {severity: urgent}\n", encoding="utf-8")
    with pytest.raises(ConfigurationError):
        use_rules_file(ws, actor, bad)
    assert use_rules_file(ws, actor, mine).name == "ours"
    report = hygiene_report(ws, actor, as_of=AS_OF)
    assert report.rules_name == "ours" and "stale" not in report.rules
    use_rules_file(ws, actor, None)
    assert "stale" in hygiene_report(ws, actor, as_of=AS_OF).rules
