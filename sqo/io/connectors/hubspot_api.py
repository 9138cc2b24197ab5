"""``sqo import hubspot --live``: deals read from HubSpot's CRM API (v3) with hubspot-api-client.

Each deal becomes the row a deals export would hold ("Record ID", "Deal Stage" as its label,
"Deal owner" as the owner's name, "Associated Company" as the company's name, ...) and goes
through the same :class:`~sqo.io.hubspot.HubSpotReader` as an export. The stage history is the
deal stage's full history (``propertiesWithHistory``), which also holds the visits an export's
"Date entered" columns overwrite. Pages are read one at a time, so memory stays flat.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from sqo.domain.errors import ConfigurationError
from sqo.i18n import _
from sqo.io.hubspot import History, HubSpotReader, Row
from sqo.io.incoming import Kind, Rejected, SourceFile

# The deal properties read, and the export column each becomes.
PROPERTIES = {
    "dealname": "Deal Name",
    "amount": "Amount",
    "deal_currency_code": "Currency",
    "closedate": "Close Date",
    "createdate": "Create Date",
    "hs_lastmodifieddate": "Last Modified Date",
    "dealtype": "Deal Type",
    "hs_manual_forecast_category": "Forecast category",
    "hs_next_step": "Next step",
    "closed_lost_reason": "Closed Lost Reason",
}
# Read, then translated to labels: stage and pipeline through the pipelines, owner by name.
LOOKED_UP = ("dealstage", "pipeline", "hubspot_owner_id")
DEAL_TYPES = {"newbusiness": "New Business", "existingbusiness": "Existing Business"}
PAGE = 50  # HubSpot's largest page when property history is asked for

ApiFactory = Callable[[Any, str, dict[str, Any]], Any]
# The seam for tests: hubspot-api-client's own ``api_factory`` hook (None: the library's).
API_FACTORY: ApiFactory | None = None


def connect(token: str | None, api_factory: ApiFactory | None = None) -> Any:
    if not token:
        raise ConfigurationError(
            _("No HubSpot token: set SQO_HUBSPOT_TOKEN or pass --token (a private app token).")
        )
    hubspot = importlib.import_module("hubspot")
    return hubspot.HubSpot(access_token=token, api_factory=api_factory or API_FACTORY)


def _call(what: str, request: Callable[[], Any]) -> Any:
    """One API call; HubSpot's refusals become a message that says what to do."""
    try:
        return request()
    except Exception as exc:
        status = getattr(exc, "status", None)
        refused = type(exc).__module__.startswith("hubspot.") and hasattr(exc, "status")
        if not refused and not _unreachable(exc):
            raise
        if status in (401, 403):
            hint = _(
                "check the token and its scopes (crm.objects.deals.read, "
                "crm.objects.companies.read, crm.objects.owners.read)."
            )
        elif _unreachable(exc):
            hint = _("HubSpot cannot be reached; check the network connection.")
        else:
            hint = str(getattr(exc, "reason", "") or exc)
        raise ConfigurationError(
            _(
                "HubSpot refused to list {what} (HTTP {status}): {hint}",
                what=what,
                status=status or "-",
                hint=hint,
            )
        ) from None


def _unreachable(exc: Exception) -> bool:
    import urllib3

    return isinstance(exc, urllib3.exceptions.HTTPError)


