import json
from datetime import timedelta

import pytest
from typer.testing import CliRunner

from sqo.cli.app import app
from sqo.domain.actor import Actor
from sqo.services import activities, directory, leads, opportunities, qualification
from sqo.services.workspace import open_workspace
from tests.conftest import T0
from tests.factories import org

runner = CliRunner()
JUSTIFICATION = "CFO confirmed budget on the call; paperwork follows next week"


@pytest.fixture
def db(workspace, actor):
    org(workspace, actor)
    opportunities.create_opportunity(
        workspace,
        actor,
        name="Acme – 20 seats",
        account="Acme",
        amount="24000",
        close_date="2099-03-31",
    )
    return workspace.url


def sqo(db, *args):
    return runner.invoke(app, ["--db", db, "--as", "Ann Lee", *args])


def test_qualify_shows_the_checklist_and_what_is_missing(db):
    result = sqo(db, "qualify", "1")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "Opportunity 1 · Acme – 20 seats (SMB)"
    assert lines[2] == "Gate: NOT PASSED, 7 required criteria missing."
    assert "  ✓ Deal size estimated *               amount: 24,000" in lines
    assert (
        "  – Champion identified *               does not apply (only when complexity == "
        '"complex")' in lines
    )
    assert (
        "  • economic_buyer: Economic buyer identified (no contact with the role "
        "economic_buyer)" in lines
    )
    data = json.loads(sqo(db, "qualify", "1", "--json").output)
    assert data["missing"] == [
        "problem_identified",
        "solution_fit",
        "budget_range",
        "economic_buyer",
        "next_steps",
        "prospect_responsive",
        "meetings_happening",
    ]


def test_evidence_add_then_qualify(db):
    result = sqo(db, "evidence", "add", "1", "budget_range", "--note", "40-50k approved by CFO")
    assert result.exit_code == 0
    assert result.output.strip() == "Recorded evidence for budget_range on opportunity 1."
    ws = open_workspace(db)
    try:
        evaluation = qualification.qualify_opportunity(ws, Actor("x"), 1)
    finally:
        ws.close()
    assert evaluation.result("budget_range").status.value == "met"
    assert evaluation.result("budget_range").evidence_by == "Ann Lee"


def test_evidence_for_an_unknown_criterion_is_refused(db):
    result = sqo(db, "evidence", "add", "1", "budjet", "--note", "x")
    assert result.exit_code == 2
    assert result.output.startswith(
        "Error: Unknown criterion 'budjet' in the playbook sqo-default. Valid criteria: "
        "problem_identified, solution_fit, value_proposition, "
    )


def test_promote_refuses_then_accepts_a_justification(db):
    refused = sqo(db, "promote", "1")
    assert refused.exit_code == 5
    assert refused.output.startswith(
        "Error: Opportunity 1 cannot become an SQO: 7 required criteria of the playbook "
        "sqo-default are not met: problem_identified ("
    )
    promoted = sqo(db, "promote", "1", "--justify", JUSTIFICATION)
    assert promoted.exit_code == 0
    assert promoted.output.splitlines()[0] == "Opportunity 1 is now an SQO (stage SQO)."
    assert promoted.output.splitlines()[1].startswith(
        "Gate overridden with your justification; still missing: problem_identified, "
    )
    ws = open_workspace(db)
    try:
        [snapshot] = qualification.promotion_records(ws, Actor("x"), 1)
        assert opportunities.get_opportunity(ws, Actor("x"), 1).stage == "SQO"
    finally:
        ws.close()
    assert snapshot["actor"] == "Ann Lee" and snapshot["justification"] == JUSTIFICATION


