"""What `sqo import ...` shows: a progress bar of rows read per file while it runs, then a table
of what each file left in the workspace (or, in a dry run, would leave)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from sqo.cli import output
from sqo.i18n import _
from sqo.services.imports import FileReport, ImportReport


@contextmanager
def progress_bar() -> Iterator[Callable[[str, int], None]]:
    """A Rich progress display of rows read per file (only on a terminal)."""
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}", markup=False),  # a file name is not markup
        BarColumn(bar_width=None),
        TextColumn("{task.completed:,} rows"),
        TimeElapsedColumn(),
        console=output.error_console,
        transient=True,
        disable=not output.error_console.is_terminal,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def update(name: str, rows: int) -> None:
            if name not in tasks:
                tasks[name] = bar.add_task(name, total=None)
            bar.update(tasks[name], completed=rows)

        yield update


def _status(file: FileReport, dry_run: bool) -> str:
    labels = {
        "imported": _("imported"),
        "dry-run": _("dry-run"),
        "rejected": _("would be refused") if dry_run else _("refused"),
        "rolled-back": _("would be rolled back") if dry_run else _("rolled back"),
        "not-read": _("not read"),
        "skipped": _("skipped"),
    }
    return labels[file.status]


def _counts(file: FileReport) -> list[object]:
    """Created, updated, unchanged and history rows: only for what landed (or would), so that a
    refused file's row never shows writes that were undone."""
    if not file.landed:
        return ["—"] * 4
    return [file.created, file.updated, file.unchanged, file.history_rows]


def _landed(file: FileReport, report: ImportReport) -> str:
    """One sentence per file on what this import left in the workspace."""
    if file.status == "not-read":
        return _("{file}: not read; the import stopped at the refused file.", file=file.name)
    if file.status == "rolled-back":
        if report.dry_run:
            return _(
                "{file}: would be rolled back with the rest of the import; nothing written.",
                file=file.name,
            )
        return _(
            "{file}: rolled back with the rest of the import; nothing written.", file=file.name
        )
    if file.status == "rejected":
        if report.dry_run:
            return _("{file}: would be refused; nothing written.", file=file.name)
        return _("{file}: refused; nothing written.", file=file.name)
    values = {
        "file": file.name,
        "created": file.created,
        "updated": file.updated,
        "unchanged": file.unchanged,
    }
    if report.dry_run:
        return _(
            "{file}: would be imported ({created} created, {updated} updated, "
            "{unchanged} unchanged).",
            **values,
        )
    return _(
        "{file}: imported ({created} created, {updated} updated, {unchanged} unchanged).",
        **values,
    )


def show_report(report: ImportReport) -> None:
    if report.dry_run:
        output.console.print(_("Dry run: nothing was written."))
    output.table(
        _("Import from {source}", source=report.source),
        [
            _("File"),
            _("Rows"),
            _("Created"),
            _("Updated"),
            _("Unchanged"),
            _("Rejected"),
            _("History rows"),
            _("Status"),
        ],
        [
            [
                f.name,
                f.rows if f.status != "not-read" else "—",
                *_counts(f)[:3],
                f.rejected if f.status != "not-read" else "—",
                _counts(f)[3],
                _status(f, report.dry_run),
            ]
            for f in report.files
        ],
        right=range(1, 7),
    )
    for file in report.files:
        for note in file.notes:
            output.console.print(note, markup=False)
        if file.placeholders and file.landed:
            output.console.print(
                _(
                    "{file}: {count} referenced record(s) not in the export were created by "
                    "name or id (owners, accounts).",
                    file=file.name,
                    count=file.placeholders,
                )
            )
        if file.errors and file.status != "rejected":
            output.console.print(_("{file}: rejected rows:", file=file.name), markup=False)
            for error in file.errors[:20]:
                output.console.print(f"  {error.message}", markup=False)
            if file.rejected > 20:
                output.console.print(_("  … and {count} more.", count=file.rejected - 20))
        if file.rejected_file:
            output.console.print(
                _("Rejected rows were written to {file}.", file=file.rejected_file), markup=False
            )
    if report.failure is None:
        return
    if report.dry_run:  # a real run prints the refusal as its error
        output.console.print(report.failure, markup=False)
    if len(report.files) > 1:
        for file in report.files:
            output.console.print(_landed(file, report), markup=False)
