"""A deal imported with the lead it came from converts that lead, as ``sqo lead convert`` does:
the lead keeps its stage, links to the opportunity (``converted_opportunity_id``) and records
when it converted (``converted_at``: the lead file's own conversion date, else the deal's
creation), both in its history at that time and with its version raised.

A lead converts once: the first deal that names it converts it, and a lead already converted
(by an earlier import or by hand) keeps its conversion; later deals only point back at it.
Used by :mod:`sqo.services.import_writer`, inside the file's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from sqo.domain.history import RecordType, diff, encode
from sqo.store import tables as t
from sqo.store.bulk import BulkWriter
from sqo.store.bulk_lookups import chunks, update_many

Conversion = tuple[int, int, datetime]  # lead id, opportunity id, the deal's creation


def convert_leads(
    connection: Connection, writer: BulkWriter, conversions: Sequence[Conversion], *, actor: str
) -> None:
    first: dict[int, tuple[int, datetime]] = {}
    for lead_id, opportunity_id, created_at in conversions:
        first.setdefault(lead_id, (opportunity_id, created_at))
    if not first:
        return
    leads = t.leads
    current: dict[int, Any] = {}
    for part in chunks(sorted(first)):
        rows = connection.execute(
            select(
                leads.c.id, leads.c.converted_opportunity_id, leads.c.converted_at, leads.c.version
            ).where(leads.c.id.in_(part))
        )
        current.update({row.id: row for row in rows})
    updates: list[dict[str, Any]] = []
    for lead_id, (opportunity_id, created_at) in first.items():
        lead = current[lead_id]
        if lead.converted_opportunity_id is not None:
            continue
        at = lead.converted_at or created_at
        writer.add_changes(
            diff(
                {"converted_opportunity_id": None, "converted_at": encode(lead.converted_at)},
                {"converted_opportunity_id": encode(opportunity_id), "converted_at": encode(at)},
                record_type=RecordType.LEAD,
                record_id=lead_id,
                at=at,
                actor=actor,
            )
        )
        updates.append(
            {
                "id": lead_id,
                "converted_opportunity_id": opportunity_id,
                "converted_at": at,
                "version": lead.version + 1,
            }
        )
    update_many(connection, leads, updates)
