"""Promotion to SQO: the moment an opportunity crosses into the SQO milestone.

``check`` runs before the move is written and may refuse it; ``record`` runs after, inside the
same transaction, and leaves the audit entry (with the rep's justification) that reviews and
lost-deal analysis read.
"""

from __future__ import annotations

from datetime import datetime

from sqo.domain.actor import Actor
from sqo.domain.records import Opportunity
from sqo.services.workspace import Workspace
from sqo.store.unit_of_work import UnitOfWork


def check(
    uow: UnitOfWork,
    ws: Workspace,
    opp: Opportunity,
    actor: Actor,
    *,
    justification: str | None,
    at: datetime,
) -> None:
    """Refuse the promotion when the gate says no. The workspace's playbook gate plugs in here."""


def record(
    uow: UnitOfWork,
    ws: Workspace,
    opp: Opportunity,
    actor: Actor,
    *,
    justification: str | None,
    at: datetime,
) -> None:
    uow.audit.add(
        at=at,
        actor=actor.name,
        action="opportunity.promoted",
        record_type="opportunity",
        record_id=opp.id,
        detail={"stage": opp.stage, "justification": justification},
    )
