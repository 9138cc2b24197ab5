"""Leads through the services, on the in-memory tier: create, move, convert."""

from __future__ import annotations

from datetime import datetime

import pytest

from sqo.domain.actor import Actor
from sqo.domain.errors import ForbiddenMove
from sqo.services import directory, leads, opportunities
from sqo.services.workspace import Workspace

TUESDAY = datetime(2024, 5, 7, 10, 0)
THURSDAY = datetime(2024, 5, 9, 15, 0)


def test_a_new_lead_starts_at_the_first_lead_stage(ws: Workspace, actor: Actor) -> None:
    lead = leads.create_lead(ws, actor, name="Eva Holm", company="Holm AB", at=TUESDAY)
    assert (lead.stage, lead.version, lead.converted_opportunity_id) == ("Lead", 1, None)


def test_a_lead_cannot_start_at_an_opportunity_stage(ws: Workspace, actor: Actor) -> None:
    with pytest.raises(ForbiddenMove) as refused:
        leads.create_lead(ws, actor, name="Eva Holm", stage="Proposal")
    # stages.yaml's stages before the opportunity stages, in order
    assert refused.value.allowed == ["Lead", "MQL", "SAL", "SQL", "Disqualified"]
    assert leads.list_leads(ws, actor) == []


def test_moving_a_lead_keeps_where_it_was(ws: Workspace, actor: Actor) -> None:
    lead = leads.create_lead(ws, actor, name="Eva Holm", at=TUESDAY)
    moved = leads.move_lead(ws, actor, lead.id, "MQL", at=THURSDAY)
    assert (moved.stage, moved.version) == ("MQL", 2)
    wednesday = datetime(2024, 5, 8)
    assert leads.get_lead(ws, actor, lead.id, as_of=wednesday).stage == "Lead"


def test_only_a_sales_qualified_lead_converts(ws: Workspace, actor: Actor) -> None:
    lead = leads.create_lead(ws, actor, name="Eva Holm", stage="SAL", at=TUESDAY)
    with pytest.raises(ForbiddenMove) as refused:
        leads.convert_lead(ws, actor, lead.id, at=THURSDAY)
    assert refused.value.allowed == ["SQL"]
    assert opportunities.list_opportunities(ws, actor) == []


def test_converting_names_the_deal_after_the_company_and_links_both_ways(
    ws: Workspace, actor: Actor
) -> None:
    directory.add_rep(ws, actor, "Ann Lee")
    lead = leads.create_lead(
        ws, actor, name="Eva Holm", company="Holm AB", owner="Ann Lee", stage="SQL", at=TUESDAY
    )
    converted, opp = leads.convert_lead(ws, actor, lead.id, at=THURSDAY)
    assert (opp.name, opp.lead_id, opp.stage, opp.owner_id) == (
        "Holm AB",
        lead.id,
        "Qualification",
        converted.owner_id,
    )
    assert (converted.converted_opportunity_id, converted.converted_at) == (opp.id, THURSDAY)


def test_a_converted_lead_is_worked_as_its_opportunity(ws: Workspace, actor: Actor) -> None:
    lead = leads.create_lead(ws, actor, name="Eva Holm", stage="SQL", at=TUESDAY)
    _lead, opp = leads.convert_lead(ws, actor, lead.id, at=THURSDAY)
    with pytest.raises(ForbiddenMove) as moving:
        leads.move_lead(ws, actor, lead.id, "Disqualified")
    assert moving.value.message == (
        f"Lead {lead.id} was converted to opportunity {opp.id}; work the opportunity instead."
    )
    with pytest.raises(ForbiddenMove) as again:
        leads.convert_lead(ws, actor, lead.id)
    assert again.value.message == f"Lead {lead.id} is already converted (opportunity {opp.id})."
    assert len(opportunities.list_opportunities(ws, actor)) == 1
