"""Use cases for opportunities: create, edit, list and show. Moves between stages are in
:mod:`sqo.services.stage_moves` (``move_opportunity`` is re-exported here)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from sqo.domain.actor import Actor
from sqo.domain.errors import InvalidValue, list_values
from sqo.domain.history import RecordType, tracked_values
from sqo.domain.records import Opportunity
from sqo.domain.stages import ForecastCategory, StageKind
from sqo.domain.values import (
    Complexity,
    fraction,
    parse_amount,
    parse_currency,
    parse_date,
    parse_enum,
    require_text,
    utc_now,
)
from sqo.i18n import _
from sqo.services import lookups
from sqo.services.closed_deals import check_change_after_close
from sqo.services.listing import Page, page_of
from sqo.services.recording import (
    check_version,
    insert_with_history,
    record_as_of,
    records_as_of,
    update_with_history,
)
from sqo.services.stage_moves import check_closing, enter_stage, gate
from sqo.services.stage_moves import move_opportunity as move_opportunity  # its old home
from sqo.services.workspace import Workspace
from sqo.store.unit_of_work import UnitOfWork

EDITABLE = (
    "name",
    "account",
    "owner",
    "amount",
    "currency",
    "close_date",
    "next_step",
    "next_step_due",
    "forecast_category",
    "probability",
    "competitors",
    "complexity",
    "loss_reason",
    "campaign",
    "source",
)


def parse_probability(value: str | float) -> float:
    """0.35, 35 or 35% all mean 35%."""
    text = str(value).strip().rstrip("%")
    try:
        number = float(text)
    except ValueError:
        raise InvalidValue(
            _("Invalid probability {value!r}: write a percentage such as 35.", value=value),
            field="probability",
        ) from None
    if number > 1 or str(value).strip().endswith("%"):
        number /= 100
    if not 0 <= number <= 1:
        raise InvalidValue(
            _("The probability must be between 0 and 100 (got {value}).", value=value),
            field="probability",
        )
    return fraction(number)


def apply_edits(uow: UnitOfWork, opp: Opportunity, edits: dict[str, Any]) -> None:
    """Validate the user's edits and set them on ``opp``; refuse unknown fields by name."""
    unknown = sorted(set(edits) - set(EDITABLE))
    if unknown:
        if "stage" in unknown:
            raise InvalidValue(
                _(
                    "Change the stage with 'sqo move', which checks the stage model and the "
                    "SQO gate."
                ),
                field="stage",
            )
        raise InvalidValue(
            _(
                "Unknown field {field!r}. Editable fields: {allowed}.",
                field=unknown[0],
                allowed=list_values(EDITABLE),
            ),
            field=unknown[0],
            allowed=EDITABLE,
        )
    for key, value in edits.items():
        blank = value is None or (isinstance(value, str) and not value.strip())
        if key == "name":
            opp.name = require_text(value, field="name")
        elif key == "account":
            opp.account_id = None if blank else lookups.account(uow, str(value)).id
        elif key == "owner":
            opp.owner_id = None if blank else lookups.rep(uow, str(value)).id
        elif key == "amount":
            opp.amount_cents = None if blank else parse_amount(value, field="amount")
        elif key == "currency":
            opp.currency = parse_currency(str(value))
        elif key in ("close_date", "next_step_due"):
            setattr(opp, key, None if blank else parse_date(value, field=key))
        elif key == "next_step":
            opp.next_step = None if blank else require_text(value, field="next_step")
        elif key == "forecast_category":
            opp.forecast_category = (
                None if blank else parse_enum(ForecastCategory, str(value), field=key).value
            )
        elif key == "probability":
            opp.probability = None if blank else parse_probability(value)
        elif key == "competitors":
            items = value if isinstance(value, list) else str(value or "").split(",")
            opp.competitors = [c.strip() for c in items if c and c.strip()]
        elif key == "complexity":
            opp.complexity = parse_enum(Complexity, str(value), field=key)
        elif key == "loss_reason":
            opp.loss_reason = None if blank else require_text(value, field="loss_reason")
        elif key == "campaign":
            opp.campaign_id = None if blank else lookups.campaign(uow, str(value)).id
        elif key == "source":
            opp.source = None if blank else require_text(str(value), field="source")


def create_opportunity(
    ws: Workspace,
    actor: Actor,
    *,
    name: str,
    stage: str | None = None,
    at: datetime | None = None,
    lead_id: int | None = None,
    external_id: str | None = None,
    justification: str | None = None,
    **edits: Any,
) -> Opportunity:
    """Create an opportunity, at the model's first opportunity stage unless told otherwise."""
    with ws.unit_of_work() as uow:
        opp = add_opportunity(
            uow,
            ws,
            actor,
            name=name,
            stage=stage,
            at=at,
            lead_id=lead_id,
            external_id=external_id,
            justification=justification,
            **edits,
        )
        uow.commit()
        return opp


