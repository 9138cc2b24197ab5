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
from sqo.services.imports import ImportReport, run_import
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
        TextColumn("{task.description}"),
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
                f.rows,
                f.created,
                f.updated,
                f.unchanged,
                f.rejected,
                f.history_rows,
                _(f.status),
            ]
            for f in report.files
        ],
        right=range(1, 7),
    )
    for file in report.files:
        for note in file.notes:
            output.console.print(f"{file.name}: {note}", markup=False)
        if file.placeholders:
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


def _run(ctx: typer.Context, source: str, build, dry_run: bool, skip_invalid: bool) -> None:  # type: ignore[no-untyped-def]
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
                progress=progress,
            )
        except ImportFailed as exc:
            if isinstance(exc.report, ImportReport):
                show_report(exc.report)
            raise
    show_report(report)


@app.command("csv")
def import_csv(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The CSV file, one opportunity per row.")],
    mapping: Annotated[
        Path, typer.Option("--mapping", help="The mapping file (YAML); see docs/import.md.")
    ],
    dry_run: DryRun = False,
    skip_invalid: SkipInvalid = False,
) -> None:
    """Import any CSV of opportunities through a mapping file."""
    spec = load_mapping(mapping)
    from sqo.domain.values import utc_now

    now = utc_now()
    _run(
        ctx,
        spec.source,
        lambda ws: mapped_csv_files(file, spec, ws.stage_model, now),
        dry_run,
        skip_invalid,
    )


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
    stages: StageMap = None,
    lead_statuses: Annotated[
        Path | None,
        typer.Option("--lead-statuses", help="YAML of 'lead status: workspace lead stage' lines."),
    ] = None,
    date_format: Annotated[
        str, typer.Option(help="iso, day-first, month-first or a strptime pattern.")
    ] = "iso",
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
) -> None:
    """Import Salesforce objects: a folder of exports (any subset of the standard objects), or
    the org itself with --live."""
    from sqo.domain.values import utc_now
    from sqo.io import salesforce
    from sqo.io.salesforce_files import salesforce_files
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
            load_stage_table(stages) if stages else salesforce.DEFAULT_STAGES,
            load_stage_table(lead_statuses) if lead_statuses else salesforce.DEFAULT_LEAD_STATUSES,
            "iso" if live else date_format,  # the API writes ISO dates
            start_stage,
        )
        if folder is not None:
            return salesforce_files(folder, reader, known_keys(ws))
        from sqo.io.connectors.salesforce_api import salesforce_live_files

        return salesforce_live_files(reader, known_keys(ws), instance_url, token)

    _run(ctx, "salesforce", build, dry_run, skip_invalid)


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
            date_format,
            timezone,
        )
        if file is not None:
            return hubspot.hubspot_files(file, reader)
        from sqo.io.connectors.hubspot_api import hubspot_live_files

        return hubspot_live_files(reader, token)

    _run(ctx, "hubspot", build, dry_run, skip_invalid)


app.command("export")(restore_command)
