"""`sqo cleanup`: bulk clean-up of hygiene findings, with a preview of every change first."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sqo.cli import output
from sqo.cli.context import state
from sqo.cli.hygiene import RepOption, TeamOption
from sqo.cli.options import JsonOption
from sqo.domain.hygiene.cleanup import CleanupOptions, action_of
from sqo.i18n import _
from sqo.services.hygiene_cleanup import CleanupResult, clean_up, save_preview
from sqo.services.periods import day_or_none


def _ids(values: list[str] | None) -> list[int] | None:
    if not values:
        return None
    found = []
    for value in values:
        for part in value.split(","):
            text = part.strip().lstrip("#")
            if not text:
                continue
            if not text.isdigit():
                raise typer.BadParameter(_("{value!r} is not a deal id.", value=part.strip()))
            found.append(int(text))
    return found


def _changes_text(change: dict[str, tuple[str | None, str | None]]) -> str:
    return "; ".join(f"{k}: {b or '—'} → {a or '—'}" for k, (b, a) in change.items())


def print_result(result: CleanupResult) -> None:
    if result.dry_run:
        title = _(
            "Preview of {action}: {count} deals would change (nothing written)",
            action=result.options.action,
            count=output.number(len(result.planned)),
        )
        shown = result.planned
    else:
        title = _(
            "{action}: {count} deals changed",
            action=result.options.action,
            count=output.number(len(result.applied)),
        )
        shown = result.applied
    output.table(
        title,
        [_("Deal"), _("Owner"), _("Version"), _("Change"), _("Because")],
        [
            [
                f"#{c.opportunity_id} {c.opportunity_name}",
                c.owner_name or "—",
                output.number(c.version),
                _changes_text(c.changes),
                c.because,
            ]
            for c in shown
        ],
        nowrap=(2,),
    )
    for refused in result.refused:
        output.error_console.print(refused.message)
    for note in result.notes:
        output.console.print(note)


def cleanup_command(
    ctx: typer.Context,
    action: Annotated[
        str | None,
        typer.Argument(
            help="close-stale, demote-premature or set-next-steps (omit with --preview)."
        ),
    ] = None,
    team: TeamOption = None,
    rep: RepOption = None,
    only: Annotated[
        list[str] | None,
        typer.Option("--only", help="Only these deals (ids; repeat or comma-separate)."),
    ] = None,
    reason: Annotated[
        str | None, typer.Option("--reason", help="close-stale: the loss reason to record.")
    ] = None,
    justification: Annotated[
        str | None,
        typer.Option("--justify", help="demote-premature: why the SQOs move back (required)."),
    ] = None,
    next_step: Annotated[
        str | None,
        typer.Option(
            "--next-step",
            help="set-next-steps: the new next step (default: keep each deal's own; needed for "
            "deals without one).",
        ),
    ] = None,
    due: Annotated[
        str | None, typer.Option("--due", help="set-next-steps: the new due date (YYYY-MM-DD).")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show every change; write nothing.")
    ] = False,
    save: Annotated[
        Path | None,
        typer.Option(
            "--save-preview",
            help="With --dry-run: write the preview (each deal's version) to this file.",
        ),
    ] = None,
    preview: Annotated[
        Path | None,
        typer.Option(
            "--preview",
            help="Apply a saved preview: a deal changed since is left alone and reported.",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Bulk clean-up of hygiene findings, with a preview of every change first."""
    st = state(ctx)
    options = None
    if action is not None:
        options = CleanupOptions(
            action=action_of(action),
            reason=reason,
            justification=justification,
            next_step=next_step,
            due=day_or_none(due, "due"),
        )
    if save is not None and not dry_run:
        raise typer.BadParameter(_("--save-preview goes with --dry-run."))
    result = clean_up(
        st.workspace(),
        st.actor(),
        options,
        preview_file=preview,
        dry_run=dry_run,
        team=team,
        rep=rep,
        only=_ids(only),
    )
    if save is not None:
        save_preview(result, save)
    if as_json:
        output.print_json(result.to_dict())
    else:
        print_result(result)
        if save is not None:
            output.console.print(
                _(
                    "Preview saved to {file}; apply it with: sqo cleanup --preview {file}",
                    file=str(save),
                )
            )
    if result.refused:
        raise typer.Exit(4)  # the version-conflict code: some deals were left alone
