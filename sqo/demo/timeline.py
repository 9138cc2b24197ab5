"""A record's life as a list of dated changes, replayed into state and history.

The demo builds each lead and opportunity as a timeline of changes, then keeps only what has
happened by "now". Replaying a timeline uses the domain's own ``tracked_values``/``diff``, so
the demo's history is exactly what the services would have written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqo.domain.history import Change, RecordType, diff, tracked_values
from sqo.domain.records import Lead, Opportunity


@dataclass(order=True)
class Step:
    at: datetime
    order: int
    actor: str = field(compare=False)
    changes: dict[str, Any] = field(compare=False)
    justification: str | None = field(default=None, compare=False)


@dataclass
class Timeline:
    record: Lead | Opportunity
    record_type: RecordType
    created_by: str
    steps: list[Step] = field(default_factory=list)

    def at(
        self, when: datetime, actor: str, justification: str | None = None, **changes: Any
    ) -> None:
        when = when.replace(second=0, microsecond=0)  # a CRM keeps minutes, not microseconds
        self.steps.append(Step(when, len(self.steps), actor, changes, justification))

    def replay(self, now: datetime) -> list[Change]:
        """Apply the steps up to ``now`` to the record; return creation + every change."""
        record = self.record
        history = diff(
            None,
            tracked_values(record, self.record_type),
            record_type=self.record_type,
            record_id=record.id,
            at=record.created_at,
            actor=self.created_by,
        )
        for step in sorted(self.steps):
            if step.at > now:
                break
            before = tracked_values(record, self.record_type)
            for name, value in step.changes.items():
                setattr(record, name, value)
            changes = diff(
                before,
                tracked_values(record, self.record_type),
                record_type=self.record_type,
                record_id=record.id,
                at=step.at,
                actor=step.actor,
                justification=step.justification,
            )
            if changes:
                record.version += 1
                history.extend(changes)
        return history
