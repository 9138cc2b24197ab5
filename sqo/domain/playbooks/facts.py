"""What the system knows about one record when it evaluates a playbook: plain, immutable values.

Services load facts for many records with a few set-based queries; rules and conditions are pure
functions of these facts and the evaluation time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

#: Fields a ``field_present`` rule may name, per record type.
OPPORTUNITY_FIELDS = frozenset(
    {
        "amount",
        "close_date",
        "next_step",
        "next_step_due",
        "competitors",
        "account",
        "owner",
        "source",
        "campaign",
        "segment",
        "industry",
        "employees",
        "country",
    }
)
LEAD_FIELDS = frozenset(
    {"company", "email", "account", "owner", "source", "campaign", "segment", "industry"}
)
RULE_FIELDS = OPPORTUNITY_FIELDS | LEAD_FIELDS


@dataclass(frozen=True)
class ActivityFact:
    kind: str
    direction: str
    occurred_at: datetime


@dataclass(frozen=True)
class ContactFact:
    name: str
    role: str | None


@dataclass(frozen=True)
class EvidenceFact:
    criterion: str
    note: str
    recorded_by: str
    recorded_at: datetime


@dataclass(frozen=True)
class Facts:
    """One lead or opportunity: its field values, activities, contacts and recorded evidence."""

    record_type: str  # "opportunity" or "lead"
    record_id: int
    name: str
    values: Mapping[str, Any] = field(default_factory=dict)
    activities: tuple[ActivityFact, ...] = ()
    contacts: tuple[ContactFact, ...] = ()
    evidence: tuple[EvidenceFact, ...] = ()

    def has_field(self, name: str) -> bool:
        fields = OPPORTUNITY_FIELDS if self.record_type == "opportunity" else LEAD_FIELDS
        return name in fields

    def evidence_for(self, criterion: str, as_of: datetime) -> EvidenceFact | None:
        """The latest evidence recorded for ``criterion`` up to ``as_of``."""
        found = [e for e in self.evidence if e.criterion == criterion and e.recorded_at <= as_of]
        return max(found, key=lambda e: e.recorded_at) if found else None
