"""The audit trail: who did what to the workspace, when, in one shape for every writer.

Every entry is built by :func:`audit_entry` from an :class:`AuditAction`, so a review or a
report can rely on the set of actions and on the details each one carries. The action values
are what the workspace stores: renaming one would orphan existing entries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqo.domain.actor import Actor
from sqo.domain.history import RecordType


class AuditAction(StrEnum):
    WORKSPACE_CREATED = "workspace.init"
    FILE_IMPORTED = "import.file"
    TEAM_ADDED = "team.add"
    REP_ADDED = "rep.add"
    PLAYBOOK_USED = "playbook.used"
    PLAYBOOK_OVERRIDDEN = "playbook.override"
    JUSTIFICATION_LENGTH_SET = "gate.min_justification_length"
    PROMOTED = "opportunity.promoted"
    GATE_OVERRIDDEN = "opportunity.gate_overridden"
    DEMOTED = "opportunity.demoted"
    BENCHMARKS_SET = "benchmarks.set"
    HYGIENE_CLEANUP = "hygiene.cleanup"
    MODEL_TRAINED = "forecast.model_trained"
    FORECAST_SAVED = "forecast.saved"
    DECISION_RECORDED = "opportunity.decision"
    HYGIENE_RULES_SET = "hygiene.rules_file"
    MODEL_THRESHOLD_SET = "forecast.model_threshold"


# The details each action records: a reviewer reads these keys, so every writer gives all of them.
DETAILS: dict[AuditAction, frozenset[str]] = {
    AuditAction.WORKSPACE_CREATED: frozenset({"stage_model", "currency"}),
    AuditAction.FILE_IMPORTED: frozenset({"source", "file", "created", "updated", "rejected"}),
    AuditAction.TEAM_ADDED: frozenset({"name"}),
    AuditAction.REP_ADDED: frozenset({"name"}),
    AuditAction.PLAYBOOK_USED: frozenset({"playbook", "version", "file"}),
    AuditAction.PLAYBOOK_OVERRIDDEN: frozenset({"segment", "criterion", "weight", "required"}),
    AuditAction.JUSTIFICATION_LENGTH_SET: frozenset({"length"}),
    AuditAction.PROMOTED: frozenset(
        {
            "stage",
            "justification",
            "playbook",
            "playbook_version",
            "passed",
            "overridden",
            "score",
            "missing",
        }
    ),
    AuditAction.GATE_OVERRIDDEN: frozenset({"stage", "justification", "playbook", "missing"}),
    AuditAction.DEMOTED: frozenset({"to", "justification"}),
    # ``file`` None: back to the shipped benchmarks.
    AuditAction.BENCHMARKS_SET: frozenset({"benchmarks", "file"}),
    # One entry per bulk clean-up; each deal's own change is in its history.
    AuditAction.HYGIENE_CLEANUP: frozenset({"cleanup", "applied", "refused", "detail"}),
    AuditAction.MODEL_TRAINED: frozenset({"model_id", "kind", "rows", "won", "lost"}),
    AuditAction.FORECAST_SAVED: frozenset({"forecast_id", "period", "team", "rep", "baseline"}),
    AuditAction.DECISION_RECORDED: frozenset({"decision", "owner", "due", "until", "note"}),
    AuditAction.HYGIENE_RULES_SET: frozenset({"file", "rules"}),  # file None: shipped rules
    AuditAction.MODEL_THRESHOLD_SET: frozenset({"won", "lost"}),
}


@dataclass(frozen=True)
class AuditEntry:
    action: AuditAction
    actor: str
    at: datetime
    record_type: RecordType | None = None
    record_id: int | None = None
    detail: dict[str, Any] = field(default_factory=dict)


def audit_entry(
    action: AuditAction,
    actor: Actor,
    at: datetime,
    *,
    opportunity_id: int | None = None,
    **detail: Any,
) -> AuditEntry:
    """The entry for ``action``; refuses details other than the action's own (a programming
    error, not a user's)."""
    expected = DETAILS[action]
    if set(detail) != expected:
        raise ValueError(
            f"audit entry {action.value}: details {sorted(detail)} are not {sorted(expected)}"
        )
    return AuditEntry(
        action=action,
        actor=actor.name,
        at=at,
        record_type=RecordType.OPPORTUNITY if opportunity_id is not None else None,
        record_id=opportunity_id,
        detail=detail,
    )
