"""Opportunities through the services, on the in-memory tier: create, edit, move, close."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from sqo.domain.actor import Actor
from sqo.domain.errors import (
    ForbiddenMove,
    GateRefused,
    InvalidValue,
    UnknownReference,
    VersionConflict,
)
from sqo.services import directory, opportunities, promotion, qualification
from sqo.services.workspace import Workspace

MONDAY = datetime(2024, 3, 4, 9, 0)
FRIDAY = datetime(2024, 3, 8, 16, 30)
REASON = "Signed off by the VP of sales in the forecast call."


@pytest.fixture
def rep(ws: Workspace, actor: Actor) -> str:
    directory.add_rep(ws, actor, "Ann Lee")
    return "Ann Lee"


def test_a_new_deal_starts_at_qualification_with_that_stage_s_probability(
    ws: Workspace, actor: Actor, rep: str
) -> None:
    opp = opportunities.create_opportunity(
        ws, actor, name="Acme renewal", owner=rep, amount="12500.50", at=MONDAY
    )
    again = opportunities.get_opportunity(ws, actor, opp.id)
    # stages.yaml: Qualification, probability 0.05, forecast category Pipeline
    assert (again.stage, again.probability, again.forecast_category) == (
        "Qualification",
        0.05,
        "Pipeline",
    )
    assert (again.amount_cents, again.currency, again.version) == (1_250_050, "USD", 1)


def test_an_edit_raises_the_version_and_a_stale_edit_is_refused(
    ws: Workspace, actor: Actor, rep: str
) -> None:
    opp = opportunities.create_opportunity(ws, actor, name="Acme", owner=rep, at=MONDAY)
    edited = opportunities.update_opportunity(
        ws, actor, opp.id, expected_version=1, next_step="Send the proposal", at=FRIDAY
    )
    assert (edited.next_step, edited.version) == ("Send the proposal", 2)
    with pytest.raises(VersionConflict) as stale:
        opportunities.update_opportunity(ws, actor, opp.id, expected_version=1, amount="10")
    assert "version 2" in stale.value.message
    assert opportunities.get_opportunity(ws, actor, opp.id).amount_cents is None


def test_the_stage_is_not_an_editable_field(ws: Workspace, actor: Actor, rep: str) -> None:
    opp = opportunities.create_opportunity(ws, actor, name="Acme", owner=rep, at=MONDAY)
    with pytest.raises(InvalidValue) as refused:
        opportunities.update_opportunity(ws, actor, opp.id, stage="Won")
    assert refused.value.field == "stage"


def test_crossing_into_sqo_without_evidence_needs_a_justification(
    ws: Workspace, actor: Actor, rep: str
) -> None:
    qualification.set_min_justification(ws, actor, 20)
    opp = opportunities.create_opportunity(ws, actor, name="Acme", owner=rep, at=MONDAY)
    with pytest.raises(GateRefused) as refused:
        opportunities.move_opportunity(ws, actor, opp.id, "SQO", at=FRIDAY)
    assert refused.value.field == "justification"
    assert opportunities.get_opportunity(ws, actor, opp.id).stage == "Qualification"
    moved = opportunities.move_opportunity(
        ws, actor, opp.id, "SQO", justification=REASON, at=FRIDAY
    )
    assert (moved.stage, moved.probability, moved.version) == ("SQO", 0.15, 2)


def test_the_deal_as_it_stood_before_its_move(ws: Workspace, actor: Actor, rep: str) -> None:
    qualification.set_min_justification(ws, actor, 0)
    opp = opportunities.create_opportunity(ws, actor, name="Acme", owner=rep, at=MONDAY)
    opportunities.move_opportunity(ws, actor, opp.id, "SQO", justification=REASON, at=FRIDAY)
    wednesday = datetime(2024, 3, 6)
    assert opportunities.get_opportunity(ws, actor, opp.id, as_of=wednesday).stage == (
        "Qualification"
    )
    assert opportunities.get_opportunity(ws, actor, opp.id).stage == "SQO"


def test_a_won_deal_closes_on_the_day_it_is_won(ws: Workspace, actor: Actor, rep: str) -> None:
    qualification.set_min_justification(ws, actor, 0)
    opp = opportunities.create_opportunity(ws, actor, name="Acme", owner=rep, at=MONDAY)
    won = opportunities.move_opportunity(ws, actor, opp.id, "Won", justification=REASON, at=FRIDAY)
    assert (won.stage, won.probability, won.forecast_category) == ("Won", 1.0, "Closed")
    assert (won.close_date, won.closed_at) == (date(2024, 3, 8), FRIDAY)


def test_a_lost_deal_needs_a_loss_reason(ws: Workspace, actor: Actor, rep: str) -> None:
    opp = opportunities.create_opportunity(ws, actor, name="Acme", owner=rep, at=MONDAY)
    with pytest.raises(InvalidValue) as refused:
        opportunities.move_opportunity(ws, actor, opp.id, "Lost", at=FRIDAY)
    assert refused.value.field == "loss_reason"
    lost = opportunities.move_opportunity(ws, actor, opp.id, "Lost", loss_reason="price", at=FRIDAY)
    assert (lost.stage, lost.probability, lost.forecast_category, lost.loss_reason) == (
        "Lost",
        0.0,
        "Omitted",
        "price",
    )


def test_promoting_a_deal_that_is_already_an_sqo_is_refused(
    ws: Workspace, actor: Actor, rep: str
) -> None:
    qualification.set_min_justification(ws, actor, 0)
    opp = opportunities.create_opportunity(ws, actor, name="Acme", owner=rep, at=MONDAY)
    opportunities.move_opportunity(ws, actor, opp.id, "Proposal", justification=REASON, at=FRIDAY)
    with pytest.raises(ForbiddenMove) as refused:
        promotion.promote_opportunity(ws, actor, opp.id, REASON)
    assert refused.value.message == (
        f"Opportunity {opp.id} is already an SQO (stage Proposal); nothing was changed."
    )


def test_an_unknown_owner_is_refused_and_nothing_is_created(ws: Workspace, actor: Actor) -> None:
    with pytest.raises(UnknownReference) as refused:
        opportunities.create_opportunity(ws, actor, name="Acme", owner="Nobody")
    assert refused.value.field == "owner"
    assert opportunities.list_opportunities(ws, actor) == []
