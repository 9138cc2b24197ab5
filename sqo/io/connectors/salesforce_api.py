"""``sqo import salesforce --live``: objects read from Salesforce's REST API with simple-salesforce.

Each object is read with one SOQL query (paged through ``nextRecordsUrl``) that selects the
standard fields :class:`~sqo.io.salesforce.SalesforceReader` understands, plus, for the objects
whose custom fields become attributes (Account, Opportunity, Lead), every custom ``*__c`` field
``describe()`` lists. Each record becomes the row a Data Loader export would hold: the same
column names (``UserRole.Name`` for a related field), ``attributes`` dropped, datetimes in UTC
as ``2024-03-05T14:22:00.000Z``, booleans ``true``/``false``, numbers as plain decimals
(``12000.0``), null as empty; then it goes through the same reader and writer as a folder of
exports. An object the org does not expose (``INVALID_TYPE``) is skipped, like a missing file.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from functools import partial
from typing import Any

from sqo.domain.errors import ConfigurationError
from sqo.i18n import _
from sqo.io.connectors.salesforce_errors import not_exposed, refused
from sqo.io.incoming import Item, Kind, Rejected, SourceFile
from sqo.io.notes import FileNotes
from sqo.io.salesforce import SalesforceReader
from sqo.io.salesforce_fields import OBJECTS, key
from sqo.io.salesforce_files import KINDS

API_VERSION = "59.0"
TIMEOUT = 120  # seconds per request

# The fields read per object: those the reader understands, in Data Loader's column names.
FIELDS: dict[str, tuple[str, ...]] = {
    "User": (
        "Id",
        "Name",
        "FirstName",
        "LastName",
        "Email",
        "IsActive",
        "Department",
        "ManagerId",
        "UserRole.Name",
    ),
    "Account": ("Id", "Name", "Industry", "NumberOfEmployees", "BillingCountry", "CreatedDate"),
    "Campaign": ("Id", "Name", "Type", "ActualCost", "StartDate", "EndDate"),
    "Contact": ("Id", "Name", "FirstName", "LastName", "Email", "Title", "AccountId"),
    "OpportunityHistory": ("Id", "OpportunityId", "StageName", "Amount", "CreatedDate"),
    "OpportunityFieldHistory": (
        "Id",
        "OpportunityId",
        "Field",
        "OldValue",
        "NewValue",
        "CreatedDate",
    ),
    "Opportunity": (
        "Id",
        "Name",
        "StageName",
        "Amount",
        "CurrencyIsoCode",
        "CloseDate",
        "CreatedDate",
        "LastModifiedDate",
        "NextStep",
        "ForecastCategoryName",
        "Probability",
        "LeadSource",
        "OwnerId",
        "AccountId",
        "CampaignId",
    ),
    "LeadHistory": ("Id", "LeadId", "Field", "OldValue", "NewValue", "CreatedDate"),
    "Lead": (
        "Id",
        "Name",
        "FirstName",
        "LastName",
        "Company",
        "Email",
        "Status",
        "LeadSource",
        "OwnerId",
        "CreatedDate",
        "IsConverted",
        "ConvertedDate",
        "ConvertedOpportunityId",
        "ConvertedAccountId",
    ),
    "OpportunityContactRole": (
        "Id",
        "OpportunityId",
        "ContactId",
        "Role",
        "IsPrimary",
        "CreatedDate",
    ),
    "CampaignMember": (
        "Id",
        "CampaignId",
        "LeadId",
        "ContactId",
        "Status",
        "FirstRespondedDate",
        "CreatedDate",
    ),
    "Task": (
        "Id",
        "Subject",
        "WhatId",
        "WhoId",
        "OwnerId",
        "TaskSubtype",
        "Type",
        "ActivityDate",
        "CompletedDateTime",
        "CreatedDate",
    ),
    "Event": (
        "Id",
        "Subject",
        "WhatId",
        "WhoId",
        "OwnerId",
        "Type",
        "StartDateTime",
        "ActivityDateTime",
        "ActivityDate",
        "CreatedDate",
    ),
}
# Only the stage (or lead status) changes of the field histories are read.
WHERE = {
    "OpportunityFieldHistory": "Field = 'StageName'",
    "LeadHistory": "Field = 'Status'",
    # Activities older than a year are archived: only queryAll returns them.
    "Task": "IsDeleted = false",
    "Event": "IsDeleted = false",
}
INCLUDE_ARCHIVED = {"Task", "Event"}
# Custom fields become attributes of these objects: describe() lists them (and which of the
# optional standard fields, such as CurrencyIsoCode, the org has).
DESCRIBED = ("Account", "Opportunity", "Lead")
COMPOUND = {"address", "location", "base64"}
ORDER = "ORDER BY Id"

# The seam for tests: the ``requests.Session`` simple-salesforce uses (None: a new one).
SESSION: Any = None

_DATETIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)\Z")


def connect(instance_url: str | None, token: str | None, session: Any = None) -> Any:
    if not instance_url:
        raise ConfigurationError(
            _(
                "No Salesforce instance URL: set SQO_SALESFORCE_INSTANCE_URL or pass "
                "--instance-url (such as https://yourcompany.my.salesforce.com)."
            )
        )
    if not token:
        raise ConfigurationError(
            _(
                "No Salesforce token: set SQO_SALESFORCE_TOKEN or pass --token (a session id "
                "or OAuth access token, such as `sf org display` shows)."
            )
        )
    if "://" not in instance_url:
        instance_url = "https://" + instance_url
    requests = importlib.import_module("requests")
    simple_salesforce = importlib.import_module("simple_salesforce")
    return simple_salesforce.Salesforce(
        instance_url=instance_url.rstrip("/"),
        session_id=token,
        session=session or SESSION or requests.Session(),
        version=API_VERSION,
    )


def text(value: Any) -> str:
    """A REST value as a Data Loader export writes it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):  # as Data Loader writes a double: 12000.0, 1500.5
        written = format(Decimal(repr(value)), "f")
        return written if "." in written else written + ".0"
    if isinstance(value, str):
        if _DATETIME.match(value):
            moment = datetime.fromisoformat(value)
            moment = moment.astimezone(UTC) if moment.tzinfo else moment
            return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
        return value
    return str(value)


