"""Logging what happened on a deal or lead: calls, emails, meetings, demos, notes."""

from __future__ import annotations

from datetime import datetime

from sqo.domain.actor import Actor
from sqo.domain.errors import InvalidValue
from sqo.domain.records import Activity
from sqo.domain.values import ActivityKind, Direction, parse_enum, parse_timestamp, utc_now
from sqo.i18n import _
from sqo.services import lookups
from sqo.services.workspace import Workspace


def log_activity(
    ws: Workspace,
    actor: Actor,
    kind: str,
    *,
    opportunity_id: int | None = None,
    lead_id: int | None = None,
    direction: str = "outbound",
    subject: str | None = None,
    occurred_at: str | datetime | None = None,
    rep: str | None = None,
    contact_id: int | None = None,
) -> Activity:
    if (opportunity_id is None) == (lead_id is None):
        raise InvalidValue(
            _("Log an activity on exactly one record: give an opportunity or a lead."),
            field="record",
        )
    activity_kind = parse_enum(ActivityKind, kind, field="kind")
    when = parse_timestamp(occurred_at, field="at") if occurred_at else utc_now()
    with ws.unit_of_work() as uow:
        if opportunity_id is not None:
            lookups.opportunity(uow, opportunity_id)
        if lead_id is not None:
            lookups.lead(uow, lead_id)
        rep_id = lookups.rep(uow, rep, field="rep").id if rep else actor.rep_id
        if contact_id is not None and uow.contacts.get(contact_id) is None:
            raise InvalidValue(_("There is no contact {id}.", id=contact_id), field="contact")
        activity = Activity(
            id=0,
            kind=activity_kind,
            direction=parse_enum(Direction, direction, field="direction"),
            subject=(subject or "").strip() or None,
            occurred_at=when,
            opportunity_id=opportunity_id,
            lead_id=lead_id,
            contact_id=contact_id,
            rep_id=rep_id,
        )
        activity.id = uow.activities.add(activity)
        uow.commit()
        return activity


def activities_for(
    ws: Workspace,
    actor: Actor,
    *,
    opportunity_id: int | None = None,
    lead_id: int | None = None,
    as_of: datetime | None = None,
) -> list[Activity]:
    with ws.unit_of_work() as uow:
        return uow.activities.for_record(
            opportunity_id=opportunity_id, lead_id=lead_id, as_of=as_of
        )
