"""What a face shows of opportunities and leads: a listing or one record, with the names of the
reps and accounts it mentions, and the public schema (``to_dict()``) every face returns.

The writes and the queries are in ``sqo.services.opportunities`` and ``sqo.services.leads``;
these gather what one screen, one ``--json`` or one route response needs, in as few reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqo.domain.actor import Actor
from sqo.domain.records import Activity, Lead, Opportunity
from sqo.services import directory, leads, opportunities
from sqo.services.activities import activities_for
from sqo.services.listing import Page
from sqo.services.public import page_dict, public_dict
from sqo.services.workspace import Workspace


@dataclass(frozen=True)
class OpportunityListing:
    page: Page[Opportunity]
    rep_names: dict[int, str] = field(default_factory=dict)
    account_names: dict[int, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return page_dict(self.page, "opportunities")


@dataclass(frozen=True)
class OpportunityDetail:
    opportunity: Opportunity
    activities: list[Activity]
    owner_name: str | None = None
    account_name: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return public_dict({"opportunity": self.opportunity, "activities": self.activities})


@dataclass(frozen=True)
class LeadListing:
    page: Page[Lead]
    converted_left_out: int  # converted leads the listing leaves out (they are opportunities)
    rep_names: dict[int, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return page_dict(self.page, "leads", converted_left_out=self.converted_left_out)


@dataclass(frozen=True)
class LeadConverted:
    lead: Lead
    opportunity: Opportunity

    def to_dict(self) -> dict[str, Any]:
        return public_dict({"lead": self.lead, "opportunity": self.opportunity})


def opportunity_listing(
    ws: Workspace,
    actor: Actor,
    *,
    stage: str | None = None,
    owner: str | None = None,
    open_only: bool = False,
    as_of: datetime | None = None,
    limit: int | None = None,
) -> OpportunityListing:
    """Opportunities now or as they stood at ``as_of``, cut at ``limit``, with their names."""
    page = opportunities.opportunity_page(
        ws, actor, stage=stage, owner=owner, open_only=open_only, as_of=as_of, limit=limit
    )
    reps, accounts = directory.display_names(
        ws,
        actor,
        rep_ids={o.owner_id for o in page.items if o.owner_id},
        account_ids={o.account_id for o in page.items if o.account_id},
    )
    return OpportunityListing(page, reps, accounts)


def opportunity_detail(
    ws: Workspace, actor: Actor, opportunity_id: int, *, as_of: datetime | None = None
) -> OpportunityDetail:
    """One opportunity (as it stood at ``as_of``) with its activities, owner and account."""
    opp = opportunities.get_opportunity(ws, actor, opportunity_id, as_of=as_of)
    acts = activities_for(ws, actor, opportunity_id=opp.id, as_of=as_of)
    reps, accounts = directory.display_names(
        ws,
        actor,
        rep_ids={opp.owner_id} if opp.owner_id else set(),
        account_ids={opp.account_id} if opp.account_id else set(),
    )
    return OpportunityDetail(
        opp, acts, reps.get(opp.owner_id or 0), accounts.get(opp.account_id or 0)
    )


def lead_listing(
    ws: Workspace,
    actor: Actor,
    *,
    stage: str | None = None,
    owner: str | None = None,
    as_of: datetime | None = None,
    limit: int | None = None,
    converted: bool = False,
) -> LeadListing:
    """Leads now or as they stood at ``as_of`` (converted ones only with ``converted``)."""
    page, left_out = leads.lead_page(
        ws, actor, stage=stage, owner=owner, as_of=as_of, limit=limit, converted=converted
    )
    reps, _accounts = directory.display_names(
        ws, actor, rep_ids={x.owner_id for x in page.items if x.owner_id}, account_ids=set()
    )
    return LeadListing(page, left_out, reps)


def convert_lead(
    ws: Workspace,
    actor: Actor,
    lead_id: int,
    *,
    opportunity_name: str | None = None,
    **opportunity_fields: Any,
) -> LeadConverted:
    """Convert a sales-qualified lead into an opportunity (``sqo.services.leads``)."""
    lead, opp = leads.convert_lead(
        ws, actor, lead_id, opportunity_name=opportunity_name, **opportunity_fields
    )
    return LeadConverted(lead, opp)