class HubSpotDeals:
    """Deals page by page, as export rows with their stage history."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.pipelines: dict[str, str] = {}
        self.stages: dict[tuple[str, str], str] = {}
        self.owners: dict[str, str] = {}

    def load_lookups(self) -> None:
        found = _call(
            "pipelines",
            lambda: self.client.crm.pipelines.pipelines_api.get_all(object_type="deals"),
        )
        for pipeline in found.results:
            self.pipelines[pipeline.id] = pipeline.label
            for stage in pipeline.stages:
                self.stages[(pipeline.id, stage.id)] = stage.label
        after = None
        while True:
            page = _call("owners", self._owners_page(after))
            for owner in page.results:
                name = " ".join(x for x in (owner.first_name, owner.last_name) if x)
                self.owners[str(owner.id)] = name or owner.email or str(owner.id)
            if page.paging is None or page.paging.next is None:
                break
            after = page.paging.next.after

    def _owners_page(self, after: str | None) -> Callable[[], Any]:
        return lambda: self.client.crm.owners.owners_api.get_page(limit=100, after=after)

    def _deals_page(self, after: str | None) -> Callable[[], Any]:
        return lambda: self.client.crm.deals.basic_api.get_page(
            limit=PAGE,
            after=after,
            properties=[*PROPERTIES, *LOOKED_UP],
            properties_with_history=["dealstage"],
            associations=["companies"],
            archived=False,
        )

    def stage_label(self, pipeline: str | None, stage: str) -> str:
        if pipeline and (pipeline, stage) in self.stages:
            return self.stages[(pipeline, stage)]
        labels = {label for (_p, s), label in self.stages.items() if s == stage}
        return labels.pop() if len(labels) == 1 else stage

    def company_names(self, ids: set[str]) -> dict[str, str]:
        if not ids:
            return {}
        companies = importlib.import_module("hubspot.crm.companies")
        batch = companies.BatchReadInputSimplePublicObjectId(
            inputs=[{"id": i} for i in sorted(ids)], properties=["name"], properties_with_history=[]
        )
        found = _call(
            "companies",
            lambda: self.client.crm.companies.batch_api.read(
                batch_read_input_simple_public_object_id=batch
            ),
        )
        return {c.id: (c.properties or {}).get("name") or c.id for c in found.results}

    def rows(self) -> Iterator[Row | Rejected]:
        after = None
        number = 0
        while True:
            page = _call("deals", self._deals_page(after))
            primary = {deal.id: _first_company(deal) for deal in page.results}
            names = self.company_names({c for c in primary.values() if c})
            for deal in page.results:
                number += 1
                row, history = self.row(deal, names.get(primary[deal.id] or "", ""))
                yield number, row, history
            if page.paging is None or page.paging.next is None:
                return
            after = page.paging.next.after

    def row(self, deal: Any, company: str) -> tuple[dict[str, str], History]:
        props: dict[str, str | None] = deal.properties or {}
        pipeline_id = props.get("pipeline")
        row = {column: props.get(name) or "" for name, column in PROPERTIES.items()}
        row["Deal Type"] = DEAL_TYPES.get(row["Deal Type"], row["Deal Type"])
        owner = props.get("hubspot_owner_id")
        row |= {
            "Record ID": str(deal.id),
            "Deal Stage": self.stage_label(pipeline_id, props.get("dealstage") or ""),
            "Pipeline": self.pipelines.get(pipeline_id or "", pipeline_id or ""),
            "Deal owner": self.owners.get(owner, owner) if owner else "",
            "Associated Company": company,
        }
        changes = (deal.properties_with_history or {}).get("dealstage") or []
        history = [
            (_utc(change.timestamp), self.stage_label(pipeline_id, change.value))
            for change in changes
            if change.value
        ]
        return row, sorted(history, key=lambda h: h[0])


def _first_company(deal: Any) -> str | None:
    found = (deal.associations or {}).get("companies")
    if found is None or not found.results:
        return None
    primary = [a for a in found.results if "primary" in str(a.type or "")]
    return str((primary or found.results)[0].id)


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def hubspot_live_files(
    reader: HubSpotReader, token: str | None, api_factory: ApiFactory | None = None
) -> list[SourceFile]:
    """Every deal of the HubSpot account, as one source imported in one transaction."""
    deals = HubSpotDeals(connect(token, api_factory))
    deals.load_lookups()
    return [
        SourceFile(
            _("HubSpot deals (API)"),
            Kind.OPPORTUNITY,
            reader.items(deals.rows()),
        )
    ]
