"""Use case: export everything in the workspace, history included, to a folder.

One file per table (see :mod:`sqo.io.export` for the value encoding) and ``manifest.json``. The
tables are read in one transaction (one consistent state of the workspace) and streamed in
batches. The export is written into a temporary folder next to the target and renamed into
place at the end, so a failed or interrupted export never leaves a half-written folder behind.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from sqo.domain.actor import Actor
from sqo.domain.errors import InvalidValue
from sqo.domain.playbooks import choice
from sqo.domain.values import utc_now
from sqo.i18n import _
from sqo.io.export import FORMAT_VERSION, FORMATS, MANIFEST, Format, TableWriter
from sqo.services.workspace import Workspace
from sqo.store import migrate
from sqo.store import tables as t
from sqo.store.transactions import begin_consistent_read

BATCH = 10_000


@dataclass(frozen=True)
class ExportReport:
    folder: Path
    fmt: Format
    rows: dict[str, int]
    exported_at: datetime


class ExportNotWritten(InvalidValue):
    """The disk refused the export's files; what was written of them is removed."""

    def __init__(self, folder: Path, problem: OSError) -> None:
        super().__init__(
            _(
                "The export cannot be written to {folder} ({problem}); nothing was exported. "
                "Free some space or choose another folder.",
                folder=str(folder),
                problem=problem.strerror or problem,
            ),
            field="folder",
        )


def export_format(name: str) -> Format:
    """The file format called ``name`` (csv or parquet), or a refusal naming them."""
    if name not in FORMATS:
        raise InvalidValue(
            _("Unknown export format {fmt!r}; use csv or parquet.", fmt=name), field="format"
        )
    return "csv" if name == "csv" else "parquet"


def sqo_version() -> str:
    try:
        return version("sqo")
    except PackageNotFoundError:
        return "unknown"


def _check_target(folder: Path, force: bool) -> None:
    if folder.exists() and not folder.is_dir():
        raise InvalidValue(
            _("{folder} is a file, not a folder; nothing was exported.", folder=str(folder)),
            field="folder",
        )
    if folder.is_dir() and any(folder.iterdir()) and not force:
        raise InvalidValue(
            _(
                "The folder {folder} is not empty; choose an empty or new folder, or use --force "
                "to replace its contents.",
                folder=str(folder),
            ),
            field="folder",
        )
    if not folder.parent.is_dir():
        raise InvalidValue(
            _("The folder {folder} does not exist.", folder=str(folder.parent)), field="folder"
        )


def _export_table(connection: Connection, table: Any, writer: TableWriter) -> None:
    order = list(table.primary_key.columns)
    result = connection.execution_options(yield_per=BATCH).execute(select(table).order_by(*order))
    for part in result.partitions():
        writer.write([tuple(row) for row in part])


def _manifest(
    ws: Workspace, fmt: Format, rows: dict[str, int], settings: dict[str, Any], at: datetime
) -> dict[str, Any]:
    playbook = settings.get(choice.SETTING_PLAYBOOK)
    stage_model = settings.get("stage_model") or {}
    return {
        "format": "sqo-export",
        "format_version": FORMAT_VERSION,
        "file_format": fmt,
        "schema_revision": migrate.current_revision(ws.engine),
        "sqo_version": sqo_version(),
        "exported_at": at.isoformat(),
        "stage_model": stage_model.get("name") if isinstance(stage_model, dict) else None,
        "playbook": playbook,
        "settings": settings,
        "tables": {name: {"file": f"{name}.{fmt}", "rows": count} for name, count in rows.items()},
    }


def export_workspace(
    ws: Workspace,
    actor: Actor,
    folder: Path,
    *,
    fmt: Format = "csv",
    force: bool = False,
    now: datetime | None = None,
) -> ExportReport:
    """Write every table of the workspace into ``folder``. Refuses a non-empty folder unless
    ``force`` (then its contents are replaced, only once the new export is complete)."""
    fmt = export_format(fmt)
    folder = folder.expanduser().absolute()
    _check_target(folder, force)
    at = now or utc_now()
    try:
        temp = Path(
            tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".partial", dir=folder.parent)
        )
    except OSError as exc:
        raise ExportNotWritten(folder, exc) from exc
    try:
        rows: dict[str, int] = {}
        with ws.engine.connect() as connection, begin_consistent_read(connection):
            for table in t.metadata.sorted_tables:
                writer = TableWriter(temp, table, fmt)
                try:
                    _export_table(connection, table, writer)
                finally:
                    writer.close()
                rows[table.name] = writer.rows
            settings = {key: value for key, value in connection.execute(select(t.settings)).all()}
        manifest = _manifest(ws, fmt, rows, settings, at)
        (temp / MANIFEST).write_text(
            json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        _move_into_place(temp, folder)
    except OSError as exc:  # a full disk (ENOSPC, or EFBIG past a size limit), a lost folder
        shutil.rmtree(temp, ignore_errors=True)
        raise ExportNotWritten(folder, exc) from exc
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    return ExportReport(folder=folder, fmt=fmt, rows=rows, exported_at=at)


def _move_into_place(temp: Path, folder: Path) -> None:
    old: Path | None = None
    if folder.exists():
        old = folder.with_name(f".{folder.name}.{temp.name}.old")
        folder.rename(old)
    temp.rename(folder)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
