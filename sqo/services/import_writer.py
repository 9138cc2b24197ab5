"""Writing imported records: match by external id, create or update in batches, and keep
history for leads and opportunities with the times the source reveals. References between
records (and placeholders for what the source names but does not export) are resolved by
:mod:`sqo.services.import_references`.

Used by :mod:`sqo.services.imports`, which owns the transaction (its unit of work).
"""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy import Connection, Table, func, select

from sqo.domain.history import RecordType, tracked_values
from sqo.domain.records import Lead, Opportunity
from sqo.domain.values import Complexity, Segment
from sqo.io.incoming import Incoming, IncomingStaged, Kind, Ref, Rejected
from sqo.io.timeline import TIMED_FIELDS, creation_rows, quick_snapshot, timeline
from sqo.services.import_checks import text_refusal
from sqo.services.import_conversions import Conversion, convert_leads
from sqo.services.import_references import (
    TABLES,
    UNIQUE_NAMES,
    Counts,
    Resolver,
    missing_reference,
    resolve_references,
)
from sqo.store import tables as t
from sqo.store.bulk import BulkWriter
from sqo.store.bulk_lookups import chunks, rows_by_external_id, update_many
from sqo.store.repositories.base import record_values, to_record

DEFER_INDEXES_FROM = 1000  # records in one batch, all new
# New leads and opportunities take the direct path (timeline.creation_rows); the general
# timeline() + diff() path is the reference, and tests turn this off to compare the two.
FAST_NEW_RECORDS = True


def write_plain(
    connection: Connection,
    writer: BulkWriter,
    resolver: Resolver,
    items: list[Incoming],
    counts: Counts,
    deferred: list[tuple[Kind, int, str, Ref, Incoming]],
) -> None:
    """Teams, reps, accounts, contacts, campaigns, roles, members, activities."""
    if not items:
        return
    kind = items[0].kind
    table = TABLES[kind]
    writer.flush()
    resolver.prefetch([r for i in items for r in i.refs.values() if r.kind is not kind])
    existing = rows_by_external_id(connection, table, [i.key for i in items])
    updates: list[dict[str, Any]] = []
    claimed: dict[str, str] = {}  # names (lower case) this batch gives, and to which record
    for item in items:
        values = dict(item.values)
        own = {n: r for n, r in item.refs.items() if r.kind is kind}
        other = replace(item, refs={n: r for n, r in item.refs.items() if r.kind is not kind})
        resolved = resolve_references(resolver, other)
        if isinstance(resolved, Rejected):
            counts.rejected.append(resolved)
            continue
        values.update(resolved)
        refused = text_refusal(table, item.row, item.raw, values.get)
        if refused is not None:
            counts.rejected.append(refused)
            continue
        row = existing.get(item.key)
        if kind in UNIQUE_NAMES and "name" in values:
            row = _match_unique_name(connection, writer, table, item.key, values, row, claimed)
        if row is None:
            record_id = writer.new_id(table)
            writer.add(table, {"id": record_id, "external_id": item.key, **values})
            counts.created += 1
        else:
            record_id = row["id"]
            changed = {k: v for k, v in values.items() if row.get(k) != v}
            if changed:
                updates.append({"id": record_id, **changed})
                counts.updated += 1
            else:
                counts.unchanged += 1
        resolver.remember(kind, item.key, record_id)
        for name, ref in own.items():
            deferred.append((kind, record_id, name, ref, item))
    writer.flush()
    update_many(connection, table, updates)


