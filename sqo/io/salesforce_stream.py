"""The stream of one Salesforce object's rows as import items (``SalesforceReader.items``).

Records go out as they are read; stage history rows are staged (:mod:`sqo.io.staging`) and
checked, in batches, to belong to a record of this import or of the workspace; leads and
opportunities go out in batches with the stage history staged for them. History rows, millions
in a big export, take a short path: no item per row until the batch check.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Protocol

from sqo.domain.errors import InvalidValue
from sqo.domain.records import Opportunity
from sqo.domain.stages import StageModel
from sqo.i18n import _
from sqo.io.incoming import Incoming, IncomingStaged, Item, Kind, Rejected
from sqo.io.salesforce_fields import key
from sqo.io.staging import EventStage
from sqo.io.start_stage import assumed_note, with_start


class RowReader(Protocol):
    """What the stream needs of the reader (:class:`sqo.io.salesforce.SalesforceReader`)."""

    model: StageModel
    start_stage: str | None
    without_stage_history: int  # closed deals given the start stage, counted by the stream
    events: EventStage

    def builder(self, obj: str) -> Callable[[int, dict[str, str]], Item]: ...

    def stage_event(self, row: dict[str, str], field: str) -> bool: ...


Known = Callable[[Kind, list[str]], set[str]]
HISTORY_FIELDS = {
    "OpportunityHistory": "StageName",
    "OpportunityFieldHistory": "StageName",
    "LeadHistory": "Status",
}
STAGED_BATCH = 1000
PENDING_BATCH = 5000


def _record_of(row: dict[str, str]) -> str:
    for name in ("OpportunityId", "LeadId"):
        value = (row.get(name) or "").strip()
        if value:
            return value
    return ""


def items(
    reader: RowReader,
    obj: str,
    rows: Iterable[tuple[int, dict[str, str]] | Rejected],
    known: Known | None = None,
    notes: list[str] | None = None,
) -> Iterator[Item]:
    """The records of one object's rows; staged history joins its records here."""
    assumed_before = reader.without_stage_history
    history_field = HISTORY_FIELDS.get(obj)
    build = reader.builder(obj)
    batch: list[IncomingStaged] = []
    pending: list[tuple[int, dict[str, str], str]] = []
    for entry in rows:
        if isinstance(entry, Rejected):
            yield entry
            continue
        number, row = entry
        if "Id" in row and not (row.get("Id") or "").strip():
            yield Rejected(number, _("row {row}: the Id is empty.", row=number), row)
            continue
        try:
            if history_field is not None:
                if reader.stage_event(row, history_field):
                    pending.append((number, row, _record_of(row)))
                    if len(pending) >= PENDING_BATCH:
                        yield from _check_known(reader, obj, pending, known)
                continue
            item = build(number, row)
        except InvalidValue as exc:
            yield Rejected(number, _("row {row}: {problem}", row=number, problem=exc.message), row)
            continue
        except KeyError as exc:
            yield Rejected(
                number,
                _("row {row}: the column {column} is missing.", row=number, column=str(exc)),
                row,
            )
            continue
        if isinstance(item, Rejected):
            yield item
        elif isinstance(item, IncomingStaged):
            batch.append(item)  # its id is added with its batch (history files come after)
            if len(batch) >= STAGED_BATCH:
                yield from _with_events(reader, batch)
        elif item.values.get("staged"):
            pending.append((number, row, _record_of(row)))
            if len(pending) >= PENDING_BATCH:
                yield from _check_known(reader, obj, pending, known)
        elif not item.values.get("skip"):
            yield item
    yield from _with_events(reader, batch)
    yield from _check_known(reader, obj, pending, known)
    assumed = reader.without_stage_history - assumed_before
    if assumed and notes is not None and reader.start_stage is not None:
        notes.append(assumed_note(assumed, reader.start_stage, "--start-stage"))


def _with_events(reader: RowReader, batch: list[IncomingStaged]) -> Iterator[Item]:
    keys = [i.key for i in batch]
    reader.events.add_ids(keys)
    found = reader.events.events_for(keys)
    for item in batch:
        item.events = found.get(item.key, [])
        if item.kind is Kind.OPPORTUNITY and isinstance(item.record, Opportunity):
            _closing(reader, item, item.record)
        yield item
    batch.clear()


def _closing(reader: RowReader, item: IncomingStaged, opp: Opportunity) -> None:
    """A closed deal's close time: when it entered its closed stage, else its close date.

    A closed deal whose history shows no stage but its final one (or none) starts at the
    reader's start stage (:mod:`sqo.io.start_stage`)."""
    stage = reader.model.stage(opp.stage)
    if not stage.is_closed:
        return
    entered = [e.at for e in item.events if e.stage == stage.name]
    opp.closed_at = (
        entered[-1]
        if entered
        else (
            datetime.combine(opp.close_date, datetime.min.time())
            if opp.close_date
            else opp.created_at
        )
    )
    if reader.start_stage is None:
        return
    events = with_start(
        item.events,
        start=reader.start_stage,
        final=stage.name,
        created_at=opp.created_at,
        closed_at=opp.closed_at,
    )
    if events is not None:
        reader.without_stage_history += 1
        item.events = events


def _check_known(
    reader: RowReader,
    obj: str,
    pending: list[tuple[int, dict[str, str], str]],
    known: Known | None,
) -> Iterator[Item]:
    """History rows must belong to a record of this import or of the workspace."""
    if not pending:
        return
    kind = Kind.LEAD if obj == "LeadHistory" else Kind.OPPORTUNITY
    keys = [key(kind, r) for _n, _row, r in pending]
    found = reader.events.known_ids(set(keys))  # in this import
    rest = sorted({k for k in keys if k not in found})
    if rest and known:
        found |= known(kind, rest)  # in the workspace
    for (number, row, record), record_key in zip(pending, keys, strict=True):
        if record_key in found:
            yield Incoming(number, Kind.HISTORY, "", {"staged": True}, raw=row)
        else:
            yield Rejected(
                number,
                _(
                    "row {row}: history for {record}, which is neither in this export "
                    "nor in the workspace.",
                    row=number,
                    record=record,
                ),
                row,
            )
    pending.clear()
