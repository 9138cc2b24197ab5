"""Recording a campaign touch on a lead (a webinar attended, a form filled): the campaign
membership attribution reads (:mod:`sqo.analytics.attribution.touches`)."""

from __future__ import annotations

from datetime import datetime

from sqo.domain.actor import Actor
from sqo.domain.values import utc_now
from sqo.services import lookups
from sqo.services.workspace import Workspace


def record_touch(
    ws: Workspace,
    actor: Actor,
    *,
    campaign: str,
    lead_id: int,
    at: datetime | None = None,
    status: str = "Responded",
) -> int:
    """Add the lead to the campaign as having responded at ``at``; the membership's id."""
    with ws.unit_of_work() as uow:
        found = lookups.campaign(uow, campaign)
        lead = lookups.lead(uow, lead_id)
        member = uow.campaigns.add_member(found.id, lead.id, at or utc_now(), status=status)
        uow.commit()
        return member
