"""Salesforce's vocabulary as sqo reads it: the objects imported and the fields each needs, the
default stage and lead status tables, the history fields kept, contact roles, and record ids.

Shared by the object builders (:mod:`sqo.io.salesforce`), the history rows
(:mod:`sqo.io.salesforce_history`), the folder reader (:mod:`sqo.io.salesforce_files`) and the
live connector (:mod:`sqo.io.connectors.salesforce_api`).
"""

from __future__ import annotations

import re
from datetime import datetime

from sqo.io.incoming import Kind
from sqo.io.values import parse_moment

DEFAULT_STAGES = {
    "Prospecting": "Qualification",
    "Qualification": "Qualification",
    "Needs Analysis": "SQO",
    "Value Proposition": "Solution",
    "Id. Decision Makers": "Solution",
    "Perception Analysis": "Solution",
    "Proposal/Price Quote": "Proposal",
    "Negotiation/Review": "Negotiation",
    "Closed Won": "Won",
    "Closed Lost": "Lost",
}
# Both of Salesforce's default lead processes: the one orgs get today and the classic one.
# Neither has a "sales accepted" status; a lead a rep is working has been passed on (MQL), a
# lead being nurtured is back with marketing, not yet qualified (Lead).
DEFAULT_LEAD_STATUSES = {
    "New": "Lead",
    "Working": "MQL",
    "Nurturing": "Lead",
    "Qualified": "SQL",
    "Unqualified": "Disqualified",
    "Open - Not Contacted": "Lead",
    "Working - Contacted": "MQL",
    "Closed - Converted": "SQL",
    "Closed - Not Converted": "Disqualified",
}

# OpportunityHistory columns (besides StageName) and the fields they hold, each row a snapshot.
OPPORTUNITY_HISTORY = {
    "Amount": "amount_cents",
    "CloseDate": "close_date",
    "ForecastCategory": "forecast_category",
    "Probability": "probability",
}
# The fields of an OpportunityHistory file, and per column its field and the values read so far.
HistoryLayout = tuple[tuple[str, ...], list[tuple[str, tuple[str, dict[str, str | None]]]]]

# OpportunityFieldHistory's Field values kept, besides StageName (stage moves, read as such).
# Owner changes are not: they name users by id, which the history rows do not resolve.
FIELD_HISTORY = {
    "Amount": "amount_cents",
    "CloseDate": "close_date",
    "ForecastCategoryName": "forecast_category",
    "ForecastCategory": "forecast_category",
    "Probability": "probability",
    "NextStep": "next_step",
    "Name": "name",
}
# ForecastCategory holds the API names; ForecastCategoryName (and sqo) the labels.
FORECAST_CATEGORIES = {"BestCase": "Best Case", "Forecast": "Commit"}

# The objects read, in the order they are imported (parents first; rates before amounts).
OBJECTS = (
    "CurrencyType",
    "DatedConversionRate",
    "User",
    "Account",
    "Campaign",
    "Contact",
    "OpportunityHistory",
    "OpportunityFieldHistory",
    "Opportunity",
    "LeadHistory",
    "Lead",
    "OpportunityContactRole",
    "CampaignMember",
    "Task",
    "Event",
)
REQUIRED = {
    "CurrencyType": ["Id", "IsoCode", "ConversionRate"],
    "DatedConversionRate": ["Id", "IsoCode", "ConversionRate", "StartDate"],
    "User": ["Id"],
    "Account": ["Id", "Name"],
    "Campaign": ["Id", "Name"],
    "Contact": ["Id"],
    "OpportunityHistory": ["OpportunityId", "StageName", "CreatedDate"],
    "OpportunityFieldHistory": ["OpportunityId", "Field", "NewValue", "CreatedDate"],
    "Opportunity": ["Id", "StageName"],
    "LeadHistory": ["LeadId", "Field", "NewValue", "CreatedDate"],
    "Lead": ["Id", "Status"],
    "OpportunityContactRole": ["Id", "OpportunityId", "ContactId"],
    "CampaignMember": ["Id", "CampaignId"],
    "Task": ["Id"],
    "Event": ["Id"],
}
ROLES = {
    "Economic Buyer": "economic_buyer",
    "Economic Decision Maker": "economic_buyer",
    "Decision Maker": "decision_maker",
    "Technical Buyer": "technical_buyer",
    "Evaluator": "technical_buyer",
    "Influencer": "influencer",
    "Executive Sponsor": "champion",
    "Business User": "stakeholder",
    "Other": "other",
}


def key(prefix: Kind | str, value: str) -> str:
    """The import key of a Salesforce record. Its id is unique across objects (the first three
    characters name the object), so the kind (``prefix``) does not need to be part of it."""
    return f"sf:{value.strip()}"


def field_text(row: dict[str, str], name: str) -> str | None:
    """A field's text, stripped; None when the field is missing or empty."""
    value = (row.get(name) or "").strip()
    return value or None


def person_name(row: dict[str, str]) -> str:
    """A user's, contact's or lead's Name, else its first and last names ("" when none)."""
    first_last = (field_text(row, "FirstName"), field_text(row, "LastName"))
    return field_text(row, "Name") or " ".join(x for x in first_last if x)


def moment(row: dict[str, str], name: str, order: str) -> datetime | None:
    """A date-time field (dates in the day/month ``order`` of the export); None when empty."""
    text = field_text(row, name)
    return parse_moment(text, field=name, order=order) if text else None


_EMPTY_ID = re.compile(r"0{15}(?:AAA)?")


def salesforce_id(row: dict[str, str], name: str) -> str | None:
    """An id field's value; None when empty or Salesforce's empty id (``000000000000000AAA``,
    which a lead converted without an opportunity carries in ConvertedOpportunityId)."""
    value = field_text(row, name)
    return None if value is None or _EMPTY_ID.fullmatch(value) else value
