"""Reading a record's history."""

from __future__ import annotations

from sqo.domain.actor import Actor
from sqo.domain.history import Change, RecordType
from sqo.services import lookups
from sqo.services.workspace import Workspace


def record_history(
    ws: Workspace, actor: Actor, record_type: RecordType, record_id: int
) -> list[Change]:
    with ws.unit_of_work() as uow:
        if record_type is RecordType.OPPORTUNITY:
            lookups.opportunity(uow, record_id)
        else:
            lookups.lead(uow, record_id)
        return uow.history.for_record(record_type, record_id)