def test_playbook_commands(db, tmp_path):
    listed = json.loads(sqo(db, "playbook", "list", "--json").output)
    assert [p["name"] for p in listed if p["current"]] == ["sqo-default"]
    assert sqo(db, "playbook", "use", "meddpicc").output.strip() == (
        "The workspace now qualifies with the playbook meddpicc v1."
    )
    shown = json.loads(sqo(db, "playbook", "show", "--json").output)
    assert shown["name"] == "meddpicc" and len(shown["groups"]) == 3
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "name: bad\nversion: 1\nlabel: Bad\ngroups:\n  - key: g\n    label: G\n"
        "    criteria:\n      - {key: a, label: A, weight: 0}\n",
        encoding="utf-8",
    )
    result = sqo(db, "playbook", "validate", str(bad))
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        f"Error: The playbook {bad} is not valid:",
        f"  {bad}, line 8, groups.0.criteria.0.weight: Input should be greater than 0",
    ]
    good = sqo(db, "playbook", "validate", "sqo/defaults/playbooks/bant.yaml")
    assert good.output.strip() == (
        "sqo/defaults/playbooks/bant.yaml is a valid playbook: bant "
        "v1, 1 groups, 4 criteria (4 required)."
    )


def test_swedish_checklist(db):
    result = runner.invoke(app, ["--db", db, "--lang", "sv", "qualify", "1"])
    assert result.exit_code == 0
    assert "Ekonomisk beslutsfattare identifierad" in result.output
    assert "Grinden: INTE GODKÄND, 7 obligatoriska kriterier saknas." in result.output


def test_near_misses_rank_high_scores_that_fail_the_gate(any_workspace, actor):
    ws = any_workspace
    org(ws, actor)
    at = T0 + timedelta(days=2)
    good = opportunities.create_opportunity(
        ws,
        actor,
        name="Nearly",
        account="Acme",
        at=T0,
        amount="9000",
        close_date="2026-02-27",
        next_step="Demo",
        next_step_due="2026-01-12",
        competitors="Globex",
    )
    directory.add_contact(
        ws, actor, "Eva", account="Acme", buying_role="economic_buyer", opportunity_id=good.id
    )
    activities.log_activity(
        ws,
        actor,
        "meeting",
        opportunity_id=good.id,
        direction="inbound",
        occurred_at=T0 + timedelta(days=1),
    )
    for key in ("problem_identified", "solution_fit", "value_proposition"):
        qualification.add_evidence(ws, actor, key, "yes", opportunity_id=good.id, at=T0)
    weak = opportunities.create_opportunity(ws, actor, name="Weak", account="Acme", at=T0)
    lead = leads.create_lead(ws, actor, name="Ada", stage="SQL", at=T0)
    for key in ("problem_identified", "solution_fit", "budget_range", "economic_buyer"):
        qualification.add_evidence(ws, actor, key, "yes", lead_id=lead.id, at=T0)
    # Nearly: met 3+2+1+1 (clear) + 2 (amount) + 3 (buyer) + 2 + 2 (timeline, next step)
    # + 2 + 2 (responsive, meetings) = 20 of 30; only budget_range missing.
    # Ada (lead): 3 + 2 + 2 + 3 = 10 of 30. Weak: amount only? no amount: 0 of 30.
    found = qualification.near_misses(ws, actor, as_of=at, min_score=0.5)
    assert [(m.record_type, m.record_id, m.missing) for m in found] == [
        ("opportunity", good.id, ("budget_range",))
    ]
    assert found[0].score == pytest.approx(20 / 30)
    everything = qualification.near_misses(ws, actor, as_of=at, min_score=0)
    assert [(m.record_type, m.record_id) for m in everything] == [
        ("opportunity", good.id),
        ("lead", lead.id),
        ("opportunity", weak.id),
    ]
    assert everything[1].score == pytest.approx(10 / 30)
    opportunities.move_opportunity(ws, actor, good.id, "SQO", justification="x" * 30, at=at)
    assert [
        m.record_id
        for m in qualification.near_misses(ws, actor, as_of=at, min_score=0)
        if m.record_type == "opportunity"
    ] == [weak.id]


def test_near_misses_command(db):
    result = sqo(db, "near-misses", "--min-score", "0", "--json")
    assert result.exit_code == 0
    assert [(m["record_type"], m["record_id"]) for m in json.loads(result.output)] == [
        ("opportunity", 1)
    ]
    empty = sqo(db, "near-misses")
    assert empty.output.strip() == (
        "No near misses: nothing fails the gate with a score of 60% or more."
    )
