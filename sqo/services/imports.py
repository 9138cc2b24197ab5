"""Use case: import records from CRM exports (or live CRM reads) into the workspace.

Each file is one transaction: all of it or nothing of it, unless ``skip_invalid`` asks to import
the valid rows and write the rejected ones (with the reason per row) to a CSV next to the input.
``all_or_nothing`` makes the whole import one transaction. A dry run does everything in one
transaction and rolls it back, so its counts are exact.
Imports are faithful, not gatekeepers: they bypass the SQO gate and the loss-reason rule, and
write history with the times the source reveals, with an actor such as ``import:salesforce``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal

from sqlalchemy.exc import OperationalError

from sqo.domain.actor import Actor
from sqo.domain.audit import AuditAction, audit_entry
from sqo.domain.errors import ImportFailed, SqoError
from sqo.domain.values import utc_now
from sqo.i18n import _
from sqo.io.incoming import Incoming, IncomingStaged, Kind, Rejected, SourceFile
from sqo.services.corporate_currency import set_corporate_currency
from sqo.services.import_references import Counts, Resolver
from sqo.services.import_rejected import RejectedCsv, RejectedNotWritten
from sqo.services.import_writer import finish_deferred, write_plain, write_staged
from sqo.services.workspace import Workspace
from sqo.store.unit_of_work import UnitOfWork

CHUNK = 2000
MAX_ERRORS_KEPT = 500

Progress = Callable[[str, int], None]  # (file name, rows done so far)
# "rolled-back": imported, then undone with the rest of an all-or-nothing import; "not-read":
# after the refused file, so never opened.
Status = Literal["imported", "rejected", "dry-run", "skipped", "rolled-back", "not-read"]
LANDED: frozenset[Status] = frozenset({"imported", "dry-run"})


@dataclass
class FileReport:
    name: str
    kind: Kind
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    placeholders: int = 0
    history_rows: int = 0
    rejected: int = 0
    errors: list[Rejected] = field(default_factory=list)
    rejected_file: str | None = None
    status: Status = "imported"
    notes: list[str] = field(default_factory=list)  # values changed to store them, and why

    @property
    def landed(self) -> bool:
        """Whether its records are (in a dry run: would be) in the workspace."""
        return self.status in LANDED


@dataclass
class ImportReport:
    source: str
    dry_run: bool
    all_or_nothing: bool = False
    files: list[FileReport] = field(default_factory=list)
    failure: str | None = None  # why a file was refused (also the ImportFailed message)

    @property
    def ok(self) -> bool:
        return self.failure is None

    def total(self, attribute: str) -> int:
        return sum(int(getattr(f, attribute)) for f in self.files)


def _import_file(
    uow: UnitOfWork,
    source: SourceFile,
    report: FileReport,
    *,
    actor: str,
    now: datetime,
    keep_rejected: Callable[[Rejected], None],
    progress: Progress | None,
) -> None:
    connection = uow.connection
    if source.corporate_currency:
        set_corporate_currency(connection, source.corporate_currency)
    writer = uow.bulk
    counts = Counts()
    resolver = Resolver(connection, writer, counts)
    deferred: list[tuple[Kind, int, str, object, Incoming]] = []
    seen: set[int] = set()
    batch: list[Incoming | IncomingStaged] = []

    def reject(rejected: Rejected) -> None:
        report.rejected += 1
        if len(report.errors) < MAX_ERRORS_KEPT:
            report.errors.append(rejected)
        keep_rejected(rejected)

    def flush() -> None:
        if not batch:
            return
        if isinstance(batch[0], IncomingStaged):
            write_staged(
                connection,
                writer,
                resolver,
                [i for i in batch if isinstance(i, IncomingStaged)],
                counts,
                actor=actor,
                now=now,
            )
        else:
            write_plain(
                connection,
                writer,
                resolver,
                [i for i in batch if isinstance(i, Incoming)],
                counts,
                deferred,  # type: ignore[arg-type]
            )
        for rejected in counts.rejected:
            reject(rejected)
        counts.rejected.clear()
        batch.clear()
        if progress is not None:
            progress(source.name, report.rows)

    for item in source.items:
        report.rows += 1
        if isinstance(item, Rejected):
            reject(item)
            continue
        if item.kind is Kind.HISTORY:
            report.history_rows += 1
            continue
        fingerprint = hash(item.key)
        if fingerprint in seen:
            reject(
                Rejected(
                    item.row,
                    _(
                        "row {row}: the id {key!r} appears more than once in this file; "
                        "only its first row is imported.",
                        row=item.row,
                        key=item.key,
                    ),
                    item.raw,
                )
            )
            continue
        seen.add(fingerprint)
        batch.append(item)
        if len(batch) >= CHUNK:
            flush()
    flush()
    finish_deferred(connection, writer, resolver, deferred, counts)  # type: ignore[arg-type]
    for rejected in counts.rejected:
        reject(rejected)
    writer.finish()
    report.notes = source.notes.messages(source.name)
    report.created = counts.created
    report.updated = counts.updated
    report.unchanged = counts.unchanged
    report.placeholders = counts.placeholders
    report.history_rows += counts.history_rows
    if progress is not None:
        progress(source.name, report.rows)


def run_import(
    ws: Workspace,
    actor: Actor,
    source: str,
    files: Iterable[SourceFile],
    *,
    dry_run: bool = False,
    skip_invalid: bool = False,
    all_or_nothing: bool = False,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> ImportReport:
    """Import the files in order and stop at the first file that is refused, then raise
    :class:`ImportFailed`. Each file is its own transaction (the files before a refused one stay
    imported, whole), or with ``all_or_nothing`` all files are one (a refusal writes nothing).
    A dry run does what the real run would, in one transaction that is rolled back, and returns
    its report instead of raising."""
    now = now or utc_now()
    history_actor = f"import:{source}"
    report = ImportReport(source=source, dry_run=dry_run, all_or_nothing=all_or_nothing)
    pending = iter(files)
    whole = dry_run or all_or_nothing  # one transaction for every file
    with ws.unit_of_work() as uow:
        if whole:
            uow.lock_for_import()
        else:
            uow.rollback()  # each file opens its own transaction, the lock taken first
        sharing: list[FileReport] = []  # files in the open transaction, written with the next
        try:
            for source_file in pending:
                file_report = FileReport(source_file.name, source_file.kind)
                report.files.append(file_report)
                if not uow.in_transaction:
                    uow.begin()
                    uow.lock_for_import()
                refusal = _import_one(
                    uow,
                    source_file,
                    file_report,
                    actor=history_actor,
                    now=now,
                    keep_rejected=skip_invalid and not dry_run,
                    progress=progress,
                )
                if refusal is None and file_report.rejected and not skip_invalid:
                    refusal = _rows_refused(file_report)
                if refusal is not None:
                    if not whole:
                        uow.rollback()
                        _undone(sharing)
                    _stop(report, file_report, refusal, pending)
                    if dry_run:
                        return report
                    raise ImportFailed(refusal, report=report)
                if dry_run:
                    file_report.status = "dry-run"
                    continue
                uow.audit.add(
                    audit_entry(
                        AuditAction.FILE_IMPORTED,
                        actor,
                        now,
                        source=source,
                        file=source_file.name,
                        created=file_report.created,
                        updated=file_report.updated,
                        rejected=file_report.rejected,
                    )
                )
                if not whole:
                    if source_file.with_next:
                        sharing.append(file_report)
                        continue
                    uow.commit()
                    sharing.clear()
            if uow.in_transaction and not dry_run:
                uow.commit()  # the whole import's, or the last files' written with a next one
        except OperationalError as exc:  # a full disk, say, while writing or committing a file
            committed = [] if whole else [f for f in report.files[:-1] if f not in sharing]
            if not committed:
                raise  # nothing was written: the interface says so
            _database_refused(report, report.files[-1], sharing, exc, pending)
    return report


def _import_one(
    uow: UnitOfWork,
    source_file: SourceFile,
    file_report: FileReport,
    *,
    actor: str,
    now: datetime,
    keep_rejected: bool,
    progress: Progress | None,
) -> str | None:
    """Import one file into the open transaction; the refusal's message, or None."""
    rejected_csv: RejectedCsv | None = None

    def keep(rejected: Rejected) -> None:
        nonlocal rejected_csv
        if keep_rejected and source_file.path:
            if rejected_csv is None:
                rejected_csv = RejectedCsv(Path(source_file.path), source_file.columns)
            rejected_csv.write(rejected)

    refusal: str | None = None
    try:
        _import_file(
            uow,
            source_file,
            file_report,
            actor=actor,
            now=now,
            keep_rejected=keep,
            progress=progress,
        )
    except SqoError as exc:
        refusal = _refused(file_report, exc.message)
    except OperationalError:  # the file is undone (see run_import): so are its rejected rows
        if rejected_csv is not None:
            rejected_csv.discard()
        raise
    if rejected_csv is not None and not rejected_csv.discarded:
        try:
            rejected_csv.close()
            file_report.rejected_file = str(rejected_csv.path)
        except RejectedNotWritten as exc:
            refusal = refusal or _refused(file_report, exc.message)
    return refusal


