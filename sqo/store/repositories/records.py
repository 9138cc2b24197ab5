"""Leads and opportunities: the two record kinds with stages, versions and history."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy import Select, Table, select

from sqo.domain.errors import VersionConflict
from sqo.domain.records import Lead, Opportunity
from sqo.domain.values import Complexity, Segment
from sqo.i18n import _
from sqo.store import tables as t
from sqo.store.repositories.base import Repository, record_values, to_record

R = TypeVar("R", Lead, Opportunity)


class _StagedRecords(Repository, Generic[R]):
    table: Table
    record_class: type[R]
    label: str
    converters: ClassVar[dict[str, Any]] = {}

    def _record(self, row: Any) -> R:
        return to_record(self.record_class, row, **self.converters)

    def add(self, record: R) -> int:
        return self._insert(self.table, record_values(record))

    def get(self, record_id: int) -> R | None:
        row = (
            self.connection.execute(select(self.table).where(self.table.c.id == record_id))
            .mappings()
            .first()
        )
        return self._record(row) if row else None

    def by_external_id(self, external_id: str) -> R | None:
        row = (
            self.connection.execute(
                select(self.table).where(self.table.c.external_id == external_id)
            )
            .mappings()
            .first()
        )
        return self._record(row) if row else None

    def by_ids(self, ids: Iterable[int]) -> list[R]:
        wanted = list(ids)
        if not wanted:
            return []
        rows = self.connection.execute(
            select(self.table).where(self.table.c.id.in_(wanted)).order_by(self.table.c.id)
        ).mappings()
        return [self._record(row) for row in rows]

    def update(self, record: R, expected_version: int) -> int:
        """Write the record unless it changed since ``expected_version``; return the new version."""
        values = record_values(record, exclude=("id", "version", "created_at"))
        new_version = expected_version + 1
        result = self.connection.execute(
            self.table.update()
            .where(self.table.c.id == record.id, self.table.c.version == expected_version)
            .values(**values, version=new_version)
        )
        if result.rowcount != 1:
            current = self.connection.execute(
                select(self.table.c.version).where(self.table.c.id == record.id)
            ).scalar_one_or_none()
            raise VersionConflict(
                _(
                    "{label} {id} was changed by someone else (it is now at version {current}, "
                    "you edited version {expected}). Show it again and redo your change.",
                    label=_(self.label),
                    id=record.id,
                    current=current,
                    expected=expected_version,
                ),
                field="version",
            )
        record.version = new_version
        return new_version

    def query(
        self,
        *,
        stages: Iterable[str] | None = None,
        owner_id: int | None = None,
        limit: int | None = None,
    ) -> Select[Any]:
        query = select(self.table).order_by(self.table.c.id)
        if stages is not None:
            query = query.where(self.table.c.stage.in_(list(stages)))
        if owner_id is not None:
            query = query.where(self.table.c.owner_id == owner_id)
        if limit is not None:
            query = query.limit(limit)
        return query

    def list(
        self,
        *,
        stages: Iterable[str] | None = None,
        owner_id: int | None = None,
        limit: int | None = None,
    ) -> list[R]:
        query = self.query(stages=stages, owner_id=owner_id, limit=limit)
        return [self._record(row) for row in self.connection.execute(query).mappings()]


class LeadRepository(_StagedRecords[Lead]):
    table = t.leads
    record_class = Lead
    label = "Lead"
    converters: ClassVar[dict[str, Any]] = {"segment": Segment}


class OpportunityRepository(_StagedRecords[Opportunity]):
    table = t.opportunities
    record_class = Opportunity
    label = "Opportunity"
    converters: ClassVar[dict[str, Any]] = {"complexity": Complexity}
