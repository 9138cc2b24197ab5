"""Writing a record and its history in one go: the one path every change to a lead or
opportunity takes, so state and history cannot drift apart."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from sqo.domain.actor import Actor
from sqo.domain.errors import NotFound, VersionConflict
from sqo.domain.history import RecordType, decode_state, diff, tracked_values
from sqo.domain.records import Lead, Opportunity
from sqo.i18n import _
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
            tracked_values(record, record_type),
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
        tracked_values(record, record_type),
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


def label(record_type: RecordType) -> str:
    return _("Lead") if record_type is RecordType.LEAD else _("Opportunity")


def check_version(
    record: Lead | Opportunity, record_type: RecordType, expected: int | None
) -> None:
    """Refuse an edit made on a version that is no longer current."""
    if expected is not None and expected != record.version:
        raise VersionConflict(
            _(
                "{label} {id} was changed by someone else (it is now at version {current}, "
                "you edited version {expected}). Show it again and redo your change.",
                label=label(record_type),
                id=record.id,
                current=record.version,
                expected=expected,
            ),
            field="version",
        )


def records_as_of(
    uow: UnitOfWork,
    record_type: RecordType,
    as_of: datetime,
    *,
    stages: list[str] | None = None,
    owner_id: int | None = None,
    limit: int | None = None,
    record_ids: list[int] | None = None,
) -> list[Any]:
    """The records that existed at ``as_of``, with their tracked fields as they stood then,
    filtered as a listing asks (the filters apply to the past values, not today's)."""
    states = uow.history.states_as_of(record_type, as_of, record_ids)
    result = []
    for record in _repository(uow, record_type).by_ids(states):
        then = replace(record, **decode_state(states[record.id], record_type))
        if stages is not None and then.stage not in stages:
            continue
        if owner_id is not None and then.owner_id != owner_id:
            continue
        result.append(then)
        if limit is not None and len(result) >= limit:
            break
    return result


def record_as_of(
    uow: UnitOfWork, record: Lead | Opportunity, record_type: RecordType, as_of: datetime | None
) -> Any:
    """One record now, or as it stood at ``as_of``; refuses a moment before it existed."""
    if as_of is None:
        return record
    found = records_as_of(uow, record_type, as_of, record_ids=[record.id])
    if not found:
        raise NotFound(
            _(
                "{label} {id} did not exist yet on {moment}; it was created on {created}.",
                label=label(record_type),
                id=record.id,
                moment=as_of.isoformat(sep=" "),
                created=record.created_at.isoformat(sep=" ", timespec="minutes"),
            ),
            field="as-of",
        )
    return found[0]
