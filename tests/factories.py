"""Test data built through the same services users call."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqo.domain.actor import Actor
from sqo.domain.records import Opportunity
from sqo.services import directory, opportunities
from sqo.services.workspace import Workspace


def org(ws: Workspace, actor: Actor) -> None:
    """One team, two reps, two accounts (SMB and enterprise)."""
    directory.add_team(ws, actor, "Nordics")
    directory.add_rep(ws, actor, "Ann Lee", email="ann@example.com", team="Nordics")
    directory.add_rep(ws, actor, "Bo Ek", email="bo@example.com", team="Nordics")
    directory.add_account(ws, actor, "Acme", segment="SMB")
    directory.add_account(ws, actor, "Globex", segment="enterprise")


def opportunity(
    ws: Workspace,
    actor: Actor,
    name: str = "Acme – 50 seats",
    *,
    at: datetime,
    moves: list[tuple[str, timedelta]] | None = None,
    **fields: Any,
) -> Opportunity:
    """An opportunity created at ``at`` and moved through ``moves`` (stage, time after ``at``)."""
    fields.setdefault("owner", "Ann Lee")
    fields.setdefault("account", "Acme")
    fields.setdefault("amount", "10000")
    opp = opportunities.create_opportunity(ws, actor, name=name, at=at, **fields)
    for stage, after in moves or []:
        opp = opportunities.move_opportunity(
            ws,
            actor,
            opp.id,
            stage,
            at=at + after,
            justification="test factory: promoted without recorded evidence",
            loss_reason=("price" if stage == "Lost" else None),
        )
    return opp