def _refused(file_report: FileReport, problem: str) -> str:
    file_report.errors.insert(0, Rejected(0, problem))
    file_report.rejected = max(file_report.rejected, 1)
    return _("{file}: {problem}", file=file_report.name, problem=problem)


def _database_refused(
    report: ImportReport,
    refused: FileReport,
    sharing: list[FileReport],
    exc: OperationalError,
    pending: Iterable[SourceFile],
) -> None:
    """The database failed one file after others were committed: those stay, and the report
    says which, instead of an error saying nothing was changed."""
    problem = str(exc.orig).strip()
    refusal = _refused(
        refused,
        _(
            "the database refused to write it ({problem}); nothing from this file was imported.",
            problem=problem,
        ),
    )
    _undone([f for f in sharing if f is not refused])
    _stop(report, refused, refusal, pending)
    raise ImportFailed(refusal, report=report) from exc


def _stop(
    report: ImportReport, refused: FileReport, refusal: str, pending: Iterable[SourceFile]
) -> None:
    """Mark what the refusal leaves: this file refused, the files after it not read, and under
    all-or-nothing the files before it rolled back with it."""
    refused.status = "rejected"
    report.failure = refusal
    if report.all_or_nothing:
        for earlier in report.files:
            if earlier is not refused:
                earlier.status = "rolled-back"
    for later in pending:
        report.files.append(FileReport(later.name, later.kind, status="not-read"))


def _undone(sharing: list[FileReport]) -> None:
    """Files written in the refused file's transaction were rolled back with it."""
    for earlier in sharing:
        earlier.status = "rolled-back"


def _rows_refused(failed: FileReport) -> str:
    lines = [
        _(
            "{file}: {count} row(s) rejected; nothing from this file was imported. "
            "Fix them, or run again with --skip-invalid to import the valid rows.",
            file=failed.name,
            count=failed.rejected,
        )
    ]
    lines += [f"  {e.message}" for e in failed.errors[:20]]
    if failed.rejected > 20:
        lines.append(_("  … and {count} more.", count=failed.rejected - 20))
    return "\n".join(lines)


def known_keys(ws: Workspace) -> Callable[[Kind, list[str]], set[str]]:
    """Which of these external ids the workspace already holds (for history-only imports)."""
    from sqo.services.import_references import TABLES
    from sqo.store.bulk_lookups import ids_by_external_id

    def known(kind: Kind, keys: list[str]) -> set[str]:
        with ws.unit_of_work() as uow:
            return set(ids_by_external_id(uow.connection, TABLES[kind], keys))

    return known
