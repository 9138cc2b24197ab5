from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, Table, func, or_, select

from sqo.domain.records import Account, Campaign, Contact
from sqo.domain.values import BuyingRole, Segment
from sqo.store import tables as t
from sqo.store.repositories.base import Repository, record_values, to_record


def _by_reference(table: Table, reference: str) -> list[ColumnElement[bool]]:
    text = reference.strip()
    conditions: list[ColumnElement[bool]] = [
        func.lower(table.c.name) == text.lower(),
        table.c.external_id == text,
    ]
    if text.isdigit():
        conditions.append(table.c.id == int(text))
    return [or_(*conditions)]


class AccountRepository(Repository):
    def add(self, account: Account) -> int:
        return self._insert(t.accounts, record_values(account))

    def get(self, account_id: int) -> Account | None:
        row = (
            self.connection.execute(select(t.accounts).where(t.accounts.c.id == account_id))
            .mappings()
            .first()
        )
        return to_record(Account, row, segment=Segment) if row else None

    def find(self, reference: str) -> Account | None:
        row = (
            self.connection.execute(
                select(t.accounts)
                .where(*_by_reference(t.accounts, reference))
                .order_by(t.accounts.c.id)
            )
            .mappings()
            .first()
        )
        return to_record(Account, row, segment=Segment) if row else None

    def names(self) -> list[str]:
        return list(
            self.connection.execute(select(t.accounts.c.name).order_by(t.accounts.c.name)).scalars()
        )

    def named(self, name: str) -> list[Account]:
        """Accounts whose name is ``name`` (case-insensitive), oldest first."""
        rows = self.connection.execute(
            select(t.accounts)
            .where(func.lower(t.accounts.c.name) == name.strip().lower())
            .order_by(t.accounts.c.id)
        ).mappings()
        return [to_record(Account, row, segment=Segment) for row in rows]

    def names_by_id(self, ids: set[int]) -> dict[int, str]:
        if not ids:
            return {}
        rows = self.connection.execute(
            select(t.accounts.c.id, t.accounts.c.name).where(t.accounts.c.id.in_(ids))
        )
        return {account_id: name for account_id, name in rows}

    def all(self) -> list[Account]:
        rows = self.connection.execute(select(t.accounts).order_by(t.accounts.c.name)).mappings()
        return [to_record(Account, row, segment=Segment) for row in rows]


class ContactRepository(Repository):
    def add(self, contact: Contact) -> int:
        return self._insert(t.contacts, record_values(contact))

    def get(self, contact_id: int) -> Contact | None:
        row = (
            self.connection.execute(select(t.contacts).where(t.contacts.c.id == contact_id))
            .mappings()
            .first()
        )
        return to_record(Contact, row, buying_role=BuyingRole) if row else None

    def for_account(self, account_id: int) -> list[Contact]:
        rows = self.connection.execute(
            select(t.contacts)
            .where(t.contacts.c.account_id == account_id)
            .order_by(t.contacts.c.id)
        ).mappings()
        return [to_record(Contact, row, buying_role=BuyingRole) for row in rows]

    def add_role(
        self,
        opportunity_id: int,
        contact_id: int,
        role: str | None,
        is_primary: bool = False,
        *,
        added_at: datetime,
    ) -> int:
        return self._insert(
            t.opportunity_contacts,
            {
                "opportunity_id": opportunity_id,
                "contact_id": contact_id,
                "role": role,
                "is_primary": is_primary,
                "added_at": added_at,
            },
        )

    def roles_for(self, opportunity_id: int) -> list[tuple[Contact, str | None]]:
        """The deal's contacts with their role on it (falling back to the contact's own role)."""
        rows = self.connection.execute(
            select(t.contacts, t.opportunity_contacts.c.role.label("deal_role"))
            .join(t.opportunity_contacts, t.opportunity_contacts.c.contact_id == t.contacts.c.id)
            .where(t.opportunity_contacts.c.opportunity_id == opportunity_id)
            .order_by(t.contacts.c.id)
        ).mappings()
        return [
            (
                to_record(Contact, row, buying_role=BuyingRole),
                row["deal_role"] or row["buying_role"],
            )
            for row in rows
        ]


class CampaignRepository(Repository):
    def add(self, campaign: Campaign) -> int:
        return self._insert(t.campaigns, record_values(campaign))

    def get(self, campaign_id: int) -> Campaign | None:
        row = (
            self.connection.execute(select(t.campaigns).where(t.campaigns.c.id == campaign_id))
            .mappings()
            .first()
        )
        return to_record(Campaign, row) if row else None

    def find(self, reference: str) -> Campaign | None:
        row = (
            self.connection.execute(
                select(t.campaigns)
                .where(*_by_reference(t.campaigns, reference))
                .order_by(t.campaigns.c.id)
            )
            .mappings()
            .first()
        )
        return to_record(Campaign, row) if row else None

    def all(self) -> list[Campaign]:
        rows = self.connection.execute(select(t.campaigns).order_by(t.campaigns.c.name)).mappings()
        return [to_record(Campaign, row) for row in rows]

    def add_member(
        self, campaign_id: int, lead_id: int | None, touched_at: object, status: str | None = None
    ) -> int:
        return self._insert(
            t.campaign_members,
            {
                "campaign_id": campaign_id,
                "lead_id": lead_id,
                "touched_at": touched_at,
                "status": status,
            },
        )
