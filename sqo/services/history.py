"""Reading a record's history."""

from __future__ import annotations

from datetime import datetime

from sqo.domain.actor import Actor
from sqo.domain.history import Change, RecordType, after_close
from sqo.domain.records import Lead, Opportunity
from sqo.services import lookups
from sqo.services.recording import record_as_of
from sqo.services.workspace import Workspace


def record_history(
    ws: Workspace,
    actor: Actor,
    record_type: RecordType,
    record_id: int,
    *,
    as_of: datetime | None = None,
) -> list[Change]:
    """Every change to a record, oldest first; with ``as_of``, those made up to then."""
    with ws.unit_of_work() as uow:
        record: Lead | Opportunity
        if record_type is RecordType.OPPORTUNITY:
            record = lookups.opportunity(uow, record_id)
        else:
            record = lookups.lead(uow, record_id)
        record_as_of(uow, record, record_type, as_of)  # refuses a moment before it existed
        changes = uow.history.for_record(record_type, record_id)
    return [c for c in changes if as_of is None or c.changed_at <= as_of]


def made_after_close(ws: Workspace, changes: list[Change]) -> list[bool]:
    """For each change of one record (oldest first), whether the deal was already closed."""
    closed = [s.name for s in ws.stage_model.stages if s.is_closed]
    return after_close(changes, closed)
