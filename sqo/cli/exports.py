"""`sqo export FOLDER` and `sqo import export FOLDER`: everything out, and back in."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sqo.cli import output
from sqo.cli.context import state
from sqo.i18n import _
from sqo.services.exports import export_format, export_workspace
from sqo.services.restore import restore_into


def _counts(title: str, rows: dict[str, int]) -> None:
    output.table(
        title,
        [_("Table"), _("Rows")],
        [[name, output.number(count)] for name, count in rows.items()],
        right=range(1, 2),
    )


def export_command(
    ctx: typer.Context,
    folder: Annotated[Path, typer.Argument(help="A new or empty folder for the export.")],
    fmt: Annotated[str, typer.Option("--format", help="csv or parquet.")] = "csv",
    force: Annotated[
        bool, typer.Option("--force", help="Replace the contents of a non-empty folder.")
    ] = False,
) -> None:
    """Export everything in the workspace, history included: one file per table."""
    chosen = export_format(fmt)  # before the workspace: a typo is the first thing said
    st = state(ctx)
    with output.console.status(_("Exporting…")):
        report = export_workspace(st.workspace(), st.actor(), folder, fmt=chosen, force=force)
    _counts(_("Exported to {folder}", folder=str(report.folder)), report.rows)
    output.console.print(
        _(
            "{rows} rows in {tables} tables written to {folder} ({fmt}).",
            rows=output.number(sum(report.rows.values())),
            tables=len(report.rows),
            folder=str(report.folder),
            fmt=report.fmt,
        ),
        markup=False,
    )


def restore_command(
    ctx: typer.Context,
    folder: Annotated[Path, typer.Argument(help="A folder written by 'sqo export'.")],
) -> None:
    """Restore an sqo export into an empty (or not yet created) workspace: an identical copy."""
    st = state(ctx)
    with output.console.status(_("Restoring…")):
        report = restore_into(st.db, st.actor(), folder)
    _counts(_("Restored from {folder}", folder=str(report.folder)), report.rows)
    output.console.print(
        _(
            "{rows} rows restored: the workspace is now an identical copy of the export.",
            rows=output.number(sum(report.rows.values())),
        ),
        markup=False,
    )
