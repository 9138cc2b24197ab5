"""The append-only history of field changes, and the state of records "as of" any moment."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import func, select

from sqo.domain.history import Change, RecordType
from sqo.store import tables as t
from sqo.store.repositories.base import Repository

h = t.history


class HistoryRepository(Repository):
    def append(self, changes: Sequence[Change]) -> None:
        self._insert_many(
            h,
            [
                {
                    "record_type": c.record_type.value,
                    "record_id": c.record_id,
                    "field": c.field,
                    "old_value": c.old,
                    "new_value": c.new,
                    "changed_at": c.changed_at,
                    "actor": c.actor,
                    "justification": c.justification,
                }
                for c in changes
            ],
        )

    def for_record(self, record_type: RecordType, record_id: int) -> list[Change]:
        rows = self.connection.execute(
            select(h)
            .where(h.c.record_type == record_type.value, h.c.record_id == record_id)
            .order_by(h.c.changed_at, h.c.id)
        ).mappings()
        return [
            Change(
                RecordType(r["record_type"]),
                r["record_id"],
                r["field"],
                r["old_value"],
                r["new_value"],
                r["changed_at"],
                r["actor"],
                r["justification"],
            )
            for r in rows
        ]

    def states_as_of(
        self,
        record_type: RecordType,
        as_of: datetime,
        record_ids: Iterable[int] | None = None,
    ) -> dict[int, dict[str, str | None]]:
        """Each record's tracked fields as they stood at ``as_of``, computed in SQL.

        A record that did not exist yet has no entry. One window-function query, no N+1.
        """
        latest = select(
            h.c.record_id,
            h.c.field,
            h.c.new_value,
            func.row_number()
            .over(
                partition_by=(h.c.record_id, h.c.field),
                order_by=(h.c.changed_at.desc(), h.c.id.desc()),
            )
            .label("rank"),
        ).where(h.c.record_type == record_type.value, h.c.changed_at <= as_of)
        if record_ids is not None:
            latest = latest.where(h.c.record_id.in_(list(record_ids)))
        sub = latest.subquery()
        rows = self.connection.execute(
            select(sub.c.record_id, sub.c.field, sub.c.new_value).where(sub.c.rank == 1)
        )
        states: dict[int, dict[str, str | None]] = {}
        for record_id, field, value in rows:
            states.setdefault(record_id, {})[field] = value
        return states
