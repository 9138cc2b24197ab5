"""The buying roles a deal had at a past moment: a feature of the win-probability model.

A role counts from when it became known on the deal (``opportunity_contacts.added_at``); its
kind is the deal's own role for the contact, else the contact's. A deal with a role of unknown
date (a source that gives none, or a workspace older than the dates) has no value: "how many
roles by then" cannot be told, and guessing "all of them, from the start" would let later
knowledge leak into earlier moments.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, func, select

from sqo.analytics.forecast.as_of import IN_SQL_UP_TO
from sqo.store import tables as t


@dataclass
class KnownRoles:
    """One deal's roles in the order they became known; ``undated`` when any has no date."""

    times: list[datetime] = field(default_factory=list)
    distinct: list[int] = field(default_factory=lambda: [0])  # distinct roles among the first n
    undated: bool = False
    _seen: set[str] = field(default_factory=set, repr=False)

    def add(self, at: datetime | None, role: str) -> None:
        if at is None:
            self.undated = True
            return
        self.times.append(at)
        self._seen.add(role)
        self.distinct.append(len(self._seen))

    def by(self, moment: datetime) -> int | None:
        """How many different buying roles the deal had by ``moment``; None when unknown."""
        if self.undated:
            return None
        return self.distinct[bisect_right(self.times, moment)]


def read_roles(connection: Connection, only: Sequence[int] | None = None) -> dict[int, KnownRoles]:
    """Each opportunity's (or each of ``only``'s) buying roles, by when they became known. A
    deal without any role is absent: it had none at every moment (0)."""
    r, c = t.opportunity_contacts, t.contacts
    role = func.coalesce(r.c.role, c.c.buying_role)
    query = (
        select(r.c.opportunity_id, r.c.added_at, role)
        .select_from(r.join(c, c.c.id == r.c.contact_id))
        .where(role.is_not(None))
        .order_by(r.c.opportunity_id, r.c.added_at, r.c.id)
    )
    if only is not None and len(only) <= IN_SQL_UP_TO:
        query = query.where(r.c.opportunity_id.in_(only))
    deals: dict[int, KnownRoles] = {}
    for deal_id, added_at, kind in connection.execute(query):
        deal = deals.get(deal_id)
        if deal is None:
            deal = deals[deal_id] = KnownRoles()
        deal.add(added_at, str(kind))
    return deals
