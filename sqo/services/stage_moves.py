"""Moving an opportunity between stages: what the new stage sets (probability, forecast
category, close date), the closing rules, the history, and the SQO gate when a move crosses
into SQO. Every stage change, whether `sqo move`, `sqo promote` or a deal created at a later
stage, goes through here, so their history and audit entries cannot differ."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqo.domain.actor import Actor
from sqo.domain.audit import AuditAction, audit_entry
from sqo.domain.errors import InvalidValue
from sqo.domain.history import RecordType, tracked_values
from sqo.domain.records import Opportunity
from sqo.domain.stages import StageKind
from sqo.domain.values import require_text, utc_now
from sqo.i18n import _
from sqo.services import lookups
from sqo.services.closed_deals import check_change_after_close
from sqo.services.recording import check_version, update_with_history
from sqo.services.workspace import Workspace
from sqo.store.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from types import ModuleType

    from sqo.domain.gate import GateDecision


def gate() -> ModuleType:
    # The gate (playbooks, evidence, evaluation) loads only for a move that needs it: reading a
    # deal should not pay for it at start-up (benchmarks/results/startup.md).
    from sqo.services import sqo_gate

    return sqo_gate


def move_opportunity(
    ws: Workspace,
    actor: Actor,
    opportunity_id: int,
    stage: str,
    *,
    justification: str | None = None,
    loss_reason: str | None = None,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Opportunity:
    """Move to another stage. Crossing into SQO passes the promotion gate; closing sets dates."""
    at = at or utc_now()
    with ws.unit_of_work() as uow:
        opp = lookups.opportunity(uow, opportunity_id)
        check_version(opp, RecordType.OPPORTUNITY, expected_version)
        apply_move(
            uow, ws, actor, opp, stage, justification=justification, loss_reason=loss_reason, at=at
        )
        uow.commit()
        return opp


def apply_move(
    uow: UnitOfWork,
    ws: Workspace,
    actor: Actor,
    opp: Opportunity,
    stage: str,
    *,
    justification: str | None,
    at: datetime,
    loss_reason: str | None = None,
    accounts: dict[int, dict[str, Any]] | None = None,
) -> GateDecision | None:
    """Move ``opp`` (loaded in ``uow``, which the caller commits) to ``stage`` and write the
    history; returns the gate's decision when the move crosses into SQO. ``accounts``: the
    deal's account facts, when the caller loaded them with the deal."""
    model = ws.stage_model
    target = model.check_opportunity_move(opp.stage, stage)
    before = tracked_values(opp, RecordType.OPPORTUNITY)
    closed_at = opp.closed_at
    was_sqo = model.at_or_after_sqo(opp.stage)
    if loss_reason:
        opp.loss_reason = require_text(loss_reason, field="loss_reason")
    enter_stage(opp, target.name, ws, at)
    check_closing(ws, opp)
    after = tracked_values(opp, RecordType.OPPORTUNITY)
    check_change_after_close(uow, ws, before, after, opp, justification, closed_at=closed_at, at=at)
    crossing = model.at_or_after_sqo(target.name) and not was_sqo
    decision = (
        gate().pass_gate(uow, opp, justification, at, accounts=accounts) if crossing else None
    )
    update_with_history(
        uow,
        before,
        opp,
        RecordType.OPPORTUNITY,
        actor,
        at,
        opp.version,
        justification=justification,
    )
    if decision is not None:
        gate().record_promotion(
            uow, opp, actor, decision.evaluation, justification=justification, at=at
        )
    elif was_sqo and not model.at_or_after_sqo(target.name) and target.kind is not StageKind.LOST:
        uow.audit.add(
            audit_entry(
                AuditAction.DEMOTED,
                actor,
                at,
                opportunity_id=opp.id,
                to=target.name,
                justification=justification,
            )
        )
    return decision


def enter_stage(opp: Opportunity, stage_name: str, ws: Workspace, at: datetime) -> None:
    """Set the stage and what follows from it, as Salesforce does: the stage's probability and
    forecast category, and the close date and time when the deal closes."""
    stage = ws.stage_model.stage(stage_name)
    was_closed = ws.stage_model.stage(opp.stage).is_closed if opp.stage else False
    opp.stage = stage.name
    opp.probability = stage.probability
    opp.forecast_category = stage.forecast_category.value
    if stage.is_closed:
        opp.closed_at = at
        opp.close_date = at.date()
        if stage.kind is StageKind.WON:
            opp.loss_reason = None
    elif was_closed:
        opp.closed_at = None


def check_closing(ws: Workspace, opp: Opportunity) -> None:
    stage = ws.stage_model.stage(opp.stage)
    if stage.kind is StageKind.LOST and ws.stage_model.loss_reason_required and not opp.loss_reason:
        raise InvalidValue(
            _(
                "Say why the deal was lost: add --loss-reason (e.g. price, competitor, no "
                "decision, timing)."
            ),
            field="loss_reason",
        )
