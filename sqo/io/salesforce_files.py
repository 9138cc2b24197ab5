"""``sqo import salesforce FOLDER``: the object exports found in a folder, in import order."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from sqo.i18n import _
from sqo.io.csv_source import CsvRow, CsvSource
from sqo.io.date_orders import AUTO, file_order
from sqo.io.incoming import Item, Kind, Rejected, SourceFile
from sqo.io.notes import FileNotes
from sqo.io.rates import corporate_currency
from sqo.io.salesforce import SalesforceReader
from sqo.io.salesforce_fields import OBJECTS, REQUIRED, key, salesforce_id

KINDS = {
    "CurrencyType": Kind.EXCHANGE_RATE,
    "DatedConversionRate": Kind.EXCHANGE_RATE,
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


def _lead_ids(source: CsvSource, deals: set[str]) -> Iterator[str]:
    """The leads' keys; the deals of the converted leads without a CreatedDate, in ``deals``."""
    for entry in source.rows():
        if isinstance(entry, CsvRow):
            values = entry.values
            undated = not (values.get("CreatedDate") or "").strip()
            if undated and (deal := salesforce_id(values, "ConvertedOpportunityId")):
                deals.add(deal)
            yield key(Kind.LEAD, values.get("Id", ""))


def _opportunity_ids(source: CsvSource, deals: set[str], reader: SalesforceReader) -> Iterator[str]:
    """The deals' keys; the CreatedDate of those in ``deals``, in the reader."""
    for entry in source.rows():
        if isinstance(entry, CsvRow):
            values = entry.values
            record = (values.get("Id") or "").strip()
            if record in deals and (created := (values.get("CreatedDate") or "").strip()):
                reader.deal_created[record] = created
            yield key(Kind.OPPORTUNITY, values.get("Id", ""))


def _noting(
    reader: SalesforceReader, notes: FileNotes, order: str, items: Iterator[Item]
) -> Iterator[Item]:
    """The file's items, with what the reader notes while building them in the file's notes,
    and the file's own date order (files are read one after the other)."""
    reader.notes = notes
    reader.date_format = order
    yield from items


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
    notes = {obj: FileNotes() for obj in found}
    sources = {obj: CsvSource(path, notes=notes[obj]) for obj, path in found.items()}
    for obj, source in sources.items():
        source.require(REQUIRED[obj])
    if "Account" in sources and reader.segments.field:
        sources["Account"].require([reader.segments.field])
    given = reader.date_format
    orders = {
        obj: file_order(source, found[obj].name) if given == AUTO else given
        for obj, source in sources.items()
    }
    reader.deal_created_order = orders.get("Opportunity", given)
    # History rows may name records of these files; leads without a CreatedDate date from
    # the creation of the deals they became (SalesforceReader.lead_created).
    deals: set[str] = set()
    if "Lead" in sources:
        reader.events.add_ids(_lead_ids(sources["Lead"], deals))
    if "Opportunity" in sources:
        reader.events.add_ids(_opportunity_ids(sources["Opportunity"], deals, reader))
    corporate = None
    if "CurrencyType" in sources:  # its IsCorporate row becomes the workspace's currency
        corporate = corporate_currency(
            e.values for e in sources["CurrencyType"].rows() if isinstance(e, CsvRow)
        )
        reader.currency = corporate or reader.currency
    return [
        SourceFile(
            path.name,
            KINDS[obj],
            _noting(
                reader,
                notes[obj],
                orders[obj],
                reader.items(obj, rows(sources[obj]), known, notes[obj].said),
            ),
            path=str(path),
            columns=sources[obj].header,
            notes=notes[obj],
            corporate_currency=corporate if obj == "CurrencyType" else None,
        )
        for obj, path in found.items()
    ]
