"""`sqo import ...` and `sqo export`: bring CRM exports in, take everything out."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from sqo.cli import output
from sqo.cli.context import SqoGroup, state
from sqo.cli.exports import restore_command
from sqo.domain.errors import ImportFailed
from sqo.i18n import _
from sqo.io.incoming import SourceFile
from sqo.io.mapped_csv import mapped_csv_files
from sqo.io.mapping import load_mapping
from sqo.io.values import check_date_format
from sqo.services.imports import FileReport, ImportReport, run_import
from sqo.services.workspace import Workspace

app = typer.Typer(
    cls=SqoGroup,
    no_args_is_help=True,
    help="Import CRM exports: Salesforce, HubSpot, any CSV with a mapping, or an sqo export.",
)

DryRun = Annotated[
    bool, typer.Option("--dry-run", help="Show what would be created, updated and rejected.")
]
SkipInvalid = Annotated[
    bool,
    typer.Option(
        "--skip-invalid",
        help="Import the valid rows; write rejected rows with the reason to <file>.rejected.csv.",
    ),
]


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


def _run(  # type: ignore[no-untyped-def]
    ctx: typer.Context,
    source: str,
    build,
    dry_run: bool,
    skip_invalid: bool,
    all_or_nothing: bool = False,
) -> None:
    st = state(ctx)
    ws = st.workspace()
    with progress_bar() as progress:
        try:
            report = run_import(
                ws,
                st.actor(),
                source,
                build(ws),
                dry_run=dry_run,
                skip_invalid=skip_invalid,
                all_or_nothing=all_or_nothing,
                progress=progress,
            )
        except ImportFailed as exc:
            if isinstance(exc.report, ImportReport):
                show_report(exc.report)
            raise
    show_report(report)


Rates = Annotated[
    Path | None,
    typer.Option(
        "--rates",
        help="Exchange rates against the corporate currency: a CSV of currency,rate[,start_date].",
    ),
]


def _rates(
    ws: Workspace, rates: Path | None, date_format: str
) -> tuple[list[SourceFile], frozenset[str]]:
    """The rates file to import first (if any), and every currency with a rate."""
    from sqo.io.rates import rates_file
    from sqo.services.corporate_currency import rated_currencies

    with ws.engine.connect() as connection:
        rated = rated_currencies(connection)
    if rates is None:
        return [], rated
    found = rates_file(rates, date_format)
    return [found.file], rated | found.currencies


@app.command("csv")
def import_csv(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help="The CSV file, one opportunity (or one lead) per row.")
    ],
    mapping: Annotated[
        Path, typer.Option("--mapping", help="The mapping file (YAML); see docs/import.md.")
    ],
    rates: Rates = None,
    dry_run: DryRun = False,
    skip_invalid: SkipInvalid = False,
) -> None:
    """Import any CSV of opportunities or leads through a mapping file."""
    spec = load_mapping(mapping)
    from sqo.domain.values import utc_now

    now = utc_now()

    def build(ws: Workspace) -> list[SourceFile]:
        first, rated = _rates(ws, rates, spec.date_format)
        return first + mapped_csv_files(
            file, spec, ws.stage_model, now, corporate=ws.default_currency, rated=rated
        )

    _run(ctx, spec.source, build, dry_run, skip_invalid)


StageMap = Annotated[
    Path | None,
    typer.Option(
        "--stages",
        help="YAML of 'source stage: workspace stage' lines (default: the standard names).",
    ),
]


@app.command("salesforce")
def import_salesforce(
    ctx: typer.Context,
    folder: Annotated[
        Path | None,
        typer.Argument(help="Folder of object exports (Opportunity.csv, ...), or --live."),
    ] = None,
    stages: Annotated[
        Path | None,
        typer.Option(
            "--stages",
            help="YAML of 'Salesforce stage: workspace stage' lines, added to the standard ones.",
        ),
    ] = None,
    lead_statuses: Annotated[
        Path | None,
        typer.Option(
            "--lead-statuses",
            help="YAML of 'lead status: workspace lead stage' lines, added to the standard ones.",
        ),
    ] = None,
    segment_field: Annotated[
        str | None,
        typer.Option(
            "--segment-field",
            help="The Account field holding the segment, such as Segment__c (default: from "
            "NumberOfEmployees, else AnnualRevenue).",
            show_default=False,
        ),
    ] = None,
    segments: Annotated[
        Path | None,
        typer.Option(
            "--segments",
            help="YAML with the segment field, its value map and the employee and revenue "
            "bands; see docs/import.md.",
        ),
    ] = None,
    date_format: Annotated[
        str,
        typer.Option(
            help="auto (each file's dates show their order: ISO, or month-first unless a day "
            "over 12 comes first), iso, day-first, month-first or a strptime pattern."
        ),
    ] = "auto",
    live: Annotated[
        bool,
        typer.Option("--live", help="Read the objects from Salesforce's API instead of a folder."),
    ] = False,
    instance_url: Annotated[
        str | None,
        typer.Option(
            envvar="SQO_SALESFORCE_INSTANCE_URL",
            help="The org's URL, such as https://yourcompany.my.salesforce.com (for --live).",
            show_default=False,
        ),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(
            envvar="SQO_SALESFORCE_TOKEN",
            help="Salesforce session id or OAuth access token (for --live).",
            show_default=False,
        ),
    ] = None,
    start_stage: Annotated[
        str | None,
        typer.Option(
            "--start-stage",
            help="The stage a closed deal with no stage history started at "
            "(default: the first open stage).",
            show_default=False,
        ),
    ] = None,
    dry_run: DryRun = False,
    skip_invalid: SkipInvalid = False,
    all_or_nothing: Annotated[
        bool,
        typer.Option(
            "--all-or-nothing/--file-by-file",
            help="One transaction for every file (a refused file writes nothing), or one per file "
            "(the files before a refused one stay imported).",
        ),
    ] = True,
) -> None:
    """Import Salesforce objects: a folder of exports (any subset of the standard objects), or
    the org itself with --live."""
    from sqo.domain.values import utc_now
    from sqo.io import salesforce
    from sqo.io.salesforce_files import salesforce_files
    from sqo.io.salesforce_segments import load_account_segments
    from sqo.io.stages import load_stage_table
    from sqo.services.imports import known_keys

    if live == (folder is not None):
        raise typer.BadParameter(_("Give either a FOLDER or --live."))
    now = utc_now()

    def build(ws: Workspace) -> list[SourceFile]:
        reader = salesforce.SalesforceReader(
            ws.stage_model,
            now,
            ws.default_currency,
            load_stage_table(stages) if stages else {},  # on top of the defaults
            load_stage_table(lead_statuses) if lead_statuses else {},
            "iso" if live else check_date_format(date_format, auto=True),  # the API writes ISO
            load_account_segments(segments, segment_field),
            start_stage,
        )
        if folder is not None:
            return salesforce_files(folder, reader, known_keys(ws))
        from sqo.io.connectors.salesforce_api import salesforce_live_files

        return salesforce_live_files(reader, known_keys(ws), instance_url, token)

    _run(ctx, "salesforce", build, dry_run, skip_invalid, all_or_nothing)


@app.command("hubspot")
def import_hubspot(
    ctx: typer.Context,
    file: Annotated[
        Path | None, typer.Argument(help="A HubSpot deals export (CSV), or --live.")
    ] = None,
    stages: StageMap = None,
    date_format: Annotated[
        str,
        typer.Option(help="iso (2024-03-05 14:22), day-first, month-first or a strptime pattern."),
    ] = "iso",
    timezone: Annotated[
        str,
        typer.Option(help="The HubSpot account's time zone, for times written without one."),
    ] = "UTC",
    live: Annotated[
        bool, typer.Option("--live", help="Read the deals from HubSpot's API instead of a file.")
    ] = False,
    token: Annotated[
        str | None,
        typer.Option(
            envvar="SQO_HUBSPOT_TOKEN",
            help="HubSpot private app token (for --live).",
            show_default=False,
        ),
    ] = None,
    rates: Rates = None,
    dry_run: DryRun = False,
    skip_invalid: SkipInvalid = False,
) -> None:
    """Import HubSpot deals, with the stage history their dates reveal."""
    from sqo.domain.values import utc_now
    from sqo.io import hubspot
    from sqo.io.stages import load_stage_table

    if live == (file is not None):
        raise typer.BadParameter(_("Give either a FILE or --live."))
    now = utc_now()

    def build(ws: Workspace) -> list[SourceFile]:
        reader = hubspot.HubSpotReader(
            ws.stage_model,
            now,
            ws.default_currency,
            load_stage_table(stages) if stages else hubspot.DEFAULT_STAGES,
            check_date_format(date_format),
            timezone,
        )
        first, rated = _rates(ws, rates, date_format)
        if file is not None:
            return first + hubspot.hubspot_files(file, reader, rated=rated)
        from sqo.io.connectors.hubspot_api import hubspot_live_files

        return first + hubspot_live_files(reader, token)

    _run(ctx, "hubspot", build, dry_run, skip_invalid)


app.command("export")(restore_command)
