"""Use cases for leads: create, edit, move through the lifecycle, convert to an opportunity."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from sqo.domain.actor import Actor
from sqo.domain.errors import ForbiddenMove, InvalidValue, list_values
from sqo.domain.history import RecordType, tracked_values
from sqo.domain.records import Lead, Opportunity
from sqo.domain.stages import LEAD_KINDS
from sqo.domain.values import Segment, parse_enum, require_text, utc_now
from sqo.i18n import _
from sqo.services import lookups
from sqo.services.listing import Page, page_of
from sqo.services.opportunities import add_opportunity
from sqo.services.recording import (
    check_version,
    insert_with_history,
    record_as_of,
    records_as_of,
    update_with_history,
)
from sqo.services.workspace import Workspace
from sqo.store import tables as t
from sqo.store.unit_of_work import UnitOfWork

EDITABLE = ("name", "company", "email", "account", "owner", "segment", "source", "campaign")


def apply_edits(uow: UnitOfWork, lead: Lead, edits: dict[str, Any]) -> None:
    unknown = sorted(set(edits) - set(EDITABLE))
    if unknown:
        if "stage" in unknown:
            raise InvalidValue(_("Change a lead's stage with 'sqo lead move'."), field="stage")
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
            lead.name = require_text(value, field="name")
        elif key in ("company", "email", "source"):
            setattr(lead, key, None if blank else str(value).strip())
        elif key == "account":
            lead.account_id = None if blank else lookups.account(uow, str(value)).id
        elif key == "owner":
            lead.owner_id = None if blank else lookups.rep(uow, str(value)).id
        elif key == "segment":
            lead.segment = None if blank else parse_enum(Segment, str(value), field="segment")
        elif key == "campaign":
            lead.campaign_id = None if blank else lookups.campaign(uow, str(value)).id


def create_lead(
    ws: Workspace,
    actor: Actor,
    *,
    name: str,
    stage: str | None = None,
    at: datetime | None = None,
    external_id: str | None = None,
    **edits: Any,
) -> Lead:
    at = at or utc_now()
    model = ws.stage_model
    target = model.stage(stage) if stage else model.first_lead_stage()
    if target.kind not in LEAD_KINDS:
        raise ForbiddenMove(
            _(
                "A lead starts at a lead stage: {allowed}.",
                allowed=list_values(s.name for s in model.lead_stages()),
            ),
            field="stage",
            allowed=[s.name for s in model.lead_stages()],
        )
    with ws.unit_of_work() as uow:
        lead = Lead(
            id=0,
            name=require_text(name, field="name"),
            stage=target.name,
            created_at=at,
            external_id=external_id,
        )
        apply_edits(uow, lead, edits)
        insert_with_history(uow, lead, RecordType.LEAD, actor, at)
        if lead.campaign_id is not None:
            uow.campaigns.add_member(lead.campaign_id, lead.id, at, status="created")
        uow.commit()
        return lead


def update_lead(
    ws: Workspace,
    actor: Actor,
    lead_id: int,
    *,
    expected_version: int | None = None,
    at: datetime | None = None,
    **edits: Any,
) -> Lead:
    at = at or utc_now()
    with ws.unit_of_work() as uow:
        lead = lookups.lead(uow, lead_id)
        check_version(lead, RecordType.LEAD, expected_version)
        before = tracked_values(lead, RecordType.LEAD)
        apply_edits(uow, lead, edits)
        update_with_history(uow, before, lead, RecordType.LEAD, actor, at, lead.version)
        uow.commit()
        return lead


def move_lead(
    ws: Workspace,
    actor: Actor,
    lead_id: int,
    stage: str,
    *,
    expected_version: int | None = None,
    at: datetime | None = None,
    justification: str | None = None,
) -> Lead:
    at = at or utc_now()
    with ws.unit_of_work() as uow:
        lead = lookups.lead(uow, lead_id)
        check_version(lead, RecordType.LEAD, expected_version)
        if lead.converted_opportunity_id is not None:
            raise ForbiddenMove(
                _(
                    "Lead {id} was converted to opportunity {opp}; work the opportunity instead.",
                    id=lead.id,
                    opp=lead.converted_opportunity_id,
                ),
                field="stage",
            )
        target = ws.stage_model.check_lead_move(lead.stage, stage)
        before = tracked_values(lead, RecordType.LEAD)
        lead.stage = target.name
        update_with_history(
            uow, before, lead, RecordType.LEAD, actor, at, lead.version, justification=justification
        )
        uow.commit()
        return lead


def convert_lead(
    ws: Workspace,
    actor: Actor,
    lead_id: int,
    *,
    opportunity_name: str | None = None,
    at: datetime | None = None,
    **opportunity_fields: Any,
) -> tuple[Lead, Opportunity]:
    """Turn a sales-qualified lead into an opportunity and keep the link both ways."""
    at = at or utc_now()
    model = ws.stage_model
    with ws.unit_of_work() as uow:
        lead = lookups.lead(uow, lead_id)
        if lead.converted_opportunity_id is not None:
            raise ForbiddenMove(
                _(
                    "Lead {id} is already converted (opportunity {opp}).",
                    id=lead.id,
                    opp=lead.converted_opportunity_id,
                ),
                field="stage",
            )
        if lead.stage not in model.convertible_from:
            raise ForbiddenMove(
                _(
                    "Lead {id} is at {stage}; only leads at {allowed} can be converted. "
                    "Move it there first with 'sqo lead move'.",
                    id=lead.id,
                    stage=lead.stage,
                    allowed=list_values(model.convertible_from),
                ),
                field="stage",
                allowed=model.convertible_from,
            )
        defaults: dict[str, Any] = {"source": lead.source}
        if lead.owner_id is not None:
            defaults["owner"] = str(lead.owner_id)
        if lead.account_id is not None:
            defaults["account"] = str(lead.account_id)
        elif lead.company:
            # As a CRM's convert does: attach the existing account the company names, if exactly
            # one account has that name (an ambiguous name is left for the rep to choose).
            matches = uow.accounts.named(lead.company)
            if len(matches) == 1:
                defaults["account"] = str(matches[0].id)
        if lead.campaign_id is not None:
            defaults["campaign"] = str(lead.campaign_id)
        defaults.update({k: v for k, v in opportunity_fields.items() if v is not None})
        name = opportunity_name or lead.company or lead.name
        opp = add_opportunity(uow, ws, actor, name=name, at=at, lead_id=lead.id, **defaults)
        before = tracked_values(lead, RecordType.LEAD)
        lead.converted_opportunity_id = opp.id
        lead.converted_at = at
        update_with_history(uow, before, lead, RecordType.LEAD, actor, at, lead.version)
        uow.commit()
        return lead, opp


def get_lead(ws: Workspace, actor: Actor, lead_id: int, *, as_of: datetime | None = None) -> Lead:
    """A lead now, or as it stood at ``as_of``."""
    with ws.unit_of_work() as uow:
        lead = lookups.lead(uow, lead_id)
        result: Lead = record_as_of(uow, lead, RecordType.LEAD, as_of)
        return result


def list_leads(
    ws: Workspace,
    actor: Actor,
    *,
    stage: str | None = None,
    owner: str | None = None,
    as_of: datetime | None = None,
    limit: int | None = None,
) -> list[Lead]:
    stages = [ws.stage_model.stage(stage).name] if stage else None
    with ws.unit_of_work() as uow:
        owner_id = lookups.rep(uow, owner).id if owner else None
        if as_of is None:
            return uow.leads.list(stages=stages, owner_id=owner_id, limit=limit)
        return records_as_of(
            uow, RecordType.LEAD, as_of, stages=stages, owner_id=owner_id, limit=limit
        )


def lead_page(
    ws: Workspace,
    actor: Actor,
    *,
    stage: str | None = None,
    owner: str | None = None,
    as_of: datetime | None = None,
    limit: int | None = None,
    converted: bool = False,
) -> tuple[Page[Lead], int]:
    """Leads (those converted into an opportunity only with ``converted``), cut at ``limit``,
    and how many converted leads the listing left out: a converted lead keeps the stage it was
    converted at (SQL), but the pipeline counts it as an opportunity, not as a lead."""
    if as_of is not None:
        found = list_leads(ws, actor, stage=stage, owner=owner, as_of=as_of)
        kept = [x for x in found if converted or x.converted_opportunity_id is None]
        return page_of(kept, limit), len(found) - len(kept)
    stages = [ws.stage_model.stage(stage).name] if stage else None
    with ws.unit_of_work() as uow:
        owner_id = lookups.rep(uow, owner).id if owner else None
        query = uow.leads.query(stages=stages, owner_id=owner_id)
        link = t.leads.c.converted_opportunity_id
        matching = query.subquery()
        every, done = uow.connection.execute(
            select(func.count(), func.count(matching.c.converted_opportunity_id))
        ).one()
        if not converted:
            query = query.where(link.is_(None))
        shown = query.with_only_columns(t.leads.c.id)
        ids = uow.connection.execute(shown.limit(limit) if limit is not None else shown)
        items = uow.leads.by_ids(ids.scalars())
    total = every if converted else every - done
    return Page(items, total, limit), 0 if converted else done
