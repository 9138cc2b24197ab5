"""Salesforce objects (Data Loader exports or API reads, with API field names) as records.

The same builders serve a folder of CSV exports and the live connector: each takes a row as
``{field: text}``. Stage and lead status names go through explicit tables: the defaults
cover Salesforce's standard sales and lead processes, and a table of your own (``--stages``,
``--lead-statuses``) adds to them, its entries winning on a clash.

Salesforce's names (objects, fields, the default tables) live in :mod:`sqo.io.salesforce_fields`,
the history rows in :mod:`sqo.io.salesforce_history`, the stream of one object's rows in
:mod:`sqo.io.salesforce_stream`.
"""

from __future__ import annotations

import dataclasses
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
from sqo.io.salesforce_fields import (
    DEFAULT_LEAD_STATUSES,
    DEFAULT_STAGES,
    ROLES,
    field_text,
    key,
    moment,
    person_name,
    salesforce_id,
)
from sqo.io.salesforce_history import HistoryRows
from sqo.io.salesforce_segments import AccountSegments
from sqo.io.stages import StageMapper
from sqo.io.staging import EventStage
from sqo.io.start_stage import start_stage
from sqo.io.values import parse_bool, parse_day, parse_int, parse_moment, parse_money, parse_percent

# Callers building a reader take the default stage tables from here, with the reader.
__all__ = ["DEFAULT_LEAD_STATUSES", "DEFAULT_STAGES", "SalesforceReader"]


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
        self._refs: dict[tuple[Kind, str], Ref] = {}
        self.history = HistoryRows(self.events, self.opp_stages, self.lead_stages)

    # ---- helpers -------------------------------------------------------------------------
    def moment(self, row: dict[str, str], name: str) -> datetime | None:
        return moment(row, name, self.date_format)

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
        owner = field_text(row, "OwnerId")
        if owner and owner.startswith("005"):
            refs[field] = self._placeholder_ref(Kind.REP, owner, "user")

    def _custom(self, row: dict[str, str]) -> dict[str, Any]:
        return {k: v for k, v in row.items() if k.endswith("__c") and v not in ("", None)}

    # ---- objects -------------------------------------------------------------------------
    def user(self, n: int, row: dict[str, str]) -> Item:
        name = person_name(row)
        refs: dict[str, Ref] = {}
        if team := field_text(row, "Department") or field_text(row, "UserRole.Name"):
            refs["team_id"] = Ref(Kind.TEAM, f"sf:team:{team}", placeholder=team)
        if manager := field_text(row, "ManagerId"):
            refs["manager_id"] = Ref(Kind.REP, key(Kind.REP, manager), required=False)
        active = field_text(row, "IsActive")
        return Incoming(
            n,
            Kind.REP,
            key(Kind.REP, row["Id"]),
            {
                "name": name or row["Id"],
                "email": field_text(row, "Email"),
                "active": parse_bool(active, field="IsActive") if active else True,
                "role": "rep",
            },
            refs,
            row,
        )

    def account(self, n: int, row: dict[str, str]) -> Item:
        employees_text = field_text(row, "NumberOfEmployees")
        employees = parse_int(employees_text, field="NumberOfEmployees") if employees_text else None
        segment = self.segments.of(row, employees)
        return Incoming(
            n,
            Kind.ACCOUNT,
            key(Kind.ACCOUNT, row["Id"]),
            {
                "name": row["Name"].strip(),
                "industry": field_text(row, "Industry"),
                "employees": employees,
                "country": field_text(row, "BillingCountry"),
                "segment": segment.value if segment else None,
                "created_at": self.moment(row, "CreatedDate"),
                "attributes": self._custom(row),
            },
            raw=row,
        )

    def campaign(self, n: int, row: dict[str, str]) -> Item:
        cost = field_text(row, "ActualCost")
        return Incoming(
            n,
            Kind.CAMPAIGN,
            key(Kind.CAMPAIGN, row["Id"]),
            {
                "name": row["Name"].strip(),
                "channel": field_text(row, "Type"),
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
        name = person_name(row)
        refs: dict[str, Ref] = {}
        if account := field_text(row, "AccountId"):
            refs["account_id"] = Ref(Kind.ACCOUNT, key(Kind.ACCOUNT, account), required=False)
        return Incoming(
            n,
            Kind.CONTACT,
            key(Kind.CONTACT, row["Id"]),
            {
                "name": name or row["Id"],
                "email": field_text(row, "Email"),
                "title": field_text(row, "Title"),
            },
            refs,
            row,
        )

    def stage_history(self, n: int, row: dict[str, str], field: str) -> Item:
        """A row of OpportunityHistory / OpportunityFieldHistory / LeadHistory: staged."""
        if self.stage_event(row, field):
            return Incoming(n, Kind.HISTORY, "", {"staged": True})
        return Incoming(n, Kind.HISTORY, "", {"skip": True})  # another field's history

    def stage_event(self, row: dict[str, str], field: str) -> bool:
        """Stage a history row's events; False for the history of a field not kept."""
        return self.history.stage_event(row, field, self.date_format)

    def opportunity(self, n: int, row: dict[str, str]) -> IncomingStaged:
        stage = self.opp_stages.stage(field_text(row, "StageName"))
        created = self.moment(row, "CreatedDate") or self.now
        amount = field_text(row, "Amount")
        currency = field_text(row, "CurrencyIsoCode")
        cents, shown = (
            parse_money(amount, field="Amount", notes=self.notes) if amount else (None, None)
        )
        probability = field_text(row, "Probability")
        opp = Opportunity(
            id=0,
            name=field_text(row, "Name") or row["Id"],
            stage=stage.name,
            created_at=created,
            currency=parse_currency(currency) if currency else (shown or self.currency),
            amount_cents=cents,
            close_date=(
                parse_day(d, field="CloseDate", order=self.date_format)
                if (d := field_text(row, "CloseDate"))
                else None
            ),
            next_step=field_text(row, "NextStep") or None,
            forecast_category=field_text(row, "ForecastCategoryName")
            or stage.forecast_category.value,
            probability=(
                parse_percent(probability, scale_100=True) if probability else stage.probability
            ),
            loss_reason=field_text(row, "Loss_Reason__c") if stage.kind is StageKind.LOST else None,
            source=field_text(row, "LeadSource"),
            external_id=key(Kind.OPPORTUNITY, row["Id"]),
            attributes=self._custom(row),
        )
        if opp.forecast_category == "Omitted" and stage.kind is StageKind.WON:
            opp.forecast_category = "Closed"
        refs: dict[str, Ref] = {}
        self._owner(row, refs)
        if account := field_text(row, "AccountId"):
            refs["account_id"] = self._placeholder_ref(Kind.ACCOUNT, account, "account")
        if campaign := field_text(row, "CampaignId"):
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
        stage = self.lead_stages.stage(field_text(row, "Status"))
        name = person_name(row)
        lead = Lead(
            id=0,
            name=name or row["Id"],
            stage=stage.name,
            created_at=self.moment(row, "CreatedDate") or self.lead_created(row),
            company=field_text(row, "Company"),
            email=field_text(row, "Email"),
            source=field_text(row, "LeadSource"),
            external_id=key(Kind.LEAD, row["Id"]),
            attributes=self._custom(row),
        )
        refs: dict[str, Ref] = {}
        self._owner(row, refs)
        converted = field_text(row, "IsConverted")
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
        role = field_text(row, "Role")
        primary = field_text(row, "IsPrimary")
        return Incoming(
            n,
            Kind.CONTACT_ROLE,
            key(Kind.CONTACT_ROLE, row["Id"]),
            {
                "role": ROLES.get(role, "other") if role else None,
                "is_primary": parse_bool(primary, field="IsPrimary") if primary else False,
                "added_at": self.moment(row, "CreatedDate"),
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
        if lead := field_text(row, "LeadId"):
            refs["lead_id"] = Ref(Kind.LEAD, key(Kind.LEAD, lead))
        if contact := field_text(row, "ContactId"):
            refs["contact_id"] = Ref(Kind.CONTACT, key(Kind.CONTACT, contact))
        touched = self.moment(row, "FirstRespondedDate") or self.moment(row, "CreatedDate")
        return Incoming(
            n,
            Kind.CAMPAIGN_MEMBER,
            key(Kind.CAMPAIGN_MEMBER, row["Id"]),
            {"status": field_text(row, "Status"), "touched_at": touched or self.now},
            refs,
            row,
        )

    def activity(self, n: int, row: dict[str, str], obj: str) -> Item:
        what, who = field_text(row, "WhatId"), field_text(row, "WhoId")
        refs: dict[str, Ref] = {}
        if what and what.startswith("006"):
            refs["opportunity_id"] = Ref(Kind.OPPORTUNITY, key(Kind.OPPORTUNITY, what))
        if who and who.startswith("00Q"):
            refs["lead_id"] = Ref(Kind.LEAD, key(Kind.LEAD, who))
        elif who and who.startswith("003"):
            refs["contact_id"] = Ref(Kind.CONTACT, key(Kind.CONTACT, who), required=False)
        self._owner(row, refs, "rep_id")
        subtype = (field_text(row, "TaskSubtype") or field_text(row, "Type") or "").casefold()
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
                "subject": (field_text(row, "Subject") or "")[:255] or None,
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
