"""Salesforce objects (Data Loader exports or API reads, with API field names) as records.

The same builders serve a folder of CSV exports and the live connector: each takes a row as
``{field: text}``. Stage and lead status names go through explicit tables: the defaults below
cover Salesforce's standard sales and lead processes, and a table of your own (``--stages``,
``--lead-statuses``) adds to them, its entries winning on a clash.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqo.domain.errors import InvalidValue
from sqo.domain.records import Lead, Opportunity
from sqo.domain.stages import LEAD_KINDS, StageKind, StageModel
from sqo.domain.values import parse_currency
from sqo.i18n import _
from sqo.io import rates, salesforce_stream
from sqo.io.incoming import Incoming, IncomingStaged, Item, Kind, Ref, Rejected
from sqo.io.notes import FileNotes
from sqo.io.salesforce_segments import AccountSegments
from sqo.io.stages import StageMapper
from sqo.io.staging import EventStage
from sqo.io.start_stage import start_stage
from sqo.io.values import parse_bool, parse_day, parse_int, parse_moment, parse_money, parse_percent

SOURCE = "salesforce"

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
    return f"sf:{value.strip()}"


def _text(row: dict[str, str], name: str) -> str | None:
    value = (row.get(name) or "").strip()
    return value or None


_EMPTY_ID = re.compile(r"0{15}(?:AAA)?")


def salesforce_id(row: dict[str, str], name: str) -> str | None:
    """An id field's value; None when empty or Salesforce's empty id (``000000000000000AAA``,
    which a lead converted without an opportunity carries in ConvertedOpportunityId)."""
    value = _text(row, name)
    return None if value is None or _EMPTY_ID.fullmatch(value) else value


@dataclass
class SalesforceReader:
    model: StageModel
    now: datetime
    currency: str
    stages: dict[str, str]
    lead_statuses: dict[str, str]
    date_format: str = "iso"
    segments: AccountSegments = dataclasses.field(default_factory=AccountSegments)
    # Where a closed deal with no stage history starts (default: the first open stage).
    start_stage: str | None = None

    def __post_init__(self) -> None:
        self.start_stage = start_stage(self.model, self.start_stage, option="--start-stage")
        self.without_stage_history = 0  # closed deals given the start stage
        self.opp_stages = StageMapper(
            self.model,
            self.stages,
            defaults=DEFAULT_STAGES,
            where=_("a stage map given with --stages"),
        )
        self.lead_stages = StageMapper(
            self.model,
            self.lead_statuses,
            defaults=DEFAULT_LEAD_STATUSES,
            kinds=LEAD_KINDS,
            where=_("a lead status map given with --lead-statuses"),
        )
        self.events = EventStage()
        self.notes = FileNotes()  # of the file being read
        # CreatedDate (as written) of the deals that leads without a CreatedDate became.
        self.deal_created: dict[str, str] = {}
        self.deal_created_order = self.date_format  # Opportunity.csv's date order
        self._stage_names: dict[tuple[bool, str | None], str] = {}
        self._refs: dict[tuple[Kind, str], Ref] = {}
        self._layout: tuple[tuple[str, ...], HistoryLayout] | None = None

    # ---- helpers -------------------------------------------------------------------------
    def moment(self, row: dict[str, str], name: str) -> datetime | None:
        text = _text(row, name)
        return parse_moment(text, field=name, order=self.date_format) if text else None

    def _placeholder_ref(self, kind: Kind, value: str, what: str) -> Ref:
        """A reference that creates ``Salesforce {what} {value}`` when unknown; references
        are immutable, so one per id serves every row that names it."""
        found = self._refs.get((kind, value))
        if found is None:
            if len(self._refs) >= 100_000:
                self._refs.clear()
            found = Ref(kind, key(kind, value), placeholder=f"Salesforce {what} {value}")
            self._refs[kind, value] = found
        return found

    def _owner(self, row: dict[str, str], refs: dict[str, Ref], field: str = "owner_id") -> None:
        owner = _text(row, "OwnerId")
        if owner and owner.startswith("005"):
            refs[field] = self._placeholder_ref(Kind.REP, owner, "user")

    def _custom(self, row: dict[str, str]) -> dict[str, Any]:
        return {k: v for k, v in row.items() if k.endswith("__c") and v not in ("", None)}

    # ---- objects -------------------------------------------------------------------------
    def user(self, n: int, row: dict[str, str]) -> Item:
        name = _text(row, "Name") or " ".join(
            x for x in (_text(row, "FirstName"), _text(row, "LastName")) if x
        )
        refs: dict[str, Ref] = {}
        if team := _text(row, "Department") or _text(row, "UserRole.Name"):
            refs["team_id"] = Ref(Kind.TEAM, f"sf:team:{team}", placeholder=team)
        if manager := _text(row, "ManagerId"):
            refs["manager_id"] = Ref(Kind.REP, key(Kind.REP, manager), required=False)
        active = _text(row, "IsActive")
        return Incoming(
            n,
            Kind.REP,
            key(Kind.REP, row["Id"]),
            {
                "name": name or row["Id"],
                "email": _text(row, "Email"),
                "active": parse_bool(active, field="IsActive") if active else True,
                "role": "rep",
            },
            refs,
            row,
        )

    def account(self, n: int, row: dict[str, str]) -> Item:
        employees_text = _text(row, "NumberOfEmployees")
        employees = parse_int(employees_text, field="NumberOfEmployees") if employees_text else None
        segment = self.segments.of(row, employees)
        return Incoming(
            n,
            Kind.ACCOUNT,
            key(Kind.ACCOUNT, row["Id"]),
            {
                "name": row["Name"].strip(),
                "industry": _text(row, "Industry"),
                "employees": employees,
                "country": _text(row, "BillingCountry"),
                "segment": segment.value if segment else None,
                "created_at": self.moment(row, "CreatedDate"),
                "attributes": self._custom(row),
            },
            raw=row,
        )

    def campaign(self, n: int, row: dict[str, str]) -> Item:
        cost = _text(row, "ActualCost")
        return Incoming(
            n,
            Kind.CAMPAIGN,
            key(Kind.CAMPAIGN, row["Id"]),
            {
                "name": row["Name"].strip(),
                "channel": _text(row, "Type"),
                "cost_cents": parse_money(cost, field="ActualCost", notes=self.notes)[0]
                if cost
                else None,
                "currency": self.currency if cost else None,
                "start_date": (d.date() if (d := self.moment(row, "StartDate")) else None),
                "end_date": (d.date() if (d := self.moment(row, "EndDate")) else None),
            },
            raw=row,
        )

    def contact(self, n: int, row: dict[str, str]) -> Item:
        name = _text(row, "Name") or " ".join(
            x for x in (_text(row, "FirstName"), _text(row, "LastName")) if x
        )
        refs: dict[str, Ref] = {}
        if account := _text(row, "AccountId"):
            refs["account_id"] = Ref(Kind.ACCOUNT, key(Kind.ACCOUNT, account), required=False)
        return Incoming(
            n,
            Kind.CONTACT,
            key(Kind.CONTACT, row["Id"]),
            {"name": name or row["Id"], "email": _text(row, "Email"), "title": _text(row, "Title")},
            refs,
            row,
        )

    def stage_history(self, n: int, row: dict[str, str], field: str) -> Item:
        """A row of OpportunityHistory / OpportunityFieldHistory / LeadHistory: staged."""
        if self.stage_event(row, field):
            return Incoming(n, Kind.HISTORY, "", {"staged": True})
        return Incoming(n, Kind.HISTORY, "", {"skip": True})  # another field's history

    def stage_event(self, row: dict[str, str], field: str) -> bool:
        """Stage a history row's events; False for the history of a field not kept.

        An OpportunityHistory row is the deal's stage, amount, close date, forecast category
        and probability as of its CreatedDate; an OpportunityFieldHistory row one field's
        change (OldValue until CreatedDate, NewValue from then on); a LeadHistory row's status
        change is a stage move."""
        is_lead = "LeadId" in row and field != "StageName"
        record = _text(row, "LeadId" if is_lead else "OpportunityId")
        if not record:
            raise InvalidValue(_("the record id is empty."), field="id")
        record_key = key(Kind.LEAD if is_lead else Kind.OPPORTUNITY, record)
        if "Field" in row:  # field history: one field's change
            changed = (row.get("Field") or "").strip()
            if not is_lead and changed in FIELD_HISTORY:
                return self._field_change(row, record_key, FIELD_HISTORY[changed])
            if changed not in (field, "created"):
                return False
            if changed == "created" and not _text(row, "NewValue"):
                return False  # "the record was created", with no value: the record's row tells
            at = self._history_time(row)
            self.events.add_one(record_key, at, self._stage_name(is_lead, _text(row, "NewValue")))
            return True
        at = self._history_time(row)
        stage = self._stage_name(is_lead, _text(row, "StageName"))
        fields, columns = self._history_layout(row)
        if is_lead or not columns:  # stages alone: the compact form
            self.events.add_one(record_key, at, stage)
            return True
        values: list[str | None] = [stage]
        for column, (name, seen) in columns:
            raw = row.get(column) or ""
            if raw not in seen:  # parsed once per distinct text (a deal's rows repeat them)
                if len(seen) >= 50_000:
                    seen.clear()
                seen[raw] = self._history_value(name, raw)
            values.append(seen[raw])
        self.events.add_values(record_key, at, fields, values)
        return True

    def _history_time(self, row: dict[str, str]) -> datetime:
        at = self.moment(row, "CreatedDate")
        if at is None:
            raise InvalidValue(_("the CreatedDate is empty."), field="CreatedDate")
        return at

    def _stage_name(self, is_lead: bool, name: str | None) -> str:
        stage = self._stage_names.get((is_lead, name))
        if stage is None:  # mapped once per distinct name (refusals are counted every time)
            mapper = self.lead_stages if is_lead else self.opp_stages
            stage = self._stage_names[is_lead, name] = mapper.stage(name).name
        return stage

    def _history_layout(self, row: dict[str, str]) -> HistoryLayout:
        """The fields an OpportunityHistory file holds (the stage first) and, for each column
        besides StageName, its field and the values already read from it; one header per
        file, so worked out once."""
        # A reader reads one OpportunityHistory source: its header is checked by its size.
        if self._layout is None or len(self._layout[0]) != len(row):
            header = tuple(row)
            columns: list[tuple[str, tuple[str, dict[str, str | None]]]] = [
                (c, (f, {})) for c, f in OPPORTUNITY_HISTORY.items() if c in row
            ]
            fields = ("stage", *(f for _c, (f, _seen) in columns))
            self._layout = (header, (fields, columns))
        return self._layout[1]

    def _field_change(self, row: dict[str, str], record: str, field: str) -> bool:
        at = self._history_time(row)
        if "OldValue" in row:
            old = self._history_value(field, row.get("OldValue"))
            self.events.add_values(record, at, (field,), [old], before=True)
        new = self._history_value(field, row.get("NewValue"))
        self.events.add_values(record, at, (field,), [new])
        return True

    def _history_value(self, field: str, raw: str | None) -> str | None:
        """A history cell as the history text of ``field`` (None: empty)."""
        text = (raw or "").strip()
        if not text:
            return None
        if field == "amount_cents":
            return str(parse_money(text, field="Amount")[0])
        if field == "close_date":
            return parse_day(text, field="CloseDate", order=self.date_format).isoformat()
        if field == "probability":
            return str(parse_percent(text, scale_100=True))
        if field == "forecast_category":
            return FORECAST_CATEGORIES.get(text, text)
        return text[:255]

    def opportunity(self, n: int, row: dict[str, str]) -> IncomingStaged:
        stage = self.opp_stages.stage(_text(row, "StageName"))
        created = self.moment(row, "CreatedDate") or self.now
        amount = _text(row, "Amount")
        currency = _text(row, "CurrencyIsoCode")
        cents, shown = (
            parse_money(amount, field="Amount", notes=self.notes) if amount else (None, None)
        )
        probability = _text(row, "Probability")
        opp = Opportunity(
            id=0,
            name=_text(row, "Name") or row["Id"],
            stage=stage.name,
            created_at=created,
            currency=parse_currency(currency) if currency else (shown or self.currency),
            amount_cents=cents,
            close_date=(
                parse_day(d, field="CloseDate", order=self.date_format)
                if (d := _text(row, "CloseDate"))
                else None
            ),
            next_step=_text(row, "NextStep") or None,
            forecast_category=_text(row, "ForecastCategoryName") or stage.forecast_category.value,
            probability=(
                parse_percent(probability, scale_100=True) if probability else stage.probability
            ),
            loss_reason=_text(row, "Loss_Reason__c") if stage.kind is StageKind.LOST else None,
            source=_text(row, "LeadSource"),
            external_id=key(Kind.OPPORTUNITY, row["Id"]),
            attributes=self._custom(row),
        )
        if opp.forecast_category == "Omitted" and stage.kind is StageKind.WON:
            opp.forecast_category = "Closed"
        refs: dict[str, Ref] = {}
        self._owner(row, refs)
        if account := _text(row, "AccountId"):
            refs["account_id"] = self._placeholder_ref(Kind.ACCOUNT, account, "account")
        if campaign := _text(row, "CampaignId"):
            refs["campaign_id"] = Ref(Kind.CAMPAIGN, key(Kind.CAMPAIGN, campaign), required=False)
        return IncomingStaged(
            n,
            Kind.OPPORTUNITY,
            opp,
            refs,
            modified_at=self.moment(row, "LastModifiedDate"),
            raw=row,
        )

    def lead(self, n: int, row: dict[str, str]) -> IncomingStaged:
        stage = self.lead_stages.stage(_text(row, "Status"))
        name = _text(row, "Name") or " ".join(
            x for x in (_text(row, "FirstName"), _text(row, "LastName")) if x
        )
        lead = Lead(
            id=0,
            name=name or row["Id"],
            stage=stage.name,
            created_at=self.moment(row, "CreatedDate") or self.lead_created(row),
            company=_text(row, "Company"),
            email=_text(row, "Email"),
            source=_text(row, "LeadSource"),
            external_id=key(Kind.LEAD, row["Id"]),
            attributes=self._custom(row),
        )
        refs: dict[str, Ref] = {}
        self._owner(row, refs)
        converted = _text(row, "IsConverted")
        # IsConverted is the fact; the ids only say what the conversion created, and a
        # conversion that created no opportunity (or account) writes Salesforce's empty id.
        if converted and parse_bool(converted, field="IsConverted"):
            lead.converted_at = self.moment(row, "ConvertedDate")
            if opp := salesforce_id(row, "ConvertedOpportunityId"):
                refs["converted_opportunity_id"] = Ref(
                    Kind.OPPORTUNITY, key(Kind.OPPORTUNITY, opp), required=False
                )
            if account := salesforce_id(row, "ConvertedAccountId"):
                refs["account_id"] = Ref(Kind.ACCOUNT, key(Kind.ACCOUNT, account), required=False)
        return IncomingStaged(n, Kind.LEAD, lead, refs, raw=row)

    def lead_created(self, row: dict[str, str]) -> datetime:
        """When a lead exported without its CreatedDate was created: the earliest time the
        export knows for it (its status history, its conversion, the creation of the deal it
        became, its last modification), so that it never shows a lead stage after its deal
        was created; the time of the import only when the export knows none."""
        record = key(Kind.LEAD, row["Id"])
        known = [event.at for event in self.events.events_for([record]).get(record, [])]
        if (converted := self.moment(row, "ConvertedDate")) is not None:
            known.append(converted)
        deal = salesforce_id(row, "ConvertedOpportunityId")
        if deal and (deal_created := self.deal_created.get(deal)):
            known.append(
                parse_moment(deal_created, field="CreatedDate", order=self.deal_created_order)
            )
        if (modified := self.moment(row, "LastModifiedDate")) is not None:
            known.append(modified)
        return min(known, default=self.now)

    def contact_role(self, n: int, row: dict[str, str]) -> Item:
        role = _text(row, "Role")
        primary = _text(row, "IsPrimary")
        return Incoming(
            n,
            Kind.CONTACT_ROLE,
            key(Kind.CONTACT_ROLE, row["Id"]),
            {
                "role": ROLES.get(role, "other") if role else None,
                "is_primary": parse_bool(primary, field="IsPrimary") if primary else False,
            },
            {
                "opportunity_id": Ref(
                    Kind.OPPORTUNITY, key(Kind.OPPORTUNITY, row["OpportunityId"])
                ),
                "contact_id": Ref(Kind.CONTACT, key(Kind.CONTACT, row["ContactId"])),
            },
            row,
        )

    def campaign_member(self, n: int, row: dict[str, str]) -> Item:
        refs = {"campaign_id": Ref(Kind.CAMPAIGN, key(Kind.CAMPAIGN, row["CampaignId"]))}
        if lead := _text(row, "LeadId"):
            refs["lead_id"] = Ref(Kind.LEAD, key(Kind.LEAD, lead))
        if contact := _text(row, "ContactId"):
            refs["contact_id"] = Ref(Kind.CONTACT, key(Kind.CONTACT, contact))
        touched = self.moment(row, "FirstRespondedDate") or self.moment(row, "CreatedDate")
        return Incoming(
            n,
            Kind.CAMPAIGN_MEMBER,
            key(Kind.CAMPAIGN_MEMBER, row["Id"]),
            {"status": _text(row, "Status"), "touched_at": touched or self.now},
            refs,
            row,
        )

    def activity(self, n: int, row: dict[str, str], obj: str) -> Item:
        what, who = _text(row, "WhatId"), _text(row, "WhoId")
        refs: dict[str, Ref] = {}
        if what and what.startswith("006"):
            refs["opportunity_id"] = Ref(Kind.OPPORTUNITY, key(Kind.OPPORTUNITY, what))
        if who and who.startswith("00Q"):
            refs["lead_id"] = Ref(Kind.LEAD, key(Kind.LEAD, who))
        elif who and who.startswith("003"):
            refs["contact_id"] = Ref(Kind.CONTACT, key(Kind.CONTACT, who), required=False)
        self._owner(row, refs, "rep_id")
        subtype = (_text(row, "TaskSubtype") or _text(row, "Type") or "").casefold()
        if obj == "Event":
            kind = "demo" if "demo" in subtype else "meeting"
            at = self.moment(row, "StartDateTime") or self.moment(row, "ActivityDateTime")
        else:
            kind = "call" if "call" in subtype else "email" if "email" in subtype else "note"
            at = self.moment(row, "CompletedDateTime")
        at = at or self.moment(row, "ActivityDate") or self.moment(row, "CreatedDate")
        if at is None:
            raise InvalidValue(_("the activity has no date (ActivityDate)."), field="ActivityDate")
        return Incoming(
            n,
            Kind.ACTIVITY,
            key(Kind.ACTIVITY, row["Id"]),
            {
                "kind": kind,
                "direction": "outbound",
                "subject": (_text(row, "Subject") or "")[:255] or None,
                "occurred_at": at,
            },
            refs,
            row,
        )

    def builder(self, obj: str) -> Callable[[int, dict[str, str]], Item]:
        return {
            "CurrencyType": lambda n, r: rates.currency_type(
                n, r, key(Kind.EXCHANGE_RATE, r["Id"])
            ),
            "DatedConversionRate": lambda n, r: rates.dated_conversion_rate(
                n, r, key(Kind.EXCHANGE_RATE, r["Id"]), self.date_format
            ),
            "User": self.user,
            "Account": self.account,
            "Campaign": self.campaign,
            "Contact": self.contact,
            "OpportunityHistory": lambda n, r: self.stage_history(n, r, "StageName"),
            "OpportunityFieldHistory": lambda n, r: self.stage_history(n, r, "StageName"),
            "LeadHistory": lambda n, r: self.stage_history(n, r, "Status"),
            "Opportunity": self.opportunity,
            "Lead": self.lead,
            "OpportunityContactRole": self.contact_role,
            "CampaignMember": self.campaign_member,
            "Task": lambda n, r: self.activity(n, r, "Task"),
            "Event": lambda n, r: self.activity(n, r, "Event"),
        }[obj]

    def items(
        self,
        obj: str,
        rows: Iterable[tuple[int, dict[str, str]] | Rejected],
        known: Callable[[Kind, list[str]], set[str]] | None = None,
        notes: list[str] | None = None,
    ) -> Iterator[Item]:
        """The records of one object's rows; staged history joins its records here. What
        the import assumed goes to ``notes`` (for the import report)."""
        return salesforce_stream.items(self, obj, rows, known, notes)
