"""What an import reads: the files (or live CRM reads) behind ``sqo import csv|salesforce|hubspot``,
assembled from the options a user gives, so that every interface starts the same import.

Each kind of import is a request (:class:`MappedCsvImport`, :class:`SalesforceImport`,
:class:`HubSpotImport`) with the source's name and :meth:`files`, the readers in import order,
given to :func:`sqo.services.imports.run_import`. Option files (stage tables, segments) and date
formats are checked when the readers are built, before anything is written; the mapping of a
mapped CSV is read when the request is made, before the workspace is opened.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqo.domain.actor import Actor
from sqo.io.incoming import SourceFile
from sqo.io.mapped_csv import mapped_csv_files
from sqo.io.mapping import Mapping, load_mapping
from sqo.io.values import check_date_format
from sqo.services.imports import ImportReport, Progress, known_keys, run_import
from sqo.services.workspace import Workspace


def rated_currencies(ws: Workspace) -> frozenset[str]:
    """Every currency the workspace holds an exchange rate for."""
    from sqo.services.corporate_currency import rated_currencies as held

    with ws.unit_of_work() as uow:
        return held(uow.connection)


def _rates(
    ws: Workspace, rates: Path | None, date_format: str
) -> tuple[list[SourceFile], frozenset[str]]:
    """The rates file to import first (if any), and every currency with a rate."""
    from sqo.io.rates import rates_file

    rated = rated_currencies(ws)
    if rates is None:
        return [], rated
    found = rates_file(rates, date_format)
    return [found.file], rated | found.currencies


@dataclass(frozen=True)
class MappedCsvImport:
    """Any CSV of opportunities or leads, read through a mapping file (see docs/import.md)."""

    file: Path
    mapping: Mapping
    rates: Path | None = None  # exchange rates, imported first

    @property
    def source(self) -> str:
        return self.mapping.source

    def files(self, ws: Workspace, now: datetime) -> list[SourceFile]:
        first, rated = _rates(ws, self.rates, self.mapping.date_format)
        return first + mapped_csv_files(
            self.file,
            self.mapping,
            ws.stage_model,
            now,
            corporate=ws.default_currency,
            rated=rated,
        )


def mapped_csv_import(file: Path, mapping: Path, rates: Path | None = None) -> MappedCsvImport:
    """The request for a mapped CSV; the mapping file is read (and refused) here."""
    return MappedCsvImport(file, load_mapping(mapping), rates)


@dataclass(frozen=True)
class SalesforceImport:
    """Salesforce objects: a folder of exports (any subset of the standard objects), or the org
    itself (``live``, through its API with ``instance_url`` and ``token``)."""

    folder: Path | None = None
    stages: Path | None = None  # 'Salesforce stage: workspace stage', on top of the standard
    lead_statuses: Path | None = None  # 'lead status: workspace lead stage', likewise
    segment_field: str | None = None
    segments: Path | None = None
    date_format: str = "auto"
    live: bool = False
    instance_url: str | None = None
    token: str | None = None
    start_stage: str | None = None

    source = "salesforce"

    def files(self, ws: Workspace, now: datetime) -> list[SourceFile]:
        from sqo.io import salesforce
        from sqo.io.salesforce_files import salesforce_files
        from sqo.io.salesforce_segments import load_account_segments
        from sqo.io.stages import load_stage_table

        reader = salesforce.SalesforceReader(
            ws.stage_model,
            now,
            ws.default_currency,
            load_stage_table(self.stages) if self.stages else {},  # on top of the defaults
            load_stage_table(self.lead_statuses) if self.lead_statuses else {},
            # the API writes ISO
            "iso" if self.live else check_date_format(self.date_format, auto=True),
            load_account_segments(self.segments, self.segment_field),
            self.start_stage,
        )
        if self.folder is not None:
            return salesforce_files(self.folder, reader, known_keys(ws))
        from sqo.io.connectors.salesforce_api import salesforce_live_files

        return salesforce_live_files(reader, known_keys(ws), self.instance_url, self.token)


@dataclass(frozen=True)
class HubSpotImport:
    """HubSpot deals: an export (CSV), or the account itself (``live``, with ``token``)."""

    file: Path | None = None
    stages: Path | None = None  # 'HubSpot stage: workspace stage' (default: the standard names)
    date_format: str = "iso"
    timezone: str = "UTC"  # the account's, for times written without one
    live: bool = False
    token: str | None = None
    rates: Path | None = None  # exchange rates, imported first

    source = "hubspot"

    def files(self, ws: Workspace, now: datetime) -> list[SourceFile]:
        from sqo.io import hubspot
        from sqo.io.stages import load_stage_table

        reader = hubspot.HubSpotReader(
            ws.stage_model,
            now,
            ws.default_currency,
            load_stage_table(self.stages) if self.stages else hubspot.DEFAULT_STAGES,
            check_date_format(self.date_format),
            self.timezone,
        )
        first, rated = _rates(ws, self.rates, self.date_format)
        if self.file is not None:
            return first + hubspot.hubspot_files(self.file, reader, rated=rated)
        from sqo.io.connectors.hubspot_api import hubspot_live_files

        return first + hubspot_live_files(reader, self.token)


ImportRequest = MappedCsvImport | SalesforceImport | HubSpotImport


def import_request(
    ws: Workspace,
    actor: Actor,
    request: ImportRequest,
    *,
    now: datetime,
    dry_run: bool = False,
    skip_invalid: bool = False,
    all_or_nothing: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Build the request's readers (at ``now``, the moment the user asked) and import them
    (see :func:`~sqo.services.imports.run_import`, which raises ``ImportFailed``)."""
    return run_import(
        ws,
        actor,
        request.source,
        request.files(ws, now),
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        all_or_nothing=all_or_nothing,
        progress=progress,
    )
