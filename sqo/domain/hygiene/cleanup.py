"""Bulk clean-up of hygiene findings, decided in pure Python: which deals an action touches and
what it changes, and the preview file that pins each deal's version.

Actions (the stable keys of ``sqo cleanup``):

- ``close-stale``: deals with a ``stale`` finding are closed as lost with the given loss reason;
- ``demote-premature``: open SQOs promoted with the gate overridden (a ``premature_sqo`` finding
  whose reason is ``overridden``) move back to the first opportunity stage, with a
  justification;
- ``set-next-steps``: deals whose next step is overdue get the new due date (and the new text,
  when given); deals without a next step get one only when the text is given.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqo.domain.errors import InvalidValue, list_values
from sqo.domain.hygiene.findings import Finding
from sqo.i18n import _

ACTIONS = ("close-stale", "demote-premature", "set-next-steps")
PREVIEW_KIND = "sqo-hygiene-cleanup-preview"
ACTION_RULES = {
    "close-stale": ("stale",),
    "demote-premature": ("premature_sqo",),
    "set-next-steps": ("next_step_overdue", "no_next_step"),
}


@dataclass(frozen=True)
class CleanupOptions:
    """What the user gave: the loss reason, the justification, the new next step and due."""

    action: str
    reason: str | None = None
    justification: str | None = None
    next_step: str | None = None
    due: date | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "reason": self.reason,
            "justification": self.justification,
            "next_step": self.next_step,
            "due": None if self.due is None else self.due.isoformat(),
        }


@dataclass(frozen=True)
class PlannedChange:
    """One deal's change: its version when planned, and each field's value before and after."""

    opportunity_id: int
    opportunity_name: str
    owner_name: str | None
    version: int
    changes: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    because: str = ""  # the finding's sentence

    def to_dict(self) -> dict[str, Any]:
        return {
            "opportunity_id": self.opportunity_id,
            "opportunity_name": self.opportunity_name,
            "owner_name": self.owner_name,
            "version": self.version,
            "changes": {k: {"before": b, "after": a} for k, (b, a) in self.changes.items()},
            "because": self.because,
        }


def action_of(value: str) -> str:
    key = value.strip().casefold().replace("_", "-")
    if key not in ACTIONS:
        raise InvalidValue(
            _(
                "Unknown clean-up action {value!r}. Actions: {allowed}.",
                value=value,
                allowed=list_values(ACTIONS),
            ),
            field="action",
            allowed=ACTIONS,
        )
    return key


def check_options(options: CleanupOptions, today: date) -> None:
    """Refuse an action without what it needs, in one sentence."""
    if options.action == "close-stale" and not (options.reason or "").strip():
        raise InvalidValue(
            _("Closing stale deals as lost needs a loss reason: give --reason."), field="reason"
        )
    if options.action == "demote-premature" and not (options.justification or "").strip():
        raise InvalidValue(
            _("Moving premature SQOs back needs a justification: give --justify."),
            field="justification",
        )
    if options.action == "set-next-steps":
        if options.due is None:
            raise InvalidValue(
                _("Setting next steps needs their new due date: give --due."), field="due"
            )
        if options.due < today:
            raise InvalidValue(
                _(
                    "The new due date {due} is in the past; give today or a later day.",
                    due=options.due.isoformat(),
                ),
                field="due",
            )


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def plan(
    findings: Iterable[Finding],
    options: CleanupOptions,
    *,
    lost_stage: str,
    start_stage: str,
    current: Mapping[int, Mapping[str, Any]],
) -> list[PlannedChange]:
    """The change of each deal the action touches; ``current`` holds each deal's stage,
    loss reason, next step and due date as now (from the findings' report)."""
    rules = ACTION_RULES[options.action]
    planned: dict[int, PlannedChange] = {}
    for f in findings:
        if f.rule not in rules or f.opportunity_id is None or f.opportunity_id in planned:
            continue
        if f.rule == "premature_sqo" and f.evidence.get("reason") != "overridden":
            continue  # lost or moved back already: nothing left to demote
        now = current.get(f.opportunity_id, {})
        changes: dict[str, tuple[str | None, str | None]] = {}
        if options.action == "close-stale":
            changes["stage"] = (_text(now.get("stage")), lost_stage)
            changes["loss_reason"] = (_text(now.get("loss_reason")), options.reason)
        elif options.action == "demote-premature":
            changes["stage"] = (_text(now.get("stage")), start_stage)
        else:
            if f.rule == "no_next_step" and not options.next_step:
                continue  # no text to give it
            if options.next_step:
                changes["next_step"] = (_text(now.get("next_step")), options.next_step)
            due = None if options.due is None else options.due.isoformat()
            changes["next_step_due"] = (_text(now.get("next_step_due")), due)
        planned[f.opportunity_id] = PlannedChange(
            f.opportunity_id,
            f.opportunity_name or "",
            f.owner_name,
            int(f.version or 0),
            changes,
            f.message,
        )
    return sorted(planned.values(), key=lambda p: p.opportunity_id)


def preview_document(options: CleanupOptions, changes: Sequence[PlannedChange]) -> dict[str, Any]:
    """What ``--save-preview`` writes: the action, its options and each deal's version."""
    return {
        "kind": PREVIEW_KIND,
        "options": options.to_dict(),
        "deals": [{"opportunity_id": c.opportunity_id, "version": c.version} for c in changes],
    }


def read_preview(data: object, source: str) -> tuple[CleanupOptions, dict[int, int]]:
    """The options and the pinned versions (deal id -> version) of a preview document."""
    problem = _(
        "The file {file} is not a clean-up preview (write one with sqo cleanup ... --dry-run "
        "--save-preview FILE).",
        file=source,
    )
    if not isinstance(data, dict) or data.get("kind") != PREVIEW_KIND:
        raise InvalidValue(problem, field="preview")
    try:
        opts = data["options"]
        due = opts.get("due")
        options = CleanupOptions(
            action=action_of(str(opts["action"])),
            reason=opts.get("reason"),
            justification=opts.get("justification"),
            next_step=opts.get("next_step"),
            due=None if due is None else date.fromisoformat(str(due)),
        )
        versions = {int(d["opportunity_id"]): int(d["version"]) for d in data["deals"]}
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InvalidValue(problem, field="preview") from exc
    return options, versions
