"""Use cases for opportunities: create, edit, move between stages, list and show."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from sqo.domain.actor import Actor
from sqo.domain.audit import AuditAction, audit_entry
from sqo.domain.errors import ForbiddenMove, InvalidValue, list_values
from sqo.domain.history import RecordType, snapshot
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
from sqo.services.workspace import Workspace
from sqo.store.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from types import ModuleType


def _gate() -> ModuleType:
    # The gate (playbooks, evidence, near misses) loads only for a move that needs it: reading a
    # deal should not pay for it at start-up (benchmarks/results/startup.md).
    from sqo.services import promotion

    return promotion


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
    _enter_stage(opp, target.name, ws, at)
    _check_closing(ws, opp)
    promoted = model.at_or_after_sqo(target.name)
    if promoted:
        _gate().check(uow, ws, opp, actor, justification=justification, at=at)
    insert_with_history(uow, opp, RecordType.OPPORTUNITY, actor, at, justification)
    if promoted:
        _gate().record(uow, ws, opp, actor, justification=justification, at=at)
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
        before = snapshot(opp, RecordType.OPPORTUNITY)
        apply_edits(uow, opp, edits)
        after = snapshot(opp, RecordType.OPPORTUNITY)
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
    promotion_only: bool = False,
) -> Opportunity:
    """Move to another stage. Crossing into SQO passes the promotion gate; closing sets dates.

    ``promotion_only`` (what `sqo promote` asks for) refuses a deal that is already an SQO or
    further along, so that promoting never moves a deal backwards."""
    at = at or utc_now()
    model = ws.stage_model
    with ws.unit_of_work() as uow:
        opp = lookups.opportunity(uow, opportunity_id)
        check_version(opp, RecordType.OPPORTUNITY, expected_version)
        if promotion_only and model.at_or_after_sqo(opp.stage):
            raise ForbiddenMove(
                _(
                    "Opportunity {id} is already an SQO (stage {stage}); nothing was changed.",
                    id=opp.id,
                    stage=opp.stage,
                ),
                field="stage",
            )
        target = model.check_opportunity_move(opp.stage, stage)
        before = snapshot(opp, RecordType.OPPORTUNITY)
        closed_at = opp.closed_at
        was_sqo = model.at_or_after_sqo(opp.stage)
        if loss_reason:
            opp.loss_reason = require_text(loss_reason, field="loss_reason")
        _enter_stage(opp, target.name, ws, at)
        _check_closing(ws, opp)
        after = snapshot(opp, RecordType.OPPORTUNITY)
        check_change_after_close(
            uow, ws, before, after, opp, justification, closed_at=closed_at, at=at
        )
        crossing = model.at_or_after_sqo(target.name) and not was_sqo
        if crossing:
            _gate().check(uow, ws, opp, actor, justification=justification, at=at)
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
        if crossing:
            _gate().record(uow, ws, opp, actor, justification=justification, at=at)
        elif (
            was_sqo and not model.at_or_after_sqo(target.name) and target.kind is not StageKind.LOST
        ):
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
        uow.commit()
        return opp


def _enter_stage(opp: Opportunity, stage_name: str, ws: Workspace, at: datetime) -> None:
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


def _check_closing(ws: Workspace, opp: Opportunity) -> None:
    stage = ws.stage_model.stage(opp.stage)
    if stage.kind is StageKind.LOST and ws.stage_model.loss_reason_required and not opp.loss_reason:
        raise InvalidValue(
            _(
                "Say why the deal was lost: add --loss-reason (e.g. price, competitor, no "
                "decision, timing)."
            ),
            field="loss_reason",
        )


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
