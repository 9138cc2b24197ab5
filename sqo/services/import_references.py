"""References between imported records: external ids to ids, looked up in batches with a
bounded cache, and placeholders created for what the source names but does not export (an
owner, an account), where the source allows it.

Used by :mod:`sqo.services.import_writer`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Table, func, select

from sqo.i18n import _
from sqo.io.incoming import Incoming, IncomingStaged, Kind, Ref, Rejected
from sqo.store import tables as t
from sqo.store.bulk import BulkWriter
from sqo.store.bulk_lookups import chunks

TABLES: dict[Kind, Table] = {
    Kind.TEAM: t.teams,
    Kind.REP: t.reps,
    Kind.ACCOUNT: t.accounts,
    Kind.CONTACT: t.contacts,
    Kind.CAMPAIGN: t.campaigns,
    Kind.EXCHANGE_RATE: t.exchange_rates,
    Kind.LEAD: t.leads,
    Kind.OPPORTUNITY: t.opportunities,
    Kind.CONTACT_ROLE: t.opportunity_contacts,
    Kind.CAMPAIGN_MEMBER: t.campaign_members,
    Kind.ACTIVITY: t.activities,
}
UNIQUE_NAMES = (Kind.REP, Kind.TEAM)
CACHE_LIMIT = 200_000


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    placeholders: int = 0
    history_rows: int = 0
    rejected: list[Rejected] = field(default_factory=list)


class Resolver:
    """External ids to ids, with a bounded cache and batched lookups."""

    def __init__(self, connection: Connection, writer: BulkWriter, counts: Counts) -> None:
        self.connection = connection
        self.writer = writer
        self.counts = counts
        self.cache: dict[Kind, dict[str, int]] = {}

    def remember(self, kind: Kind, key: str, record_id: int) -> None:
        cache = self.cache.setdefault(kind, {})
        if len(cache) > CACHE_LIMIT:
            cache.clear()
        cache[key] = record_id

    def prefetch(self, refs: Sequence[Ref]) -> None:
        wanted: dict[Kind, set[str]] = {}
        for ref in refs:
            if ref.key not in self.cache.get(ref.kind, {}):
                wanted.setdefault(ref.kind, set()).add(ref.key)
        for kind, keys in wanted.items():
            table = TABLES[kind]
            for part in chunks(sorted(keys)):
                rows = self.connection.execute(
                    select(table.c.external_id, table.c.id).where(table.c.external_id.in_(part))
                )
                for key, record_id in rows:
                    self.remember(kind, key, record_id)

    def get(self, ref: Ref) -> int | None:
        found = self.cache.get(ref.kind, {}).get(ref.key)
        if found is not None or ref.placeholder is None:
            return found
        return self._placeholder(ref)

    def _placeholder(self, ref: Ref) -> int:
        table = TABLES[ref.kind]
        name = ref.placeholder or ref.key
        if ref.kind in UNIQUE_NAMES:
            self.writer.flush()
            existing = self.connection.execute(
                select(table.c.id).where(func.lower(table.c.name) == name.lower())
            ).scalar_one_or_none()
            if existing is not None:
                self.remember(ref.kind, ref.key, existing)
                return int(existing)
        record_id = self.writer.new_id(table)
        values: dict[str, Any] = {"id": record_id, "name": name, "external_id": ref.key}
        values.update(dict(ref.extra))
        if ref.kind is Kind.ACCOUNT:
            values.setdefault("attributes", {})
        if ref.kind is Kind.REP:
            values.setdefault("role", "rep")
            values.setdefault("active", True)
        self.writer.add(table, values)
        self.counts.placeholders += 1
        self.remember(ref.kind, ref.key, record_id)
        return record_id


def missing_reference(item: Incoming | IncomingStaged, name: str, ref: Ref) -> Rejected:
    if item.kind is Kind.OPPORTUNITY and ref.kind is Kind.LEAD:
        return Rejected(
            item.row,
            _(
                "row {row}: the deal's lead {key!r} is not in the workspace; import the lead "
                "file first, or leave the lead empty for a deal that came from no lead.",
                row=item.row,
                key=ref.key,
            ),
            item.raw,
        )
    return Rejected(
        item.row,
        _(
            "row {row}: {field} {key!r} is not in this import nor in the workspace.",
            row=item.row,
            field=name,
            key=ref.key,
        ),
        item.raw,
    )


def resolve_references(
    resolver: Resolver, item: Incoming | IncomingStaged
) -> dict[str, int | None] | Rejected:
    resolved: dict[str, int | None] = {}
    for name, ref in item.refs.items():
        record_id = resolver.get(ref)
        if record_id is None and ref.required:
            return missing_reference(item, name, ref)
        resolved[name] = record_id
    return resolved
