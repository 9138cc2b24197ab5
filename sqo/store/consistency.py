"""Does every record equal the replay of its history?

The invariant every writer keeps (services and bulk imports alike): a lead's or an
opportunity's tracked fields are the last values its history gives them. A restore checks it on
the rows it wrote, so a copy taken from a moving workspace (or edited by hand) is refused instead
of being restored with records that contradict their history.

Records and history are streamed side by side in record order, a batch at a time: memory stays
flat however large the workspace.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, select

from sqo.domain.history import RecordType, tracked_values
from sqo.domain.records import Lead, Opportunity
from sqo.domain.values import Complexity, Segment
from sqo.store import tables as t
from sqo.store.repositories.base import to_record

BATCH = 10_000
_KINDS: dict[RecordType, tuple[Table, type[Any], dict[str, Any]]] = {
    RecordType.LEAD: (t.leads, Lead, {"segment": Segment}),
    RecordType.OPPORTUNITY: (t.opportunities, Opportunity, {"complexity": Complexity}),
}


@dataclass(frozen=True)
class Disagreement:
    record_type: RecordType
    record_id: int
    field: str
    record_value: str | None
    history_value: str | None


def _histories(
    connection: Connection, record_type: RecordType
) -> Iterator[tuple[int, dict[str, str | None]]]:
    """Each record's replayed history (its fields' last values), in record order."""
    h = t.history
    rows = connection.execution_options(yield_per=BATCH).execute(
        select(h.c.record_id, h.c.field, h.c.new_value)
        .where(h.c.record_type == record_type.value)
        .order_by(h.c.record_id, h.c.changed_at, h.c.id)
    )
    current: int | None = None
    state: dict[str, str | None] = {}
    for record_id, field, new in rows:
        if record_id != current:
            if current is not None:
                yield current, state
            current, state = record_id, {}
        state[field] = new  # what domain.history.replay does, without building Change objects
    if current is not None:
        yield current, state


def disagreements(
    connection: Connection, record_type: RecordType, *, limit: int = 20
) -> tuple[int, list[Disagreement]]:
    """How many records disagree with their history, and the first ``limit`` of them."""
    table, cls, converters = _KINDS[record_type]
    records = connection.execution_options(yield_per=BATCH).execute(
        select(table).order_by(table.c.id)
    )
    histories = _histories(connection, record_type)
    pending = next(histories, None)
    count = 0
    found: list[Disagreement] = []
    for row in records.mappings():
        record = to_record(cls, row, **converters)
        while pending is not None and pending[0] < record.id:
            pending = next(histories, None)
        replayed = pending[1] if pending is not None and pending[0] == record.id else {}
        for field, value in tracked_values(record, record_type).items():
            if replayed.get(field) != value:
                count += 1
                if len(found) < limit:
                    found.append(
                        Disagreement(record_type, record.id, field, value, replayed.get(field))
                    )
                break
    return count, found
