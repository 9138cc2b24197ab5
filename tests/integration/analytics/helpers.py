"""Hand-built histories for the analytics tests, through the services with explicit times."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqo.domain.actor import Actor
from sqo.services import leads, opportunities
from sqo.services.workspace import Workspace

WHY = "Budget, authority, need and timeline confirmed with the buyer in a call."


def day(start: datetime, n: float) -> datetime:
    return start + timedelta(days=n)


def opp(ws: Workspace, actor: Actor, name: str, at: datetime, stage: str, **fields: Any) -> int:
    fields.setdefault("owner", "Ann Lee")
    fields.setdefault("account", "Acme")
    fields.setdefault("amount", "100")
    created = opportunities.create_opportunity(
        ws, actor, name=name, stage=stage, at=at, justification=WHY, **fields
    )
    return created.id


def move(ws: Workspace, actor: Actor, opp_id: int, stage: str, at: datetime) -> None:
    opportunities.move_opportunity(
        ws,
        actor,
        opp_id,
        stage,
        at=at,
        justification=WHY,
        loss_reason="price" if stage == "Lost" else None,
    )


def edit(ws: Workspace, actor: Actor, opp_id: int, at: datetime, **edits: Any) -> None:
    # The reason a closed deal's amount or close date may change (open deals need none).
    opportunities.update_opportunity(ws, actor, opp_id, at=at, justification=WHY, **edits)


def lead(
    ws: Workspace, actor: Actor, name: str, at: datetime, stage: str = "Lead", **f: Any
) -> int:
    return leads.create_lead(ws, actor, name=name, stage=stage, at=at, **f).id


def lead_move(ws: Workspace, actor: Actor, lead_id: int, stage: str, at: datetime) -> None:
    leads.move_lead(ws, actor, lead_id, stage, at=at)
