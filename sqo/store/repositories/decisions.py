"""Review decisions: written once, read by week for the next review's follow-up."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select

from sqo.store import tables as t
from sqo.store.repositories.base import Repository


class DecisionRepository(Repository):
    def add(self, values: Mapping[str, Any]) -> int:
        return self._insert(t.review_decisions, values)

    def to_follow_up(
        self, start: datetime, end: datetime, owners: Collection[int] | None
    ) -> list[dict[str, Any]]:
        """Decisions taken in [start, end], and earlier ones still due on or after ``start``,
        of deals ``owners`` own (every deal when None), with the deal's name and owner."""
        d, o = t.review_decisions, t.opportunities
        query = (
            select(d, o.c.name.label("opportunity_name"), o.c.owner_id.label("deal_owner_id"))
            .join(o, o.c.id == d.c.opportunity_id)
            .where(
                d.c.decided_at <= end,
                or_(d.c.decided_at >= start, d.c.due_date >= start.date()),
            )
            .order_by(d.c.due_date, d.c.id)
        )
        if owners is not None:
            query = query.where(o.c.owner_id.in_(list(owners)))
        return [dict(row) for row in self.connection.execute(query).mappings()]
