from datetime import date, timedelta

import pytest

from sqo.domain.errors import ConfigurationError, GateRefused, UnknownReference
from sqo.services import activities, directory, opportunities, qualification
from sqo.services.promotion import QualificationRefused
from tests.conftest import T0
from tests.factories import org

JUSTIFICATION = "CFO confirmed budget on the call; paperwork follows next week"


def deal(ws, actor, **fields):
    """An SMB deal on Acme at Qualification, created at T0, with amount and dates set."""
    fields.setdefault("amount", "24000")
    fields.setdefault("close_date", "2026-03-31")
    fields.setdefault("next_step", "Security review")
    fields.setdefault("next_step_due", "2026-01-20")
    return opportunities.create_opportunity(
        ws, actor, name="Acme – 20 seats", account="Acme", owner="Ann Lee", at=T0, **fields
    )


def qualify_fully(ws, actor, opp_id):
    """Everything the default playbook requires for a standard deal, as of T0 + 2 days."""
    for key in ("problem_identified", "solution_fit", "budget_range"):
        qualification.add_evidence(
            ws, actor, key, f"{key} confirmed", opportunity_id=opp_id, at=T0 + timedelta(hours=1)
        )
    directory.add_contact(
        ws, actor, "Eva Buyer", account="Acme", buying_role="economic_buyer", opportunity_id=opp_id
    )
    activities.log_activity(
        ws, actor, "meeting", opportunity_id=opp_id, occurred_at=T0 + timedelta(days=1)
    )
    activities.log_activity(
        ws,
        actor,
        "email",
        opportunity_id=opp_id,
        direction="inbound",
        occurred_at=T0 + timedelta(days=1, hours=2),
    )


def test_the_gate_refuses_with_the_missing_list(any_workspace, actor):
    ws = any_workspace
    org(ws, actor)
    opp = deal(ws, actor)
    with pytest.raises(GateRefused) as caught:
        opportunities.move_opportunity(ws, actor, opp.id, "SQO", at=T0 + timedelta(days=2))
    missing = [
        "problem_identified",
        "solution_fit",
        "budget_range",
        "economic_buyer",
        "prospect_responsive",
        "meetings_happening",
    ]
    assert caught.value.allowed == missing
    assert isinstance(caught.value, QualificationRefused)
    assert [r.key for r in caught.value.missing] == missing
    assert caught.value.message.startswith(
        "Opportunity 1 cannot become an SQO: 6 required criteria of the playbook sqo-default "
        "are not met: problem_identified (Specific problem identified: no evidence recorded); "
    )
    assert "at least 30 characters (--justify)" in caught.value.message
    assert opportunities.get_opportunity(ws, actor, opp.id).stage == "Qualification"
    with ws.unit_of_work() as uow:
        assert uow.audit.entries("opportunity.promoted") == []
    assert qualification.promotion_records(ws, actor, opp.id) == []


def test_evidence_and_activities_open_the_gate_and_the_snapshot_is_stored(any_workspace, actor):
    ws = any_workspace
    org(ws, actor)
    opp = deal(ws, actor)
    qualify_fully(ws, actor, opp.id)
    when = T0 + timedelta(days=2)
    moved = opportunities.move_opportunity(ws, actor, opp.id, "SQO", at=when)
    assert moved.stage == "SQO"
    [snapshot] = qualification.promotion_records(ws, actor, opp.id)
    assert (snapshot["stage"], snapshot["playbook"], snapshot["playbook_version"]) == (
        "SQO",
        "sqo-default",
        "1",
    )
    assert (snapshot["passed"], snapshot["overridden"], snapshot["justification"]) == (
        True,
        False,
        None,
    )
    assert snapshot["evaluated_at"] == when
    # weights met: problem 3 + solution 2 + deal size 2 + budget 2 + buyer 3 + timeline 2
    # + next step 2 + responsive 2 + meetings 2 = 20 of 30 applicable (champion does not apply)
    assert snapshot["score"] == pytest.approx(20 / 30, abs=1e-4)
    detail = snapshot["detail"]
    assert detail["missing"] == []
    statuses = {c["key"]: c["status"] for c in detail["criteria"]}
    assert statuses["champion"] == "not_applicable"
    assert statuses["economic_buyer"] == "met"
    assert statuses["key_stakeholders"] == "not_met"
    with ws.unit_of_work() as uow:
        [entry] = uow.audit.entries("opportunity.promoted")
        assert uow.audit.entries("opportunity.gate_overridden") == []
    assert entry["record_id"] == opp.id
    assert entry["detail"]["passed"] is True and entry["detail"]["overridden"] is False


