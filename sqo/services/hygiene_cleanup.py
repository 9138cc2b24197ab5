"""Bulk clean-up of hygiene findings with a preview: close stale deals as lost, move premature
SQOs back, set overdue next steps (``sqo.domain.hygiene.cleanup`` decides what changes).

Every change goes through the same steps as a single edit or move (``apply_move``, or the edit
and its history): stage rules, history rows with the actor and justification, the demotion's
audit entry, and the optimistic version check. All changes are written in one transaction: if
one fails, nothing is written. A deal whose version is not the one planned (it changed since the
preview) is left alone and reported; the others are applied.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from sqo.domain.actor import Actor
from sqo.domain.audit import AuditAction, audit_entry
from sqo.domain.errors import InvalidValue, SqoError
from sqo.domain.history import RecordType, tracked_values
from sqo.domain.hygiene.cleanup import (
    ACTION_RULES,
    CleanupOptions,
    PlannedChange,
    check_options,
    plan,
    preview_document,
    read_preview,
)
from sqo.domain.records import Opportunity
from sqo.domain.values import utc_now
from sqo.i18n import _
from sqo.services.hygiene import hygiene_report
from sqo.services.opportunities import apply_edits
from sqo.services.public import public_dict
from sqo.services.recording import update_with_history
from sqo.services.stage_moves import apply_move
from sqo.services.workspace import Workspace
from sqo.store import tables as t
from sqo.store.unit_of_work import UnitOfWork

MARK = "sqo cleanup {action}"  # the history's justification: data, not a translated sentence


@dataclass(frozen=True)
class Refused:
    opportunity_id: int
    opportunity_name: str
    planned_version: int
    current_version: int | None  # None: the deal is gone
    message: str


@dataclass(frozen=True)
class CleanupResult:
    """``planned``: every change (a dry run writes nothing); ``applied``: those written;
    ``refused``: deals left alone because they changed since the preview."""

    options: CleanupOptions
    dry_run: bool
    at: datetime
    planned: list[PlannedChange]
    applied: list[PlannedChange]
    refused: list[Refused]
    notes: list[str] = field(default_factory=list)

    @property
    def preview(self) -> dict[str, Any]:
        return preview_document(self.options, self.planned)

    def to_dict(self) -> dict[str, Any]:
        return public_dict(
            {
                "options": self.options.to_dict(),
                "dry_run": self.dry_run,
                "at": self.at,
                "planned": [p.to_dict() for p in self.planned],
                "applied": [p.to_dict() for p in self.applied],
                "refused": self.refused,
                "notes": self.notes,
            }
        )


def load_preview(path: Path) -> tuple[CleanupOptions, dict[int, int]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidValue(
            _("Cannot read the preview {file}: {problem}", file=str(path), problem=str(exc)),
            field="preview",
        ) from exc
    return read_preview(data, str(path))


def save_preview(result: CleanupResult, path: Path) -> None:
    try:
        path.write_text(json.dumps(result.preview, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise InvalidValue(
            _("Cannot write the preview {file}: {problem}", file=str(path), problem=str(exc)),
            field="save-preview",
        ) from exc


def _current(ws: Workspace, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    o = t.opportunities
    with ws.unit_of_work() as uow:
        rows = uow.connection.execute(
            select(
                o.c.id,
                o.c.name,
                o.c.version,
                o.c.stage,
                o.c.loss_reason,
                o.c.next_step,
                o.c.next_step_due,
            ).where(o.c.id.in_(list(ids)))
        ).mappings()
        return {int(r["id"]): dict(r) for r in rows}


def _changed(deal_id: int, now: dict[str, Any] | None, planned: int) -> Refused:
    """A deal of the preview that changed since (or is gone): left alone, and said so."""
    name = "" if now is None else str(now["name"])
    return Refused(
        deal_id,
        name,
        planned,
        None if now is None else int(now["version"]),
        _(
            "#{id} {name} changed since the preview (version {planned}, now "
            "{now}): left alone; preview again to include it.",
            id=deal_id,
            name=name,
            planned=planned,
            now="—" if now is None else now["version"],
        ),
    )


def _apply(
    uow: UnitOfWork, ws: Workspace, actor: Actor, opp: Opportunity, c: CleanupOptions, at: datetime
) -> None:
    mark = MARK.format(action=c.action)
    if c.action == "close-stale":
        lost = ws.stage_model.lost_stage().name
        apply_move(uow, ws, actor, opp, lost, justification=mark, loss_reason=c.reason, at=at)
    elif c.action == "demote-premature":
        start = ws.stage_model.opportunity_start_stage
        apply_move(uow, ws, actor, opp, start, justification=c.justification, at=at)
    else:
        before = tracked_values(opp, RecordType.OPPORTUNITY)
        edits: dict[str, Any] = {"next_step_due": c.due}
        if c.next_step:
            edits["next_step"] = c.next_step
        apply_edits(uow, opp, edits)
        update_with_history(
            uow, before, opp, RecordType.OPPORTUNITY, actor, at, opp.version, justification=mark
        )


def clean_up(
    ws: Workspace,
    actor: Actor,
    options: CleanupOptions | None = None,
    *,
    preview_file: Path | None = None,
    dry_run: bool = False,
    team: str | None = None,
    rep: str | None = None,
    only: Sequence[int] | None = None,
    at: datetime | None = None,
) -> CleanupResult:
    """Plan (``dry_run``) or apply one clean-up action over the current findings, of a team or
    rep, or of the deals ``only`` names. With ``preview_file`` the action, its options and each
    deal's version come from a dry run's saved preview."""
    at = at or utc_now()
    pinned: dict[int, int] | None = None
    if preview_file is not None:
        if options is not None:
            raise InvalidValue(
                _("Give either a preview file or the action's options, not both."),
                field="preview",
            )
        options, pinned = load_preview(preview_file)
    if options is None:
        raise InvalidValue(_("Name the clean-up action, or give a preview file."), field="action")
    check_options(options, at.date())
    report = hygiene_report(
        ws, actor, as_of=at, team=team, rep=rep, rules=ACTION_RULES[options.action]
    )
    ids = [f.opportunity_id for f in report.findings if f.opportunity_id is not None]
    planned = plan(
        report.findings,
        options,
        lost_stage=ws.stage_model.lost_stage().name,
        start_stage=ws.stage_model.opportunity_start_stage,
        current=_current(ws, ids),
    )
    notes: list[str] = []
    early: list[Refused] = []  # in the preview, changed since, and so without its finding now
    wanted = set(only or ()) | set(pinned or {})
    if only is not None or pinned is not None:
        found = {p.opportunity_id for p in planned}
        missing = sorted(wanted - found)
        today = _current(ws, missing) if pinned is not None else {}
        for gone in missing:
            deal = today.get(gone)
            if pinned is not None and (deal is None or deal["version"] != pinned.get(gone)):
                early.append(_changed(gone, deal, pinned[gone]))
                continue
            notes.append(
                _(
                    "#{id} has no finding this action cleans up now: left alone.",
                    id=gone,
                )
            )
        planned = [p for p in planned if p.opportunity_id in wanted]
    if pinned is not None:
        planned = [replace(p, version=pinned[p.opportunity_id]) for p in planned]
    if not planned:
        notes.append(_("Nothing to clean up: no deal has a finding this action cleans up."))
    if dry_run or not planned:
        return CleanupResult(options, dry_run, at, planned, [], early, notes)
    applied, refused = [], list(early)
    with ws.unit_of_work() as uow:
        for change in planned:
            opp = uow.opportunities.get(change.opportunity_id)
            if opp is None or opp.version != change.version:
                found_now = None if opp is None else {"name": opp.name, "version": opp.version}
                refused.append(_changed(change.opportunity_id, found_now, change.version))
                continue
            try:
                _apply(uow, ws, actor, opp, options, at)
            except SqoError as exc:
                raise SqoError(
                    _(
                        "Nothing was changed: #{id} {name} could not be changed: {problem}",
                        id=change.opportunity_id,
                        name=change.opportunity_name,
                        problem=exc.message,
                    ),
                    field=exc.field,
                    code=exc.code,
                ) from exc
            applied.append(change)
        uow.audit.add(
            audit_entry(
                AuditAction.HYGIENE_CLEANUP,
                actor,
                at,
                cleanup=options.action,
                applied=[c.opportunity_id for c in applied],
                refused=[r.opportunity_id for r in refused],
                detail=options.to_dict(),
            )
        )
        uow.commit()
    return CleanupResult(options, False, at, planned, applied, refused, notes)
