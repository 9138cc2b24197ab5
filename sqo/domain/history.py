"""History: every change to a lead or opportunity is an append-only event.

Values are kept as text in one canonical form per field, so the history table is one narrow,
portable table, and replaying the events of a record rebuilds its state (see :func:`replay`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqo.domain.values import Complexity, Segment


class RecordType(StrEnum):
    LEAD = "lead"
    OPPORTUNITY = "opportunity"


@dataclass(frozen=True)
class Change:
    """One field of one record changing at one moment, by one actor, perhaps with a reason."""

    record_type: RecordType
    record_id: int
    field: str
    old: str | None
    new: str | None
    changed_at: datetime
    actor: str
    justification: str | None = None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        # An empty list is "no value", so creation does not record an empty competitor list.
        return json.dumps(list(value), ensure_ascii=False) if value else None
    return str(value)


def _int(text: str | None) -> int | None:
    return None if text is None else int(text)


def _float(text: str | None) -> float | None:
    return None if text is None else float(text)


def _date(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


def _datetime(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _list(text: str | None) -> list[str]:
    return [] if text is None else list(json.loads(text))


def _str(text: str | None) -> str | None:
    return text


def _complexity(text: str | None) -> Complexity:
    return Complexity(text) if text else Complexity.STANDARD


def _segment(text: str | None) -> Segment | None:
    return Segment(text) if text else None


Decoder = Callable[[str | None], Any]

# The fields whose every change is kept. Anything a user can change on a record is here, so that
# replaying history reproduces the whole record and "as of" questions have an answer.
OPPORTUNITY_FIELDS: dict[str, Decoder] = {
    "name": _str,
    "stage": _str,
    "account_id": _int,
    "owner_id": _int,
    "amount_cents": _int,
    "currency": _str,
    "close_date": _date,
    "next_step": _str,
    "next_step_due": _date,
    "forecast_category": _str,
    "probability": _float,
    "competitors": _list,
    "complexity": _complexity,
    "loss_reason": _str,
    "campaign_id": _int,
    "source": _str,
    "closed_at": _datetime,
}

LEAD_FIELDS: dict[str, Decoder] = {
    "name": _str,
    "stage": _str,
    "company": _str,
    "email": _str,
    "account_id": _int,
    "owner_id": _int,
    "segment": _segment,
    "source": _str,
    "campaign_id": _int,
    "converted_opportunity_id": _int,
    "converted_at": _datetime,
}

FIELDS: dict[RecordType, dict[str, Decoder]] = {
    RecordType.LEAD: LEAD_FIELDS,
    RecordType.OPPORTUNITY: OPPORTUNITY_FIELDS,
}


def encode(value: Any) -> str | None:
    """The canonical text of a field value, as stored in history."""
    return _text(value)


def tracked_values(record: object, record_type: RecordType) -> dict[str, str | None]:
    """The tracked fields of a record, encoded as history keeps them: taken before and after a
    change, their difference is what the history records."""
    return {name: encode(getattr(record, name)) for name in FIELDS[record_type]}


def diff(
    before: dict[str, str | None] | None,
    after: dict[str, str | None],
    *,
    record_type: RecordType,
    record_id: int,
    at: datetime,
    actor: str,
    justification: str | None = None,
) -> list[Change]:
    """The changes that turn ``before`` into ``after``; creation is a change from nothing.
    The ``justification`` goes with the stage change, or, in an edit that leaves the stage alone
    (a closed deal's amount corrected), with every field it changes."""
    stage_changes = before is None or before.get("stage") != after.get("stage")
    changes = []
    for name, new in after.items():
        old = None if before is None else before.get(name)
        if before is None and new is None:
            continue
        if before is not None and old == new:
            continue
        changes.append(
            Change(
                record_type,
                record_id,
                name,
                old,
                new,
                at,
                actor,
                justification if name == "stage" or not stage_changes else None,
            )
        )
    return changes


def replay(changes: Iterable[Change]) -> dict[str, str | None]:
    """Apply events in order and return each tracked field's last value (encoded)."""
    state: dict[str, str | None] = {}
    for change in changes:
        state[change.field] = change.new
    return state


def decode_state(state: dict[str, str | None], record_type: RecordType) -> dict[str, Any]:
    """Turn replayed text values back into typed values (missing fields are ``None``)."""
    fields = FIELDS[record_type]
    return {name: decoder(state.get(name)) for name, decoder in fields.items()}


def after_close(changes: Sequence[Change], closed_stages: Iterable[str]) -> list[bool]:
    """For each change (oldest first), whether it was made while the record was already closed
    (won, lost or disqualified): a correction after the fact, not part of closing it. The changes
    of one moment belong together, so those written with the closing stage change are not."""
    closed = set(closed_stages)
    stage: str | None = None
    moment: datetime | None = None
    stage_before: str | None = None
    marks = []
    for change in changes:
        if change.changed_at != moment:
            moment, stage_before = change.changed_at, stage
        if change.field == "stage":
            stage = change.new
        marks.append(stage_before in closed)
    return marks