def _match_unique_name(
    connection: Connection,
    writer: BulkWriter,
    table: Table,
    key: str,
    values: dict[str, Any],
    row: dict[str, Any] | None,
    claimed: dict[str, str],
) -> dict[str, Any] | None:
    """Names of reps and teams are unique. A new record takes over the record of its name
    when that one comes from elsewhere (a rep added by hand, or by another source's import:
    the same person). A record of the same source under that name is someone else (two
    Salesforce users called "Integration User"): this one gets its id after its name,
    ``Integration User (0055)``, on creation and on every later import. ``claimed`` holds the
    names this batch gives (its renames are written at its end). Returns the row the values
    update (None: a new record)."""
    name = str(values["name"])
    if row is not None and str(row["name"]).lower() == name.lower():
        claimed[name.lower()] = key
        return row
    writer.flush()
    found = (
        connection.execute(select(table).where(func.lower(table.c.name) == name.lower()))
        .mappings()
        .first()
    )
    named = dict(found) if found is not None else None
    if row is None and named is None and values.get("email") and "email" in table.c:
        named = _by_email(connection, table, str(values["email"]), key)
    if row is None and named is not None:
        other = named.get("external_id")
        if not (other and _source(other) == _source(key)):
            if other:
                values.pop("external_id", None)
            else:
                # The same person, added by hand: record the source's id, so that this file's
                # deals and every later import find them by it (not a placeholder of the id).
                values["external_id"] = key
            return dict(named)  # the same person, from elsewhere
    taken = named is not None and (row is None or named["id"] != row["id"])
    if taken or claimed.get(name.lower(), key) != key:
        suffix = f" ({key.split(':', 1)[-1]})"
        width = getattr(table.c.name.type, "length", None) or 120
        values["name"] = name[: width - len(suffix)] + suffix
    claimed[str(values["name"]).lower()] = key
    return row


def _by_email(connection: Connection, table: Table, email: str, key: str) -> dict[str, Any] | None:
    """The one record with this e-mail address and no id from this source (an address several
    people share, such as an integration user's, names nobody)."""
    found = (
        connection.execute(select(table).where(func.lower(table.c.email) == email.lower()).limit(2))
        .mappings()
        .all()
    )
    if len(found) != 1:
        return None
    other = found[0].get("external_id")
    return None if other and _source(other) == _source(key) else dict(found[0])


def _source(key: str) -> str:
    return key.split(":", 1)[0]


def finish_deferred(
    connection: Connection,
    writer: BulkWriter,
    resolver: Resolver,
    deferred: list[tuple[Kind, int, str, Ref, Incoming]],
    counts: Counts,
) -> None:
    """References to records of the same file (a rep's manager), once the file is written."""
    if not deferred:
        return
    resolver.prefetch([ref for _k, _i, _n, ref, _item in deferred])
    updates = []
    for kind, record_id, name, ref, item in deferred:
        target = resolver.get(ref)
        if target is None:
            counts.rejected.append(missing_reference(item, name, ref))
            continue
        updates.append((kind, {"id": record_id, name: target}))
    writer.flush()
    for kind in {k for k, _row in updates}:
        table = TABLES[kind]
        rows = [row for k, row in updates if k is kind]
        current = {
            r["id"]: r
            for part in chunks([row["id"] for row in rows])
            for r in connection.execute(select(table).where(table.c.id.in_(part))).mappings()
        }
        changed = [row for row in rows if any(current[row["id"]][c] != v for c, v in row.items())]
        update_many(connection, table, changed)


def _last_timed_change(
    connection: Connection, writer: BulkWriter, record_type: RecordType, ids: list[int]
) -> dict[int, datetime]:
    """When each record last changed a field that sources give history for: events up to
    then are already in history."""
    if ids:
        writer.restore_history_indexes()  # this lookup needs them
    h = t.history
    found: dict[int, datetime] = {}
    for part in chunks(ids):
        rows = connection.execute(
            select(h.c.record_id, func.max(h.c.changed_at))
            .where(
                h.c.record_type == record_type.value,
                h.c.field.in_(TIMED_FIELDS),
                h.c.record_id.in_(part),
            )
            .group_by(h.c.record_id)
        )
        found.update({record_id: at for record_id, at in rows})
    return found