def test_an_override_needs_a_long_enough_justification_and_is_audited(any_workspace, actor):
    ws = any_workspace
    org(ws, actor)
    opp = deal(ws, actor)
    when = T0 + timedelta(days=2)
    with pytest.raises(GateRefused) as caught:
        opportunities.move_opportunity(
            ws, actor, opp.id, "SQO", at=when, justification="Budget confirmed"
        )
    assert caught.value.message.startswith(
        "Opportunity 1 cannot become an SQO: the justification is 16 characters long; "
        "overriding the gate needs at least 30."
    )
    moved = opportunities.move_opportunity(
        ws, actor, opp.id, "Proposal", at=when, justification=JUSTIFICATION
    )
    assert moved.stage == "Proposal"  # any stage past SQO passes the same gate
    [snapshot] = qualification.promotion_records(ws, actor, opp.id)
    assert (snapshot["passed"], snapshot["overridden"], snapshot["justification"]) == (
        False,
        True,
        JUSTIFICATION,
    )
    assert snapshot["detail"]["missing"] == [
        "problem_identified",
        "solution_fit",
        "budget_range",
        "economic_buyer",
        "prospect_responsive",
        "meetings_happening",
    ]
    with ws.unit_of_work() as uow:
        [override] = uow.audit.entries("opportunity.gate_overridden")
        [promoted] = uow.audit.entries("opportunity.promoted")
    assert override["actor"] == "tester" and override["at"] == when
    assert override["detail"]["justification"] == JUSTIFICATION
    assert override["detail"]["missing"] == snapshot["detail"]["missing"]
    assert promoted["detail"]["overridden"] is True
    history = [c for c in opportunities_history(ws, actor, opp.id) if c.field == "stage"]
    assert history[-1].justification == JUSTIFICATION


def opportunities_history(ws, actor, opp_id):
    from sqo.domain.history import RecordType
    from sqo.services.history import record_history

    return record_history(ws, actor, RecordType.OPPORTUNITY, opp_id)


def test_the_minimum_justification_length_is_configurable(workspace, actor):
    org(workspace, actor)
    opp = deal(workspace, actor)
    qualification.set_min_justification(workspace, actor, 10)
    moved = opportunities.move_opportunity(
        workspace, actor, opp.id, "SQO", justification="Budget confirmed"
    )
    assert moved.stage == "SQO"
    assert qualification.promotion_records(workspace, actor, opp.id)[0]["overridden"] is True


def test_demotion_below_sqo_is_allowed_and_recorded(workspace, actor):
    org(workspace, actor)
    opp = deal(workspace, actor)
    opportunities.move_opportunity(
        workspace, actor, opp.id, "SQO", justification=JUSTIFICATION, at=T0 + timedelta(days=1)
    )
    back = opportunities.move_opportunity(
        workspace,
        actor,
        opp.id,
        "Qualification",
        justification="Budget frozen",
        at=T0 + timedelta(days=5),
    )
    assert back.stage == "Qualification"
    with workspace.unit_of_work() as uow:
        [demoted] = uow.audit.entries("opportunity.demoted")
    assert demoted["detail"] == {"to": "Qualification", "justification": "Budget frozen"}
    # promoting again passes the gate again and stores a second snapshot
    with pytest.raises(GateRefused):
        opportunities.move_opportunity(workspace, actor, opp.id, "SQO", at=T0 + timedelta(days=6))
    opportunities.move_opportunity(
        workspace, actor, opp.id, "SQO", justification=JUSTIFICATION, at=T0 + timedelta(days=6)
    )
    assert len(qualification.promotion_records(workspace, actor, opp.id)) == 2


def test_creating_a_deal_at_sqo_checks_its_own_fields(workspace, actor):
    org(workspace, actor)
    with pytest.raises(GateRefused) as caught:
        opportunities.create_opportunity(
            workspace, actor, name="Walk-in", account="Acme", stage="SQO", amount="5000"
        )
    assert caught.value.message.startswith("The opportunity 'Walk-in' cannot become an SQO: ")
    assert "deal_size_estimated" not in caught.value.allowed  # the amount rule is met
    assert "buying_timeline" in caught.value.allowed
    opp = opportunities.create_opportunity(
        workspace,
        actor,
        name="Walk-in",
        account="Acme",
        stage="SQO",
        amount="5000",
        justification=JUSTIFICATION,
    )
    [snapshot] = qualification.promotion_records(workspace, actor, opp.id)
    assert snapshot["overridden"] is True


