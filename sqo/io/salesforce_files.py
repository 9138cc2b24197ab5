"""``sqo import salesforce FOLDER``: the object exports found in a folder, in import order."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from sqo.i18n import _
from sqo.io.csv_source import CsvRow, CsvSource
from sqo.io.incoming import Kind, Rejected, SourceFile
from sqo.io.salesforce import OBJECTS, REQUIRED, SalesforceReader, key

KINDS = {
    "User": Kind.REP,
    "Account": Kind.ACCOUNT,
    "Campaign": Kind.CAMPAIGN,
    "Contact": Kind.CONTACT,
    "OpportunityHistory": Kind.HISTORY,
    "OpportunityFieldHistory": Kind.HISTORY,
    "Opportunity": Kind.OPPORTUNITY,
    "LeadHistory": Kind.HISTORY,
    "Lead": Kind.LEAD,
    "OpportunityContactRole": Kind.CONTACT_ROLE,
    "CampaignMember": Kind.CAMPAIGN_MEMBER,
    "Task": Kind.ACTIVITY,
    "Event": Kind.ACTIVITY,
}


def find_exports(folder: Path) -> dict[str, Path]:
    """``{object: file}`` for the object exports in the folder (names case-insensitive)."""
    by_name = {p.stem.casefold(): p for p in folder.glob("*") if p.suffix.casefold() == ".csv"}
    return {obj: by_name[obj.casefold()] for obj in OBJECTS if obj.casefold() in by_name}


def rows(source: CsvSource) -> Iterator[tuple[int, dict[str, str]] | Rejected]:
    for row in source.rows():
        if isinstance(row, CsvRow):
            yield row.number, row.values
        else:
            yield Rejected(
                row.number,
                _("row {row}: {problem}", row=row.number, problem=row.message),
                row.values,
            )


def salesforce_files(
    folder: Path,
    reader: SalesforceReader,
    known: Callable[[Kind, list[str]], set[str]],
) -> list[SourceFile]:
    from sqo.domain.errors import InvalidValue

    if not folder.is_dir():
        raise InvalidValue(
            _("The folder {folder} does not exist.", folder=str(folder)), field="folder"
        )
    found = find_exports(folder)
    if not found:
        raise InvalidValue(
            _(
                "No Salesforce exports in {folder}: expected files named after their objects, "
                "such as Opportunity.csv, Account.csv or OpportunityHistory.csv.",
                folder=str(folder),
            ),
            field="folder",
        )
    sources = {obj: CsvSource(path) for obj, path in found.items()}
    for obj, source in sources.items():
        source.require(REQUIRED[obj])
    for obj, kind in (("Opportunity", Kind.OPPORTUNITY), ("Lead", Kind.LEAD)):
        if obj in sources:  # history rows may name records of these files
            reader.events.add_ids(
                key(kind, values.get("Id", ""))
                for entry in sources[obj].rows()
                if isinstance(entry, CsvRow)
                for values in [entry.values]
            )
    files = []
    for obj, path in found.items():
        notes: list[str] = []
        files.append(
            SourceFile(
                path.name,
                KINDS[obj],
                reader.items(obj, rows(sources[obj]), known, notes),
                path=str(path),
                columns=sources[obj].header,
                notes=notes,
            )
        )
    return files
