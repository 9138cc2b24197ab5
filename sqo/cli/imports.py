"""`sqo import ...` and `sqo export`: bring CRM exports in, take everything out.

Each command turns its options into an import request (:mod:`sqo.services.import_sources`) and
runs it; what the import did is shown by :mod:`sqo.cli.import_report`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sqo.cli.context import SqoGroup, state
from sqo.cli.exports import restore_command
from sqo.cli.import_report import progress_bar, show_report
from sqo.domain.errors import ImportFailed
from sqo.domain.values import utc_now
from sqo.i18n import _
from sqo.services.import_sources import (
    HubSpotImport,
    ImportRequest,
    SalesforceImport,
    import_request,
    mapped_csv_import,
)
from sqo.services.imports import ImportReport

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


def _run(
    ctx: typer.Context,
    request: ImportRequest,
    dry_run: bool,
    skip_invalid: bool,
    all_or_nothing: bool = False,
) -> None:
    now = utc_now()  # the readers' "now": when the user asked
    st = state(ctx)
    ws = st.workspace()
    with progress_bar() as progress:
        try:
            report = import_request(
                ws,
                st.actor(),
                request,
                now=now,
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
    request = mapped_csv_import(file, mapping, rates)  # the mapping is checked first
    _run(ctx, request, dry_run, skip_invalid)


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
    if live == (folder is not None):
        raise typer.BadParameter(_("Give either a FOLDER or --live."))
    request = SalesforceImport(
        folder=folder,
        stages=stages,
        lead_statuses=lead_statuses,
        segment_field=segment_field,
        segments=segments,
        date_format=date_format,
        live=live,
        instance_url=instance_url,
        token=token,
        start_stage=start_stage,
    )
    _run(ctx, request, dry_run, skip_invalid, all_or_nothing)


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
    if live == (file is not None):
        raise typer.BadParameter(_("Give either a FILE or --live."))
    request = HubSpotImport(
        file=file,
        stages=stages,
        date_format=date_format,
        timezone=timezone,
        live=live,
        token=token,
        rates=rates,
    )
    _run(ctx, request, dry_run, skip_invalid)


app.command("export")(restore_command)
