"""What counts as a marketing touch, and the per-record facts attribution reads, in SQL.

A touch is a moment a funnel record met a campaign or a source:

- a campaign membership (``campaign_members``) of the record's lead, at ``touched_at``;
- a campaign membership of a contact on the record's opportunity (``opportunity_contacts``);
- the lead's campaign at the lead's creation (``leads.campaign_id``), or, for a lead without a
  campaign, its source (``leads.source``: a channel with no campaign, e.g. Website, Referral);
- for an opportunity created without a lead, its campaign at its creation, or, without a
  campaign, its source. (A converted opportunity's campaign and source are its lead's, copied
  at conversion: counting them again would make the conversion a touch.)

Activities (calls, e-mails, meetings, demos, notes) are sales work, not marketing touches, and
never count. The same campaign at the same moment counts once (a lead made from a campaign is
also its member). A touch after the milestone it would be credited to never counts for it
(:func:`sqo.analytics.attribution.credit.shares`), nor does a touch after ``as_of``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Integer, case, null, select, union
from sqlalchemy.sql.selectable import Select

from sqo.analytics.attribution.credit import Touch
from sqo.analytics.currency import deal_value
from sqo.analytics.milestones import Ladder
from sqo.analytics.states import states_at
from sqo.domain.stages import StageModel
from sqo.store import tables as t


def _lead_key() -> Any:
    lead = t.leads
    return case(
        (lead.c.converted_opportunity_id.is_not(None), lead.c.converted_opportunity_id),
        else_=-lead.c.id,
    )


def touches_query(as_of: datetime) -> Select[Any]:
    """Every touch up to ``as_of``: key (the funnel record), at, campaign_id, channel."""
    member, lead, opp, campaign = t.campaign_members, t.leads, t.opportunities, t.campaigns
    role = t.opportunity_contacts
    by_lead = (
        select(_lead_key().label("key"), member.c.touched_at, member.c.campaign_id)
        .select_from(member.join(lead, lead.c.id == member.c.lead_id))
        .where(member.c.touched_at <= as_of)
    )
    by_contact = (
        select(role.c.opportunity_id, member.c.touched_at, member.c.campaign_id)
        .select_from(member.join(role, role.c.contact_id == member.c.contact_id))
        .where(member.c.touched_at <= as_of)
    )
    lead_campaign = select(_lead_key(), lead.c.created_at, lead.c.campaign_id).where(
        lead.c.campaign_id.is_not(None), lead.c.created_at <= as_of
    )
    opp_campaign = select(opp.c.id, opp.c.created_at, opp.c.campaign_id).where(
        opp.c.campaign_id.is_not(None), opp.c.lead_id.is_(None), opp.c.created_at <= as_of
    )
    campaigns = union(by_lead, by_contact, lead_campaign, opp_campaign).subquery("campaign_touches")
    with_channel = select(
        campaigns.c.key.cast(Integer).label("key"),
        campaigns.c.touched_at.label("at"),
        campaigns.c.campaign_id,
        campaign.c.channel,
    ).select_from(campaigns.outerjoin(campaign, campaign.c.id == campaigns.c.campaign_id))
    lead_source = select(_lead_key(), lead.c.created_at, null().cast(Integer), lead.c.source).where(
        lead.c.campaign_id.is_(None), lead.c.source.is_not(None), lead.c.created_at <= as_of
    )
    opp_source = select(opp.c.id, opp.c.created_at, null().cast(Integer), opp.c.source).where(
        opp.c.campaign_id.is_(None),
        opp.c.lead_id.is_(None),
        opp.c.source.is_not(None),
        opp.c.created_at <= as_of,
    )
    every = union(with_channel, lead_source, opp_source).subquery("touches")
    # One order on every engine (NULLs sort first on SQLite, last on PostgreSQL): at the same
    # moment a campaign comes before a source, campaigns by id.
    no_campaign = case((every.c.campaign_id.is_(None), 1), else_=0)
    return select(every).order_by(
        every.c.key, every.c.at, no_campaign, every.c.campaign_id, every.c.channel
    )


def record_touches(connection: Connection, as_of: datetime) -> Iterator[tuple[int, list[Touch]]]:
    """The touches of each funnel record that has any, record by record in key order."""
    current: int | None = None
    found: list[Touch] = []
    for key, at, campaign_id, channel in connection.execute(touches_query(as_of)):
        if key != current:
            if current is not None:
                yield current, found
            current, found = int(key), []
        found.append(Touch(_moment(at), campaign_id, channel))
    if current is not None:
        yield current, found


def _moment(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


@dataclass(frozen=True)
class Milestones:
    """When a funnel record reached each ladder step (None: not reached)."""

    key: int
    reached: tuple[datetime | None, ...]


def record_milestones(connection: Connection, ladder: Ladder, times: Any) -> Iterator[Milestones]:
    """Each funnel record of the milestone table ``times`` with its step times."""
    steps = [times.c[f"m{i}"] for i in range(len(ladder.names))]
    for row in connection.execute(select(times.c.key, *steps)):
        yield Milestones(int(row[0]), tuple(None if v is None else _moment(v) for v in row[1:]))


@dataclass(frozen=True)
class DealValues:
    cents: dict[int, int]  # opportunity id -> amount in the corporate currency
    unrated: dict[str, int]  # currency -> deals whose amount could not be converted


def deal_values(
    connection: Connection, model: StageModel, as_of: datetime, corporate: str
) -> DealValues:
    """Every opportunity's amount at ``as_of`` in the corporate currency."""
    state = states_at(as_of, ("stage", "amount_cents", "close_date"), name="deal_states")
    opp = t.opportunities
    value = deal_value(
        state.c.amount_cents,
        opp.c.currency,
        state.c.stage,
        state.c.close_date,
        as_of=as_of.date(),
        model=model,
        corporate=corporate,
    )
    query = select(state.c.record_id, value.amount, value.unrated, opp.c.currency).select_from(
        state.join(opp, opp.c.id == state.c.record_id)
    )
    cents: dict[int, int] = {}
    unrated: dict[str, int] = {}
    for record_id, amount, missing, currency in connection.execute(query):
        if missing:
            unrated[currency] = unrated.get(currency, 0) + 1
        else:
            cents[int(record_id)] = int(amount or 0)
    return DealValues(cents, unrated)


def campaign_costs(connection: Connection) -> list[tuple[int, str, str | None, int | None, str]]:
    """id, name, channel, cost (cents, None when unknown) and currency of every campaign."""
    c = t.campaigns
    rows = connection.execute(
        select(c.c.id, c.c.name, c.c.channel, c.c.cost_cents, c.c.currency).order_by(c.c.id)
    )
    return [(int(i), n, ch, cost, cur or "") for i, n, ch, cost, cur in rows]
