from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from sqo.domain.records import Activity
from sqo.domain.values import ActivityKind, Direction
from sqo.store import tables as t
from sqo.store.repositories.base import Repository, record_values, to_record


class ActivityRepository(Repository):
    def add(self, activity: Activity) -> int:
        return self._insert(t.activities, record_values(activity))

    def for_record(
        self,
        *,
        opportunity_id: int | None = None,
        lead_id: int | None = None,
        as_of: datetime | None = None,
    ) -> list[Activity]:
        query = select(t.activities).order_by(t.activities.c.occurred_at, t.activities.c.id)
        if opportunity_id is not None:
            query = query.where(t.activities.c.opportunity_id == opportunity_id)
        if lead_id is not None:
            query = query.where(t.activities.c.lead_id == lead_id)
        if as_of is not None:
            query = query.where(t.activities.c.occurred_at <= as_of)
        return [
            to_record(Activity, row, kind=ActivityKind, direction=Direction)
            for row in self.connection.execute(query).mappings()
        ]
