"""Writing a record and its history in one go: the one path every change to a lead or
opportunity takes, so state and history cannot drift apart."""

from __future__ import annotations

from datetime import datetime

from sqo.domain.actor import Actor
from sqo.domain.history import RecordType, diff, snapshot
from sqo.domain.records import Lead, Opportunity
from sqo.store.unit_of_work import UnitOfWork


def _repository(uow: UnitOfWork, record_type: RecordType):  # type: ignore[no-untyped-def]
    return uow.leads if record_type is RecordType.LEAD else uow.opportunities


def insert_with_history(
    uow: UnitOfWork,
    record: Lead | Opportunity,
    record_type: RecordType,
    actor: Actor,
    at: datetime,
    justification: str | None = None,
) -> int:
    record.id = _repository(uow, record_type).add(record)
    uow.history.append(
        diff(
            None,
            snapshot(record, record_type),
            record_type=record_type,
            record_id=record.id,
            at=at,
            actor=actor.name,
            justification=justification,
        )
    )
    return record.id


def update_with_history(
    uow: UnitOfWork,
    before: dict[str, str | None],
    record: Lead | Opportunity,
    record_type: RecordType,
    actor: Actor,
    at: datetime,
    expected_version: int,
    justification: str | None = None,
) -> int:
    """Persist ``record`` (refusing a stale version) and append what changed. Returns the count."""
    changes = diff(
        before,
        snapshot(record, record_type),
        record_type=record_type,
        record_id=record.id,
        at=at,
        actor=actor.name,
        justification=justification,
    )
    if not changes:
        return 0
    _repository(uow, record_type).update(record, expected_version)
    uow.history.append(changes)
    return len(changes)
