"""What every reader produces: source-neutral records keyed by external id, with references to
other records by their external ids, and the stage history the source reveals.

Readers (mapped CSV, Salesforce, HubSpot, live connectors) turn their rows into these; one
import service writes them. A reader never touches the database.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqo.domain.records import Lead, Opportunity
from sqo.io.notes import FileNotes


class Kind(StrEnum):
    """The kinds of record an import writes, in the order their files are imported."""

    TEAM = "team"
    REP = "rep"
    ACCOUNT = "account"
    CONTACT = "contact"
    CAMPAIGN = "campaign"
    EXCHANGE_RATE = "exchange_rate"
    LEAD = "lead"
    OPPORTUNITY = "opportunity"
    CONTACT_ROLE = "contact_role"
    CAMPAIGN_MEMBER = "campaign_member"
    ACTIVITY = "activity"
    HISTORY = "history"  # a history row joined to its record elsewhere; counted, not written


@dataclass(frozen=True)
class Ref:
    """A reference to another record by external id. ``placeholder`` is the name to create it
    under when it is not known; otherwise an unknown reference rejects the row when
    ``required``, and is left empty when not."""

    kind: Kind
    key: str
    placeholder: str | None = None
    extra: tuple[tuple[str, Any], ...] = ()
    required: bool = True


@dataclass(slots=True)
class FieldEvent:
    """The record's ``field`` (a history field, :mod:`sqo.domain.history`) took ``value`` (its
    canonical history text; None: emptied) at ``at``. A stage event is one whose field is
    ``stage``, its value a workspace stage name.

    ``before``: the value the field had *until* ``at`` (a field history row's OldValue). It
    tells the value the record was created with when no earlier event of the field does, and
    is no change of its own.
    """

    at: datetime
    value: str | None
    field: str = "stage"
    before: bool = False

    @property
    def stage(self) -> str | None:
        return self.value if self.field == "stage" else None


# Readers that know only stages build their events as ``StageEvent(at, stage)``.
StageEvent = FieldEvent


@dataclass
class Incoming:
    """One record from one source row."""

    row: int
    kind: Kind
    key: str
    values: dict[str, Any]
    refs: dict[str, Ref] = field(default_factory=dict)
    raw: dict[str, str] = field(default_factory=dict)


@dataclass
class IncomingStaged:
    """A lead or opportunity: its current state and the stage history the source reveals."""

    row: int
    kind: Kind
    record: Lead | Opportunity
    refs: dict[str, Ref] = field(default_factory=dict)
    events: list[FieldEvent] = field(default_factory=list)
    modified_at: datetime | None = None
    raw: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        assert self.record.external_id is not None
        return self.record.external_id


@dataclass
class Rejected:
    """A row that cannot be imported, and why (already translated)."""

    row: int
    message: str
    raw: dict[str, str] = field(default_factory=dict)


Item = Incoming | IncomingStaged | Rejected


@dataclass
class SourceFile:
    """One file (or one API object) to import in one transaction."""

    name: str
    kind: Kind
    items: Iterator[Item]
    path: str | None = None  # where rejected rows go (next to it), when it is a file
    columns: list[str] = field(default_factory=list)
    notes: FileNotes = field(default_factory=FileNotes)  # filled while ``items`` is read
    # A rates file that also names the corporate currency (Salesforce's CurrencyType): set as
    # the workspace's, in the file's transaction.
    corporate_currency: str | None = None
    # Written in one transaction with the next file (a rates file with the deals it values):
    # both are imported, or neither.
    with_next: bool = False
