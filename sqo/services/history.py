"""Reading a record's history, and its stored values as a reader sees them.

History keeps every value as text (``amount_cents`` as ``"2500000"``, ``owner_id`` as ``"7"``,
``competitors`` as a JSON list); :func:`history_value` decodes them once for every face: amounts
as cents, reps and accounts by name, probabilities as a fraction, competitors as a list.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqo.domain.actor import Actor
from sqo.domain.history import Change, RecordType, after_close
from sqo.domain.records import Lead, Opportunity
from sqo.i18n import _
from sqo.services import directory, lookups
from sqo.services.public import public_dict
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


@dataclass(frozen=True)
class HistoryEntry:
    change: Change
    after_close: bool  # made to a deal already won or lost

    def to_dict(self) -> dict[str, Any]:
        return public_dict(self.change) | {"after_close": self.after_close}


@dataclass(frozen=True)
class RecordHistory:
    """A record's changes with what a reader needs to read their values: the names of the reps
    and accounts they mention, and the currency of its amounts."""

    record_type: RecordType
    record_id: int
    entries: list[HistoryEntry]
    rep_names: dict[int, str] = field(default_factory=dict)
    account_names: dict[int, str] = field(default_factory=dict)
    currency: str | None = None

    def value(self, change_field: str, text: str | None) -> Any:
        return history_value(change_field, text, self)

    def to_list(self) -> list[dict[str, Any]]:
        """The public schema: one object per change, oldest first."""
        return [entry.to_dict() for entry in self.entries]


def history_value(change_field: str, text: str | None, history: RecordHistory) -> Any:
    """A stored value as a reader sees it: None; an amount in cents (``amount_cents``, in
    ``history.currency``); a rep's or account's name (the id when it is gone); a probability as a
    fraction; the competitors as a list; else the text itself."""
    if text is None:
        return None
    if change_field == "amount_cents":
        return int(text)
    if change_field == "owner_id":
        return history.rep_names.get(int(text), text)
    if change_field == "account_id":
        return history.account_names.get(int(text), text)
    if change_field == "probability":
        return float(text)
    if change_field == "competitors":
        found: list[str] = json.loads(text)
        return found
    return text


def history_of(
    ws: Workspace,
    actor: Actor,
    record_type: RecordType,
    record_id: int,
    *,
    as_of: datetime | None = None,
) -> RecordHistory:
    """Every change to a record (up to ``as_of``), whether it came after the close, and the
    names its values mention."""
    changes = record_history(ws, actor, record_type, record_id, as_of=as_of)
    late = made_after_close(ws, changes)

    def mentioned(name: str) -> set[int]:
        return {int(v) for c in changes if c.field == name for v in (c.old, c.new) if v}

    reps, accounts = directory.display_names(
        ws, actor, rep_ids=mentioned("owner_id"), account_ids=mentioned("account_id")
    )
    return RecordHistory(
        record_type,
        record_id,
        [HistoryEntry(c, after) for c, after in zip(changes, late, strict=True)],
        reps,
        accounts,
        next((c.new for c in changes if c.field == "currency" and c.new), None),
    )


def field_label(change_field: str) -> str:
    """The name a sales manager uses for a tracked field."""
    labels = {
        "name": _("Name"),
        "stage": _("Stage"),
        "account_id": _("Account"),
        "owner_id": _("Owner"),
        "amount_cents": _("Amount"),
        "currency": _("Currency"),
        "close_date": _("Close date"),
        "next_step": _("Next step"),
        "next_step_due": _("Next step due"),
        "forecast_category": _("Forecast category"),
        "probability": _("Probability"),
        "competitors": _("Competitors"),
        "complexity": _("Complexity"),
        "loss_reason": _("Loss reason"),
        "campaign_id": _("Campaign"),
        "source": _("Source"),
        "closed_at": _("Closed"),
        "company": _("Company"),
        "email": _("Email"),
        "segment": _("Segment"),
        "converted_opportunity_id": _("Converted to opportunity"),
        "converted_at": _("Converted"),
    }
    return labels.get(change_field, change_field)