def test_rule_based_criteria_change_as_activities_are_logged(any_workspace, actor):
    ws = any_workspace
    org(ws, actor)
    opp = deal(ws, actor)
    at = T0 + timedelta(days=3)
    first = qualification.qualify_opportunity(ws, actor, opp.id, as_of=at)
    assert first.result("meetings_happening").status.value == "not_met"
    activities.log_activity(
        ws, actor, "demo", opportunity_id=opp.id, occurred_at=T0 + timedelta(days=2)
    )
    second = qualification.qualify_opportunity(ws, actor, opp.id, as_of=at)
    assert second.result("meetings_happening").status.value == "met"
    assert second.result("meetings_happening").reason == (
        "1 × demo/meeting in the last 30 days (latest 2026-01-07)"
    )
    assert second.score > first.score
    month_later = qualification.qualify_opportunity(
        ws, actor, opp.id, as_of=T0 + timedelta(days=33)
    )
    assert month_later.result("meetings_happening").status.value == "not_met"


def test_evidence_for_an_unknown_criterion_lists_the_valid_keys(workspace, actor):
    org(workspace, actor)
    opp = deal(workspace, actor)
    with pytest.raises(UnknownReference) as caught:
        qualification.add_evidence(
            workspace, actor, "budget", "They have money", opportunity_id=opp.id
        )
    assert caught.value.message.startswith(
        "Unknown criterion 'budget' in the playbook sqo-default. Valid criteria: "
        "problem_identified, solution_fit, "
    )
    assert caught.value.allowed is not None and len(caught.value.allowed) == 20
    qualification.use_playbook(workspace, actor, "bant")
    qualification.add_evidence(workspace, actor, "budget", "They have money", opportunity_id=opp.id)
    result = qualification.qualify_opportunity(workspace, actor, opp.id)
    assert result.playbook == "bant"
    assert result.result("budget").status.value == "met"


def test_a_workspace_can_use_its_own_playbook_file(workspace, actor, tmp_path):
    org(workspace, actor)
    path = tmp_path / "ours.yaml"
    path.write_text(
        """name: ours
version: 3
label: Ours
groups:
  - key: all
    label: All
    criteria:
      - key: pain
        label: Pain
        required: true
""",
        encoding="utf-8",
    )
    qualification.use_playbook(workspace, actor, str(path))
    path.unlink()  # the definition is kept in the workspace, not read from the file again
    opp = deal(workspace, actor)
    with pytest.raises(GateRefused) as caught:
        opportunities.move_opportunity(workspace, actor, opp.id, "SQO")
    assert caught.value.allowed == ["pain"]
    qualification.add_evidence(workspace, actor, "pain", "Manual work", opportunity_id=opp.id)
    opportunities.move_opportunity(workspace, actor, opp.id, "SQO")
    assert qualification.promotion_records(workspace, actor, opp.id)[0]["playbook_version"] == "3"
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\n", encoding="utf-8")
    with pytest.raises(ConfigurationError):
        qualification.use_playbook(workspace, actor, str(bad))


def test_segment_overrides_apply_to_that_segment_only(workspace, actor):
    org(workspace, actor)
    qualification.set_override(workspace, actor, "enterprise", "key_stakeholders", required=True)
    smb = deal(workspace, actor)
    big = opportunities.create_opportunity(workspace, actor, name="Globex", account="Globex", at=T0)
    at = T0 + timedelta(days=1)
    assert "key_stakeholders" not in [
        r.key for r in qualification.qualify_opportunity(workspace, actor, smb.id, as_of=at).missing
    ]
    assert "key_stakeholders" in [
        r.key for r in qualification.qualify_opportunity(workspace, actor, big.id, as_of=at).missing
    ]
    with pytest.raises(UnknownReference):
        qualification.set_override(workspace, actor, "SMB", "nope", weight=2)


def test_leads_are_evaluated_with_their_own_facts(workspace, actor):
    from sqo.services import leads

    org(workspace, actor)
    lead = leads.create_lead(
        workspace, actor, name="Ada", company="Initech", stage="SQL", segment="SMB", at=T0
    )
    qualification.add_evidence(
        workspace, actor, "budget_range", "50-60k approved", lead_id=lead.id, at=T0
    )
    activities.log_activity(
        workspace,
        actor,
        "call",
        lead_id=lead.id,
        direction="inbound",
        occurred_at=T0 + timedelta(days=1),
    )
    result = qualification.qualify_lead(workspace, actor, lead.id, as_of=T0 + timedelta(days=2))
    assert result.record_type == "lead" and result.segment == "SMB"
    assert result.result("budget_range").status.value == "met"
    assert result.result("prospect_responsive").status.value == "met"
    assert result.result("deal_size_estimated").status.value == "unknown"
    # evidence recorded on the lead counts for the opportunity it becomes
    _lead, opp = leads.convert_lead(workspace, actor, lead.id, at=T0 + timedelta(days=2))
    converted = qualification.qualify_opportunity(
        workspace, actor, opp.id, as_of=T0 + timedelta(days=2)
    )
    assert converted.result("budget_range").status.value == "met"
    assert converted.result("prospect_responsive").status.value == "met"
    assert date(2026, 1, 7) == (T0 + timedelta(days=2)).date()