def _lookup(record: Any, name: str) -> Any:
    """``UserRole.Name`` in ``{"UserRole": {"Name": ...}}`` (a null parent gives None)."""
    value = record
    for part in name.split("."):
        if not isinstance(value, dict):
            return None
        if part in value:
            value = value[part]
        else:  # the response spells names as the org does
            found = [v for k, v in value.items() if k.casefold() == part.casefold()]
            value = found[0] if found else None
    return value


def flatten(record: dict[str, Any], fields: list[str]) -> dict[str, str]:
    """One record as an export row: the selected columns, without ``attributes``."""
    return {name: text(_lookup(record, name)) for name in fields}


class SalesforceObjects:
    """The org's objects, each read with one paged SOQL query."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def call(self, what: str, request: Callable[[], Any], *, absent: Any = ...) -> Any:
        """One API call; ``absent`` is returned when the org does not expose the object."""
        try:
            return request()
        except Exception as exc:
            if absent is not ... and not_exposed(exc):
                return absent
            problem = refused(what, exc)
            if problem is None:
                raise
            raise problem from None

    def fields(self, obj: str) -> list[str] | None:
        """The columns to read; None when the org does not expose the object."""
        wanted = list(FIELDS[obj])
        if obj not in DESCRIBED:
            return wanted
        described = self.call(obj, lambda: getattr(self.client, obj).describe(), absent=None)
        return None if described is None else self.described_fields(wanted, described)

    @staticmethod
    def described_fields(wanted: list[str], described: dict[str, Any]) -> list[str]:
        fields = described.get("fields") or []
        names = {str(f["name"]).casefold(): str(f["name"]) for f in fields}
        chosen = [w for w in wanted if w.casefold() in names]
        chosen += [
            str(f["name"])
            for f in fields
            if str(f["name"]).endswith("__c")
            and f.get("type") not in COMPOUND
            and str(f["name"]) not in chosen
        ]
        return chosen

    def soql(self, obj: str, fields: list[str]) -> str:
        where = f" WHERE {WHERE[obj]}" if obj in WHERE else ""
        return f"SELECT {', '.join(fields)} FROM {obj}{where} {ORDER}"

    def first_page(self, obj: str, soql: str) -> dict[str, Any] | None:
        """The query's first page; None when the org does not expose the object."""
        page = self.call(
            obj,
            lambda: self.client.query(
                soql, include_deleted=obj in INCLUDE_ARCHIVED, timeout=TIMEOUT
            ),
            absent=None,
        )
        return None if page is None else dict(page)

    def records(self, obj: str, page: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """The first page's records, then the next pages' through ``nextRecordsUrl``."""
        while True:
            yield from page.get("records") or []
            if page.get("done", True) or not page.get("nextRecordsUrl"):
                return
            url = str(page["nextRecordsUrl"])
            page = dict(
                self.call(
                    obj,
                    partial(self.client.query_more, url, identifier_is_url=True, timeout=TIMEOUT),
                )
            )

    def ids(self, obj: str) -> Iterator[str]:
        """Only the ids, page by page (history rows name records read after them)."""
        pages = self.client.query_all_iter(f"SELECT Id FROM {obj} {ORDER}", timeout=TIMEOUT)
        while True:
            try:
                record = next(pages)
            except StopIteration:
                return
            except Exception as exc:
                problem = refused(obj, exc)
                if problem is None:
                    raise
                raise problem from None
            yield str(record.get("Id") or "")


def _rows(
    objects: SalesforceObjects, obj: str, page: dict[str, Any], fields: list[str]
) -> Iterator[tuple[int, dict[str, str]]]:
    for number, record in enumerate(objects.records(obj, page), start=1):
        yield number, flatten(record, fields)


def _named(obj: str, items: Iterator[Item]) -> Iterator[Item]:
    """Rejected records named by object and id (``Opportunity 0065...``), not a row number."""
    for item in items:
        if isinstance(item, Rejected) and item.row:
            prefix = _("row {row}: {problem}", row=item.row, problem="")
            record = (
                item.raw.get("Id") or item.raw.get("OpportunityId") or item.raw.get("LeadId") or ""
            )
            if record and prefix and item.message.startswith(prefix):
                problem = item.message[len(prefix) :]
                item = Rejected(
                    item.row,
                    _("{object} {id}: {problem}", object=obj, id=record, problem=problem),
                    item.raw,
                )
        yield item


def salesforce_live_files(
    reader: SalesforceReader,
    known: Callable[[Kind, list[str]], set[str]],
    instance_url: str | None,
    token: str | None,
    session: Any = None,
) -> list[SourceFile]:
    """Every object the org exposes, one source each, in the order a folder is imported."""
    objects = SalesforceObjects(connect(instance_url, token, session))
    found: list[tuple[str, list[str], dict[str, Any]]] = []
    for obj in OBJECTS:
        if obj not in FIELDS:  # exchange rates are read from exports only, for now
            continue
        fields = objects.fields(obj)
        if fields is None:
            continue
        page = objects.first_page(obj, objects.soql(obj, fields))
        if page is not None:
            found.append((obj, fields, page))
    present = {obj for obj, _fields, _page in found}
    for obj, kind in (("Opportunity", Kind.OPPORTUNITY), ("Lead", Kind.LEAD)):
        if obj in present:  # history rows may name records read after them
            reader.events.add_ids(key(kind, i) for i in objects.ids(obj) if i)
    files = []
    for obj, fields, page in found:
        notes = FileNotes()  # what the reader assumed, for the import report
        items = reader.items(obj, _rows(objects, obj, page, fields), known, notes.said)
        files.append(
            SourceFile(
                _("{object} (API)", object=obj),
                KINDS[obj],
                _named(obj, items),
                columns=fields,
                notes=notes,
            )
        )
    return files
