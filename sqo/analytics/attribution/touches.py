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
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Integer,
    String,
    Table,
    case,
    func,
    null,
    select,
    text,
    union,
)
from sqlalchemy.sql.selectable import CompoundSelect, Subquery

from sqo.analytics.currency import deal_value
from sqo.analytics.states import states_at
from sqo.analytics.temp_tables import temporary
from sqo.domain.stages import StageModel
from sqo.store import tables as t


def _lead_key() -> Any:
    lead = t.leads
    return case(
        (lead.c.converted_opportunity_id.is_not(None), lead.c.converted_opportunity_id),
        else_=-lead.c.id,
    )


def touches_select(as_of: datetime) -> CompoundSelect[Any]:
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
    return union(with_channel, lead_source, opp_source)


def touch_order(touches: Any) -> list[Any]:
    """One order on every engine (NULLs sort first on SQLite, last on PostgreSQL): by record,
    time, then at the same moment a campaign before a source, campaigns by id."""
    no_campaign = case((touches.c.campaign_id.is_(None), 1), else_=0)
    return [touches.c.key, touches.c.at, no_campaign, touches.c.campaign_id, touches.c.channel]


def moment(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def deal_values(model: StageModel, as_of: datetime, corporate: str) -> Subquery:
    """Every opportunity's amount at ``as_of`` in the corporate currency: record_id, cents
    (NULL when its currency has no rate), currency and unrated (1 when it has none)."""
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
    return (
        select(
            state.c.record_id,
            case((value.unrated, null()), else_=value.amount).label("cents"),
            opp.c.currency,
            case((value.unrated, 1), else_=0).label("unrated"),
        )
        .select_from(state.join(opp, opp.c.id == state.c.record_id))
        .subquery("deal_values")
    )


@contextmanager
def deal_value_table(
    connection: Connection, model: StageModel, as_of: datetime, corporate: str
) -> Iterator[Table]:
    """:func:`deal_values` computed once into a temporary table: every credit query joins it,
    and each would otherwise rebuild every deal's state from history."""
    values = deal_values(model, as_of, corporate)
    columns: list[Column[Any]] = [
        Column("record_id", Integer),
        Column("cents", BigInteger),
        Column("currency", String),
        Column("unrated", Integer),
    ]
    with temporary(connection, select(values), columns, "deal_values") as table:
        if connection.dialect.name in ("sqlite", "postgresql"):
            connection.execute(
                text(f"CREATE INDEX {table.name}_record ON {table.name} (record_id)")
            )
        yield table


def unrated_deals(connection: Connection, values: Any) -> dict[str, int]:
    """Per currency, the deals whose amount could not be converted (left out of amounts)."""
    query = (
        select(values.c.currency, func.count())
        .where(values.c.unrated == 1)
        .group_by(values.c.currency)
    )
    return {str(c): int(n) for c, n in connection.execute(query)}


def campaign_costs(connection: Connection) -> list[tuple[int, str, str | None, int | None, str]]:
    """id, name, channel, cost (cents, None when unknown) and currency of every campaign."""
    c = t.campaigns
    rows = connection.execute(
        select(c.c.id, c.c.name, c.c.channel, c.c.cost_cents, c.c.currency).order_by(c.c.id)
    )
    return [(int(i), n, ch, cost, cur or "") for i, n, ch, cost, cur in rows]