def write_staged(
    connection: Connection,
    writer: BulkWriter,
    resolver: Resolver,
    items: list[IncomingStaged],
    counts: Counts,
    *,
    actor: str,
    now: datetime,
) -> None:
    """Leads and opportunities, with their history."""
    if not items:
        return
    kind = items[0].kind
    table = TABLES[kind]
    record_type = RecordType.LEAD if kind is Kind.LEAD else RecordType.OPPORTUNITY
    writer.flush()
    resolver.prefetch([r for i in items for r in i.refs.values()])
    existing = rows_by_external_id(connection, table, [i.key for i in items])
    if not existing and len(items) >= DEFER_INDEXES_FROM:
        writer.defer_history_indexes()  # a big file of new records: index the history once
        writer.defer_indexes(table)  # and the records
    ids = [r["id"] for r in existing.values()]
    last = _last_timed_change(connection, writer, record_type, ids)
    updates: list[dict[str, Any]] = []
    conversions: list[Conversion] = []
    for item in items:
        resolved = resolve_references(resolver, item)
        if isinstance(resolved, Rejected):
            counts.rejected.append(resolved)
            continue
        record = item.record
        for name, value in resolved.items():
            setattr(record, name, value)
        refused = text_refusal(table, item.row, item.raw, partial(getattr, record))
        if refused is not None:
            counts.rejected.append(refused)
            continue
        row = existing.get(item.key)
        if row is None and FAST_NEW_RECORDS:
            record.id = writer.new_id(table)
            rows = creation_rows(
                quick_snapshot(record, record_type),
                item.events,
                record_type=record_type,
                record_id=record.id,
                start=record.created_at,
                fallback=item.modified_at or record.created_at,
                actor=actor,
                stamp=writer.stamp,
            )
            writer.add(table, _all_values(record), owned=True)
            writer.add_history_rows(rows)
            counts.created += 1
            counts.history_rows += len(rows)
            resolver.remember(kind, item.key, record.id)
            _conversion(record, item, conversions)
            continue
        if row is None:
            record.id = writer.new_id(table)
            changes = timeline(
                None,
                tracked_values(record, record_type),
                item.events,
                record_type=record_type,
                record_id=record.id,
                start=record.created_at,
                fallback=item.modified_at or record.created_at,
                actor=actor,
            )
            writer.add(table, record_values(record, exclude=()))
            counts.created += 1
        else:
            current = _record(kind, row)
            merged = replace(
                record, id=current.id, created_at=current.created_at, version=current.version
            )
            if isinstance(merged, Opportunity) and isinstance(current, Opportunity):
                merged.lead_id = merged.lead_id or current.lead_id
            if isinstance(merged, Lead) and isinstance(current, Lead):
                # A lead file does not know which deal its lead became: keep the conversion.
                merged.converted_opportunity_id = (
                    merged.converted_opportunity_id or current.converted_opportunity_id
                )
                merged.converted_at = merged.converted_at or current.converted_at
            before = tracked_values(current, record_type)
            changes = timeline(
                before,
                tracked_values(merged, record_type),
                item.events,
                record_type=record_type,
                record_id=current.id,
                start=last.get(current.id, current.created_at),
                fallback=item.modified_at or now,
                actor=actor,
            )
            values = record_values(merged, exclude=("id", "version", "created_at"))
            changed = {k: v for k, v in values.items() if row.get(k) != v}
            if changes or changed:
                updates.append({"id": current.id, **values, "version": current.version + 1})
                counts.updated += 1
            else:
                counts.unchanged += 1
            record = merged
        writer.add_changes(changes)
        counts.history_rows += len(changes)
        resolver.remember(kind, item.key, record.id)
        _conversion(record, item, conversions)
    writer.flush()
    update_many(connection, table, updates)
    convert_leads(connection, writer, conversions, actor=actor)


def _conversion(
    record: Lead | Opportunity, item: IncomingStaged, conversions: list[Conversion]
) -> None:
    """A deal that names its lead converts it (see import_conversions)."""
    if isinstance(record, Opportunity) and "lead_id" in item.refs and record.lead_id is not None:
        conversions.append((record.lead_id, record.id, record.created_at))


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _all_values(record: Lead | Opportunity) -> dict[str, Any]:
    """``record_values(record, exclude=())``, with the field names looked up once per class."""
    names = _FIELD_NAMES.get(type(record))
    if names is None:
        names = _FIELD_NAMES[type(record)] = tuple(f.name for f in fields(record))
    return {name: getattr(record, name) for name in names}


def _record(kind: Kind, row: dict[str, Any]) -> Lead | Opportunity:
    if kind is Kind.LEAD:
        return to_record(Lead, row, segment=Segment)
    return to_record(Opportunity, row, complexity=Complexity)