def add_opportunity(
    uow: UnitOfWork,
    ws: Workspace,
    actor: Actor,
    *,
    name: str,
    stage: str | None = None,
    at: datetime | None = None,
    lead_id: int | None = None,
    external_id: str | None = None,
    justification: str | None = None,
    **edits: Any,
) -> Opportunity:
    """Create an opportunity inside the caller's unit of work (which commits)."""
    at = at or utc_now()
    model = ws.stage_model
    target = model.stage(stage or model.opportunity_start_stage)
    if target.kind not in (StageKind.OPPORTUNITY, StageKind.WON, StageKind.LOST):
        model.check_opportunity_move(model.opportunity_start_stage, target.name)
    opp = Opportunity(
        id=0,
        name=require_text(name, field="name"),
        stage=target.name,
        created_at=at,
        currency=ws.default_currency,
        lead_id=lead_id,
        external_id=external_id,
    )
    apply_edits(uow, opp, edits)
    enter_stage(opp, target.name, ws, at)
    check_closing(ws, opp)
    # A deal created at SQO or later passes the gate on its own fields, before it is saved.
    decision = (
        gate().pass_gate(uow, opp, justification, at)
        if model.at_or_after_sqo(target.name)
        else None
    )
    insert_with_history(uow, opp, RecordType.OPPORTUNITY, actor, at, justification)
    if decision is not None:
        evaluation = replace(decision.evaluation, record_id=opp.id)
        gate().record_promotion(uow, opp, actor, evaluation, justification=justification, at=at)
    return opp


def update_opportunity(
    ws: Workspace,
    actor: Actor,
    opportunity_id: int,
    *,
    expected_version: int | None = None,
    at: datetime | None = None,
    justification: str | None = None,
    **edits: Any,
) -> Opportunity:
    """Change fields; a won or lost deal's amount, currency or close date only with a
    ``justification`` (kept in the history with the change)."""
    at = at or utc_now()
    with ws.unit_of_work() as uow:
        opp = lookups.opportunity(uow, opportunity_id)
        check_version(opp, RecordType.OPPORTUNITY, expected_version)
        before = tracked_values(opp, RecordType.OPPORTUNITY)
        apply_edits(uow, opp, edits)
        after = tracked_values(opp, RecordType.OPPORTUNITY)
        check_change_after_close(
            uow, ws, before, after, opp, justification, closed_at=opp.closed_at, at=at
        )
        update_with_history(
            uow,
            before,
            opp,
            RecordType.OPPORTUNITY,
            actor,
            at,
            opp.version,
            justification=(justification or "").strip() or None,
        )
        uow.commit()
        return opp


def get_opportunity(
    ws: Workspace, actor: Actor, opportunity_id: int, *, as_of: datetime | None = None
) -> Opportunity:
    """An opportunity now, or as it stood at ``as_of``."""
    with ws.unit_of_work() as uow:
        opp = lookups.opportunity(uow, opportunity_id)
        result: Opportunity = record_as_of(uow, opp, RecordType.OPPORTUNITY, as_of)
        return result


def _stage_filter(ws: Workspace, stage: str | None, open_only: bool) -> list[str] | None:
    """The stages a listing keeps: the one named, the open ones, or all (None)."""
    model = ws.stage_model
    if stage:
        return [model.stage(stage).name]
    if open_only:
        return [s.name for s in model.open_opportunity_stages()]
    return None


def list_opportunities(
    ws: Workspace,
    actor: Actor,
    *,
    stage: str | None = None,
    owner: str | None = None,
    open_only: bool = False,
    as_of: datetime | None = None,
    limit: int | None = None,
) -> list[Opportunity]:
    """Opportunities now, or as they stood at ``as_of`` (rebuilt from history)."""
    stages = _stage_filter(ws, stage, open_only)
    with ws.unit_of_work() as uow:
        owner_id = lookups.rep(uow, owner).id if owner else None
        if as_of is None:
            return uow.opportunities.list(stages=stages, owner_id=owner_id, limit=limit)
        return records_as_of(
            uow, RecordType.OPPORTUNITY, as_of, stages=stages, owner_id=owner_id, limit=limit
        )


def opportunity_page(
    ws: Workspace,
    actor: Actor,
    *,
    stage: str | None = None,
    owner: str | None = None,
    open_only: bool = False,
    as_of: datetime | None = None,
    limit: int | None = None,
) -> Page[Opportunity]:
    """``list_opportunities`` with the number of all that match, so a cut listing can say so."""
    if as_of is not None:
        found = list_opportunities(
            ws, actor, stage=stage, owner=owner, open_only=open_only, as_of=as_of
        )
        return page_of(found, limit)
    stages = _stage_filter(ws, stage, open_only)
    with ws.unit_of_work() as uow:
        owner_id = lookups.rep(uow, owner).id if owner else None
        items = uow.opportunities.list(stages=stages, owner_id=owner_id, limit=limit)
        query = uow.opportunities.query(stages=stages, owner_id=owner_id).subquery()
        total = int(uow.connection.execute(select(func.count()).select_from(query)).scalar_one())
    return Page(items, total, limit)
