"""Evidence and the SQO gate through the services, on the in-memory tier, with the four
criteria of the ``sqo-essentials`` playbook (engagement, budget, timing, fit; all required)."""

from __future__ import annotations

from datetime import datetime

import pytest

from sqo.domain.actor import Actor
from sqo.domain.errors import GateRefused, InvalidValue, UnknownReference
from sqo.services import directory, leads, opportunities, qualification
from sqo.services.workspace import Workspace

# Times as the store keeps them: UTC, without tzinfo.
AT = datetime(2024, 9, 2, 11, 0)
LATER = datetime(2024, 9, 3, 11, 0)


@pytest.fixture
def deal(ws: Workspace, actor: Actor) -> int:
    qualification.use_playbook(ws, actor, "sqo-essentials")
    directory.add_rep(ws, actor, "Ann Lee")
    return opportunities.create_opportunity(ws, actor, name="Acme", owner="Ann Lee", at=AT).id


def test_evidence_goes_on_exactly_one_record(ws: Workspace, actor: Actor, deal: int) -> None:
    lead = leads.create_lead(ws, actor, name="Eva Holm", at=AT)
    for record in ({}, {"opportunity_id": deal, "lead_id": lead.id}):
        with pytest.raises(InvalidValue) as refused:
            qualification.add_evidence(ws, actor, "budget", "Approved", **record)  # type: ignore[arg-type]
        assert refused.value.field == "record"


def test_evidence_meets_its_criterion_with_who_and_when(
    ws: Workspace, actor: Actor, deal: int
) -> None:
    qualification.add_evidence(
        ws, actor, "budget", "40-60k, owned by the CFO", opportunity_id=deal, at=AT
    )
    result = qualification.qualify_opportunity(ws, actor, deal, as_of=LATER).result("budget")
    assert (result.status.value, result.met_by, result.evidence_by, result.evidence_at) == (
        "met",
        "evidence",
        "tester",
        AT,
    )


def test_a_criterion_the_playbook_does_not_have_is_refused(
    ws: Workspace, actor: Actor, deal: int
) -> None:
    with pytest.raises(UnknownReference) as refused:
        qualification.add_evidence(ws, actor, "champion", "Eva", opportunity_id=deal)
    assert refused.value.message == (
        "Unknown criterion 'champion' in the playbook sqo-essentials. "
        "Valid criteria: engagement, budget, timing, fit."
    )
    evaluation = qualification.qualify_opportunity(ws, actor, deal, as_of=LATER)
    assert sorted(r.key for r in evaluation.missing) == ["budget", "engagement", "fit", "timing"]


def test_the_gate_opens_when_every_required_criterion_has_evidence(
    ws: Workspace, actor: Actor, deal: int
) -> None:
    for criterion in ("engagement", "budget", "timing"):
        qualification.add_evidence(ws, actor, criterion, "Noted", opportunity_id=deal, at=AT)
    with pytest.raises(GateRefused) as refused:
        opportunities.move_opportunity(ws, actor, deal, "SQO", at=LATER)
    assert refused.value.allowed == ["fit"]
    qualification.add_evidence(ws, actor, "fit", "Needs our API", opportunity_id=deal, at=AT)
    assert opportunities.move_opportunity(ws, actor, deal, "SQO", at=LATER).stage == "SQO"
