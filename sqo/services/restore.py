"""Use case: read an sqo export back into an empty workspace, as an identical copy.

Same ids, same rows, same history, same settings and audit log. Everything is checked before
anything is written (the manifest, its format version and schema revision, every file and its
columns), and the rows are written in one transaction: a row that does not parse, a missing
row or a broken reference rolls everything back and names the file (and row), leaving the
workspace as it was. A workspace that already holds records is refused: restoring is not
merging (import CRM exports to merge by external id).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, delete, func, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from sqo.domain.actor import Actor
from sqo.domain.errors import InvalidValue, SqoError, WorkspaceError
from sqo.domain.history import RecordType
from sqo.i18n import _
from sqo.io.export import (
    FORMAT_VERSION,
    FORMATS,
    MANIFEST,
    READABLE_VERSIONS,
    DamagedExport,
    Format,
    read_batches,
)
from sqo.services.workspace import Workspace, init_workspace, open_workspace
from sqo.store import migrate
from sqo.store import tables as t
from sqo.store.consistency import disagreements
from sqo.store.database import resolve_url, sqlite_path

BATCH = 10_000
# Replaced by the export's own rows: a new workspace holds its settings and its creation entry.
REPLACED = ("settings", "audit_log")
# Columns that point at a row of the same table: written once the whole table is in.
SELF_REFERENCES = {"reps": ("manager_id",)}


@dataclass(frozen=True)
class RestoreReport:
    folder: Path
    rows: dict[str, int]


def read_manifest(folder: Path) -> dict[str, Any]:
    """The export's manifest, checked: format, version, schema revision and files."""
    if not folder.is_dir():
        raise InvalidValue(_("The folder {folder} does not exist.", folder=str(folder)))
    path = folder / MANIFEST
    if not path.is_file():
        raise DamagedExport(
            _(
                "{folder} is not an sqo export: {file} is missing.",
                folder=str(folder),
                file=MANIFEST,
            )
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise DamagedExport(
            _("{file} cannot be read: {problem}", file=MANIFEST, problem=exc)
        ) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != "sqo-export":
        raise DamagedExport(_("{file} is not the manifest of an sqo export.", file=MANIFEST))
    if manifest.get("format_version") not in READABLE_VERSIONS:
        raise DamagedExport(
            _(
                "{file}: export format version {found} is not supported (this sqo reads "
                "version {expected}).",
                file=MANIFEST,
                found=manifest.get("format_version"),
                expected=FORMAT_VERSION,
            )
        )
    head = migrate.head_revision()
    if manifest.get("schema_revision") != head:
        raise DamagedExport(
            _(
                "{file}: the export has schema revision {found}, this sqo has {expected}; "
                "restore it with the sqo version that wrote it.",
                file=MANIFEST,
                found=manifest.get("schema_revision"),
                expected=head,
            )
        )
    if manifest.get("file_format") not in FORMATS:
        raise DamagedExport(
            _(
                "{file}: unknown file format {fmt!r}.",
                file=MANIFEST,
                fmt=manifest.get("file_format"),
            )
        )
    tables = manifest.get("tables")
    if not isinstance(tables, dict):
        raise DamagedExport(_("{file} lists no tables.", file=MANIFEST))
    for table in t.metadata.sorted_tables:
        entry = tables.get(table.name)
        if not isinstance(entry, dict) or not isinstance(entry.get("rows"), int):
            raise DamagedExport(
                _("{file} does not list the table {table}.", file=MANIFEST, table=table.name)
            )
        if not (folder / str(entry.get("file"))).is_file():
            raise DamagedExport(
                _(
                    "The file {file} of the table {table} is missing from {folder}.",
                    file=str(entry.get("file")),
                    table=table.name,
                    folder=str(folder),
                )
            )
    return manifest


def _holdings(connection: Connection) -> list[str]:
    """The tables that hold rows, other than those a new workspace starts with."""
    held = []
    for table in t.metadata.sorted_tables:
        if table.name in REPLACED:
            continue
        if connection.execute(select(func.count()).select_from(table)).scalar_one():
            held.append(table.name)
    return held


def _insert(connection: Connection, table: Table, rows: list[tuple[Any, ...]]) -> None:
    names = [c.name for c in table.columns]
    if connection.dialect.name == "sqlite":
        dialect = connection.dialect
        processors = [c.type._cached_bind_processor(dialect) for c in table.columns]
        params = [
            tuple(
                v if p is None or v is None else p(v) for v, p in zip(row, processors, strict=True)
            )
            for row in rows
        ]
        marks = ", ".join("?" for _n in names)
        columns = ", ".join(f'"{n}"' for n in names)
        driver = connection.connection.driver_connection
        assert driver is not None
        driver.executemany(f'INSERT INTO "{table.name}" ({columns}) VALUES ({marks})', params)
    else:
        connection.execute(insert(table), [dict(zip(names, row, strict=True)) for row in rows])


def _restore_table(
    connection: Connection,
    folder: Path,
    table: Table,
    entry: dict[str, Any],
    fmt: Format,
    version: int,
) -> int:
    deferred = SELF_REFERENCES.get(table.name, ())
    positions = [i for i, c in enumerate(table.columns) if c.name in deferred]
    later: list[tuple[Any, ...]] = []
    count = 0
    path = folder / str(entry["file"])
    for batch in read_batches(path, table, fmt, BATCH, version=version):
        if positions:
            later += [row for row in batch if any(row[i] is not None for i in positions)]
            batch = [
                tuple(None if i in positions else v for i, v in enumerate(row)) for row in batch
            ]
        try:
            _insert(connection, table, batch)
        except SQLAlchemyError as exc:
            raise _not_written(path, count, exc) from exc
        except Exception as exc:  # the driver's own integrity errors on the raw path
            if exc.__class__.__module__.startswith(("sqlite3", "psycopg")):
                raise _not_written(path, count, exc) from exc
            raise
        count += len(batch)
    for row in later:
        values = {c.name: row[i] for i, c in enumerate(table.columns) if i in positions}
        connection.execute(update(table).where(table.c.id == row[0]).values(values))
    if count != entry["rows"]:
        raise DamagedExport(
            _(
                "{file} holds {found} rows, the manifest says {expected}.",
                file=path.name,
                found=count,
                expected=entry["rows"],
            )
        )
    return count


def _not_written(path: Path, done: int, exc: Exception) -> DamagedExport:
    problem = str(getattr(exc, "orig", None) or exc).splitlines()[0]
    return DamagedExport(
        _(
            "{file}: the rows after row {row} cannot be written: {problem}",
            file=path.name,
            row=done + 1,
            problem=problem,
        )
    )


def _check_history(connection: Connection) -> None:
    """Refuse an export whose records do not equal the replay of their history (a copy taken
    from a moving workspace by an older sqo, or edited by hand): restoring it would give a
    workspace whose "as of" views and current state disagree."""
    for record_type in (RecordType.OPPORTUNITY, RecordType.LEAD):
        count, found = disagreements(connection, record_type)
        if count:
            first = found[0]
            raise DamagedExport(
                _(
                    "{count} {kind} record(s) in the export disagree with their exported history "
                    "(the first: id {id}, field {field} is {value!r}, its history says "
                    "{expected!r}); the export is not a consistent copy and nothing was restored. "
                    "Export the workspace again with this sqo.",
                    count=count,
                    kind=record_type.value,
                    id=first.record_id,
                    field=first.field,
                    value=first.record_value,
                    expected=first.history_value,
                )
            )


def restore_export(ws: Workspace, actor: Actor, folder: Path) -> RestoreReport:
    """Write the export in ``folder`` into the empty workspace ``ws``, all or nothing."""
    folder = folder.expanduser()
    manifest = read_manifest(folder)
    fmt: Format = manifest["file_format"]
    rows: dict[str, int] = {}
    with ws.unit_of_work() as uow:
        connection = uow.connection
        held = _holdings(connection)
        if held:
            raise WorkspaceError(
                _(
                    "This workspace already holds records ({tables}); an export is restored "
                    "only into an empty workspace (create one with 'sqo init'). Nothing was "
                    "changed.",
                    tables=", ".join(held),
                )
            )
        for name in REPLACED:
            connection.execute(delete(t.metadata.tables[name]))
        for table in t.metadata.sorted_tables:
            rows[table.name] = _restore_table(
                connection,
                folder,
                table,
                manifest["tables"][table.name],
                fmt,
                manifest["format_version"],  # version 2 quotes formula-like text: undo it
            )
        _check_history(connection)
        if connection.dialect.name == "postgresql":
            for table in t.metadata.sorted_tables:
                if "id" in table.c:
                    connection.exec_driver_sql(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
                    )
        uow.commit()
    return RestoreReport(folder=folder, rows=rows)


def restore_into(db: str | None, actor: Actor, folder: Path) -> RestoreReport:
    """Restore the export in ``folder`` into the workspace ``db``: an empty workspace, or a
    SQLite file not created yet (created here). A failed restore into a file it created leaves
    no file behind."""
    created: Path | None = None
    try:
        ws = open_workspace(db)
    except WorkspaceError:
        path = sqlite_path(resolve_url(db))
        if path is None or path.exists():
            raise
        ws = init_workspace(db, actor)
        created = path
    try:
        return restore_export(ws, actor, folder)
    except SqoError:
        if created is not None:
            ws.close()  # the last connection: SQLite folds its WAL in before the files go
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{created}{suffix}").unlink(missing_ok=True)
        raise
    finally:
        ws.close()
