"""Audit entries come from one factory, with the details each action promises a reviewer."""

from __future__ import annotations

from datetime import datetime

import pytest

from sqo.domain.actor import Actor
from sqo.domain.audit import DETAILS, AuditAction, audit_entry
from sqo.domain.history import RecordType

AT = datetime(2026, 3, 2, 10, 30, 5)


def test_an_entry_names_its_action_actor_and_record() -> None:
    entry = audit_entry(
        AuditAction.DEMOTED,
        Actor(name="ann"),
        AT,
        opportunity_id=7,
        to="Discovery",
        justification=None,
    )
    assert (entry.action.value, entry.actor, entry.at) == ("opportunity.demoted", "ann", AT)
    assert (entry.record_type, entry.record_id) == (RecordType.OPPORTUNITY, 7)
    assert entry.detail == {"to": "Discovery", "justification": None}


def test_an_entry_about_the_workspace_has_no_record() -> None:
    entry = audit_entry(AuditAction.TEAM_ADDED, Actor(name="ann"), AT, name="East")
    assert (entry.record_type, entry.record_id) == (None, None)


@pytest.mark.parametrize(
    "details",
    [{}, {"name": "East", "extra": 1}, {"team": "East"}],
    ids=["missing", "extra", "misnamed"],
)
def test_an_entry_with_other_details_than_its_action_promises_is_refused(details: dict) -> None:
    with pytest.raises(ValueError, match=r"team\.add"):
        audit_entry(AuditAction.TEAM_ADDED, Actor(name="ann"), AT, **details)


def test_every_action_declares_its_details_and_keeps_its_stored_name() -> None:
    assert set(DETAILS) == set(AuditAction)
    # Stored values: existing workspaces hold these strings, so they never change.
    assert {a.value for a in AuditAction} == {
        "workspace.init",
        "import.file",
        "team.add",
        "rep.add",
        "playbook.used",
        "playbook.override",
        "gate.min_justification_length",
        "opportunity.promoted",
        "opportunity.gate_overridden",
        "opportunity.demoted",
        "benchmarks.set",
        "hygiene.cleanup",
        "forecast.model_trained",
        "forecast.saved",
        "opportunity.decision",
        "hygiene.rules_file",
        "forecast.model_threshold",
    }
