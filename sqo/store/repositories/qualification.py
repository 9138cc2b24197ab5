"""Qualification data: evidence, promotion records, and the facts playbook rules read.

Facts for many records are loaded with a handful of set-based queries (never one per record);
an opportunity's evidence, contacts and activities come back in one query, since a promotion
evaluates one deal inside the transaction that moves it and each round trip is paid there.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    DateTime,
    Integer,
    String,
    and_,
    cast,
    literal_column,
    null,
    or_,
    select,
    union_all,
)

from sqo.domain.playbooks.facts import ActivityFact, ContactFact, EvidenceFact, Facts
from sqo.domain.records import Lead, Opportunity
from sqo.store import tables as t
from sqo.store.repositories.base import Repository, to_record
from sqo.store.repositories.records import OpportunityRepository

ACCOUNT_FACTS = ("segment", "industry", "employees", "country")


class QualificationRepository(Repository):
    # -- evidence -------------------------------------------------------------------------------

    def add_evidence(
        self,
        *,
        record_type: str,
        record_id: int,
        criterion: str,
        note: str,
        recorded_by: str,
        recorded_at: datetime,
    ) -> int:
        return self._insert(
            t.qualification_evidence,
            {
                "record_type": record_type,
                "record_id": record_id,
                "criterion": criterion,
                "note": note,
                "recorded_by": recorded_by,
                "recorded_at": recorded_at,
            },
        )

    def evidence(
        self, record_type: str, ids: Iterable[int], as_of: datetime
    ) -> dict[int, list[EvidenceFact]]:
        """Evidence recorded up to ``as_of`` and not retracted by then, per record id."""
        wanted = sorted(set(ids))
        found: dict[int, list[EvidenceFact]] = defaultdict(list)
        if not wanted:
            return found
        e = t.qualification_evidence
        rows = self.connection.execute(
            select(e.c.record_id, e.c.criterion, e.c.note, e.c.recorded_by, e.c.recorded_at)
            .where(
                e.c.record_type == record_type,
                e.c.record_id.in_(wanted),
                e.c.recorded_at <= as_of,
                or_(e.c.retracted_at.is_(None), e.c.retracted_at > as_of),
            )
            .order_by(e.c.recorded_at, e.c.id)
        )
        for record_id, criterion, note, by, at in rows:
            found[record_id].append(EvidenceFact(criterion, note, by, at))
        return found

    # -- promotion records ----------------------------------------------------------------------
    # The evaluation stored at each promotion (table ``qualification_snapshots``).

    def add_promotion_record(self, values: dict[str, Any]) -> int:
        return self._insert(t.qualification_snapshots, values)

    def promotion_records(self, opportunity_id: int) -> list[dict[str, Any]]:
        s = t.qualification_snapshots
        rows = self.connection.execute(
            select(s).where(s.c.opportunity_id == opportunity_id).order_by(s.c.evaluated_at, s.c.id)
        ).mappings()
        return [dict(row) for row in rows]

    # -- facts ----------------------------------------------------------------------------------

    def opportunity_with_account(
        self, opportunity_id: int
    ) -> tuple[Opportunity, dict[int, dict[str, Any]]] | None:
        """The opportunity and its account's facts (as :meth:`opportunity_facts` takes them),
        in one query; None when there is no such opportunity."""
        o, a = t.opportunities, t.accounts
        row = (
            self.connection.execute(
                select(o, *(a.c[name].label(f"account_{name}") for name in ACCOUNT_FACTS))
                .outerjoin(a, a.c.id == o.c.account_id)
                .where(o.c.id == opportunity_id)
            )
            .mappings()
            .first()
        )
        if row is None:
            return None
        opp = to_record(Opportunity, row, **OpportunityRepository.converters)
        accounts = {}
        if opp.account_id:
            accounts[opp.account_id] = {
                "id": opp.account_id,
                **{name: row[f"account_{name}"] for name in ACCOUNT_FACTS},
            }
        return opp, accounts

    def _accounts(self, ids: set[int]) -> dict[int, dict[str, Any]]:
        if not ids:
            return {}
        a = t.accounts
        rows = self.connection.execute(
            select(a.c.id, *(a.c[name] for name in ACCOUNT_FACTS)).where(a.c.id.in_(sorted(ids)))
        ).mappings()
        return {row["id"]: dict(row) for row in rows}

    def _activities(
        self,
        *,
        opportunity_ids: Sequence[int],
        lead_ids: Sequence[int],
        since: datetime,
        until: datetime,
    ) -> list[Any]:
        a = t.activities
        conditions = []
        if opportunity_ids:
            conditions.append(a.c.opportunity_id.in_(opportunity_ids))
        if lead_ids:
            conditions.append(a.c.lead_id.in_(lead_ids))
        if not conditions:
            return []
        return list(
            self.connection.execute(
                select(a.c.opportunity_id, a.c.lead_id, a.c.kind, a.c.direction, a.c.occurred_at)
                .where(or_(*conditions), and_(a.c.occurred_at >= since, a.c.occurred_at <= until))
                .order_by(a.c.occurred_at, a.c.id)
            )
        )

    def _account_contacts(self, account_ids: set[int]) -> dict[int, list[ContactFact]]:
        found: dict[int, list[ContactFact]] = defaultdict(list)
        if not account_ids:
            return found
        c = t.contacts
        rows = self.connection.execute(
            select(c.c.account_id, c.c.name, c.c.buying_role)
            .where(c.c.account_id.in_(sorted(account_ids)))
            .order_by(c.c.account_id, c.c.id)
        )
        for account_id, name, role in rows:
            found[account_id].append(ContactFact(name, role))
        return found

    def _deal_facts(
        self,
        opportunity_ids: Sequence[int],
        lead_ids: Sequence[int],
        *,
        as_of: datetime,
        activity_days: int,
    ) -> Any:
        """Evidence (on the deals and their leads), deal contacts and recent activities in one
        UNION ALL. Each row has its ``part`` (evidence, contact, activity), whose it is
        (``owner_type``, ``owner_id``; an activity on a lead: ``lead_id``), ``name`` (criterion,
        contact name, activity kind), ``detail`` (note, role in the deal, direction), ``extra``
        (who recorded the evidence, the contact's own buying role) and ``at``; in the order
        each kind is read (by time, then id; contacts by deal, then id)."""
        e, oc, c, a = t.qualification_evidence, t.opportunity_contacts, t.contacts, t.activities
        no_text, no_id, no_time = (
            cast(null(), String),
            cast(null(), Integer),
            cast(null(), DateTime),
        )
        owners = []
        if opportunity_ids:
            owners.append(
                and_(e.c.record_type == "opportunity", e.c.record_id.in_(opportunity_ids))
            )
        if lead_ids:
            owners.append(and_(e.c.record_type == "lead", e.c.record_id.in_(lead_ids)))
        parts = [
            select(
                literal_column("'evidence'", String).label("part"),
                e.c.record_type.label("owner_type"),
                e.c.record_id.label("owner_id"),
                no_id.label("lead_id"),
                e.c.criterion.label("name"),
                e.c.note.label("detail"),
                e.c.recorded_by.label("extra"),
                e.c.recorded_at.label("at"),
                e.c.id.label("row_id"),
            ).where(
                or_(*owners),
                e.c.recorded_at <= as_of,
                or_(e.c.retracted_at.is_(None), e.c.retracted_at > as_of),
            )
        ]
        if opportunity_ids:
            parts.append(
                select(
                    literal_column("'contact'", String),
                    literal_column("'opportunity'", String),
                    oc.c.opportunity_id,
                    no_id,
                    c.c.name,
                    oc.c.role,
                    c.c.buying_role,
                    no_time,
                    c.c.id,
                )
                .select_from(oc)
                .join(c, c.c.id == oc.c.contact_id)
                .where(oc.c.opportunity_id.in_(opportunity_ids))
            )
        activity_owners = []
        if opportunity_ids:
            activity_owners.append(a.c.opportunity_id.in_(opportunity_ids))
        if lead_ids:
            activity_owners.append(a.c.lead_id.in_(lead_ids))
        if activity_days:
            parts.append(
                select(
                    literal_column("'activity'", String),
                    no_text,
                    a.c.opportunity_id,
                    a.c.lead_id,
                    a.c.kind,
                    a.c.direction,
                    no_text,
                    a.c.occurred_at,
                    a.c.id,
                ).where(
                    or_(*activity_owners),
                    a.c.occurred_at >= as_of - timedelta(days=activity_days),
                    a.c.occurred_at <= as_of,
                )
            )
        facts = union_all(*parts).subquery()
        return self.connection.execute(
            select(facts).order_by(facts.c.part, facts.c.at, facts.c.owner_id, facts.c.row_id)
        ).mappings()

    def opportunity_facts(
        self,
        opportunities: Sequence[Opportunity],
        *,
        as_of: datetime,
        activity_days: int,
        accounts: dict[int, dict[str, Any]] | None = None,
    ) -> dict[int, Facts]:
        """Facts per opportunity (key: id). Evidence and activities logged on the lead an
        opportunity came from count for it too. An unsaved opportunity (id 0) has only its
        own fields (and its lead's). ``accounts``: the accounts' facts when the caller loaded
        them with the deals."""
        ids = [o.id for o in opportunities if o.id]
        lead_ids = sorted({o.lead_id for o in opportunities if o.lead_id})
        if accounts is None:
            accounts = self._accounts({o.account_id for o in opportunities if o.account_id})
        evidence: dict[int, list[EvidenceFact]] = defaultdict(list)
        lead_evidence: dict[int, list[EvidenceFact]] = defaultdict(list)
        contacts: dict[int, list[ContactFact]] = defaultdict(list)
        by_opp: dict[int, list[ActivityFact]] = defaultdict(list)
        by_lead: dict[int, list[ActivityFact]] = defaultdict(list)
        if ids or lead_ids:
            for row in self._deal_facts(ids, lead_ids, as_of=as_of, activity_days=activity_days):
                part, owner = row["part"], row["owner_id"]
                if part == "evidence":
                    found = evidence if row["owner_type"] == "opportunity" else lead_evidence
                    found[owner].append(
                        EvidenceFact(row["name"], row["detail"], row["extra"], row["at"])
                    )
                elif part == "contact":
                    contacts[owner].append(ContactFact(row["name"], row["detail"] or row["extra"]))
                elif owner is not None:
                    by_opp[owner].append(ActivityFact(row["name"], row["detail"], row["at"]))
                elif row["lead_id"] is not None:
                    by_lead[row["lead_id"]].append(
                        ActivityFact(row["name"], row["detail"], row["at"])
                    )
        result = {}
        for opp in opportunities:
            account = accounts.get(opp.account_id or 0, {})
            values = {
                "amount": None if opp.amount_cents is None else opp.amount_cents / 100,
                "close_date": opp.close_date,
                "next_step": opp.next_step,
                "next_step_due": opp.next_step_due,
                "competitors": list(opp.competitors),
                "account": opp.account_id,
                "owner": opp.owner_id,
                "source": opp.source,
                "campaign": opp.campaign_id,
                "complexity": opp.complexity.value,
                "stage": opp.stage,
                "segment": account.get("segment"),
                "industry": account.get("industry"),
                "employees": account.get("employees"),
                "country": account.get("country"),
            }
            lead = opp.lead_id or 0
            result[opp.id] = Facts(
                record_type="opportunity",
                record_id=opp.id,
                name=opp.name,
                values=values,
                activities=tuple(by_opp.get(opp.id, []) + by_lead.get(lead, [])),
                contacts=tuple(contacts.get(opp.id, [])),
                evidence=tuple(evidence.get(opp.id, []) + lead_evidence.get(lead, [])),
            )
        return result

    def lead_facts(
        self, leads: Sequence[Lead], *, as_of: datetime, activity_days: int
    ) -> dict[int, Facts]:
        """Facts per lead. A lead has no deal contacts: the contacts of its account count."""
        ids = [lead.id for lead in leads if lead.id]
        account_ids = {lead.account_id for lead in leads if lead.account_id}
        accounts = self._accounts(account_ids)
        contacts = self._account_contacts(account_ids)
        evidence = self.evidence("lead", ids, as_of)
        activities: dict[int, list[ActivityFact]] = defaultdict(list)
        if activity_days:
            for _opp, lead_id, kind, direction, at in self._activities(
                opportunity_ids=[],
                lead_ids=ids,
                since=as_of - timedelta(days=activity_days),
                until=as_of,
            ):
                activities[lead_id].append(ActivityFact(kind, direction, at))
        result = {}
        for lead in leads:
            account = accounts.get(lead.account_id or 0, {})
            values = {
                "company": lead.company,
                "email": lead.email,
                "account": lead.account_id,
                "owner": lead.owner_id,
                "source": lead.source,
                "campaign": lead.campaign_id,
                "stage": lead.stage,
                "segment": lead.segment.value if lead.segment else account.get("segment"),
                "industry": account.get("industry"),
                "employees": account.get("employees"),
                "country": account.get("country"),
                "complexity": None,
            }
            result[lead.id] = Facts(
                record_type="lead",
                record_id=lead.id,
                name=lead.name,
                values=values,
                activities=tuple(activities.get(lead.id, [])),
                contacts=tuple(contacts.get(lead.account_id or 0, [])),
                evidence=tuple(evidence.get(lead.id, [])),
            )
        return result
