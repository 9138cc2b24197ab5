"""The stage mapper's order: the user's map, then a workspace stage's own name, then the
importer's defaults (only those whose target the workspace has)."""

from datetime import datetime

import pytest
import yaml

from sqo.domain.errors import InvalidValue
from sqo.domain.stages import DEFAULT_STAGE_FILE, parse_stage_model
from sqo.io.salesforce import SalesforceReader


def own_model():  # type: ignore[no-untyped-def]
    """A workspace with its own selling stages: no Solution, Proposal or Negotiation, and a
    stage called Prospecting."""
    data = yaml.safe_load(DEFAULT_STAGE_FILE.read_text(encoding="utf-8"))
    keep = {"Lead", "MQL", "SAL", "SQL", "Disqualified", "Qualification", "SQO", "Won", "Lost"}
    stages = [s for s in data["stages"] if s["name"] in keep]
    prospecting = dict(stages[5], name="Prospecting")
    stages.insert(5, prospecting)
    data["stages"] = stages
    data["opportunity_start_stage"] = "Prospecting"
    return parse_stage_model(data)


def test_a_workspace_with_its_own_stages_keeps_the_defaults_it_can_use():
    reader = SalesforceReader(own_model(), datetime(2024, 6, 1), "USD", {"Demo": "SQO"}, {})
    opp = reader.opp_stages
    assert opp.stage("Closed Won").name == "Won"  # a default whose target exists
    assert opp.stage("Demo").name == "SQO"  # the user's map
    assert opp.stage("Prospecting").name == "Prospecting"  # its own name beats the default
    assert opp.stage("Needs Analysis").name == "SQO"
    with pytest.raises(InvalidValue, match="'Value Proposition' is not mapped") as refused:
        opp.stage("Value Proposition")  # the default sends it to Solution, which is not there
    assert "add it under a stage map given with --stages" in refused.value.message
    assert reader.lead_stages.stage("Working").name == "MQL"
