"""Converted leads as real orgs export them: a conversion that created no opportunity carries
Salesforce's empty id (``000000000000000AAA``), and some leads come without a CreatedDate. The
expected times are computed with pandas over the same CSVs, by the documented rule: a lead
without a CreatedDate was created at the earliest time the export knows for it."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
from sqlalchemy import select

from sqo.domain.actor import Actor
from sqo.io import salesforce
from sqo.io.salesforce_files import salesforce_files
from sqo.services.imports import known_keys, run_import
from sqo.store import tables as t
from tests.csv_files import write_export as write

NOW = datetime(2026, 3, 1, 12, 0)
EMPTY_18, EMPTY_15 = "000000000000000AAA", "000000000000000"

OPPORTUNITIES = [
    ["0061", "Acme", "Needs Analysis", "2026-01-10T10:00:00.000Z"],
    ["0062", "Globex", "Needs Analysis", "2026-01-20T15:00:00.000Z"],
    ["0063", "Initech", "Prospecting", "2026-01-25T11:00:00.000Z"],
]
LEAD_HEADER = [
    "Id",
    "FirstName",
    "LastName",
    "Company",
    "Status",
    "IsConverted",
    "ConvertedDate",
    "ConvertedOpportunityId",
    "ConvertedAccountId",
    "CreatedDate",
    "LastModifiedDate",
]
LEADS = [
    # Converted into 0061, dated: the ordinary case.
    [
        "00Q1", "Eve", "Ma", "Acme", "Closed - Converted", "true", "2026-01-10",
        "0061", "", "2026-01-02T09:00:00.000Z", "2026-01-10T10:00:05.000Z",
    ],
    # Converted without creating an opportunity (nor an account): the empty ids.
    [
        "00Q2", "Fay", "Li", "Umbrella", "Closed - Converted", "true", "2026-01-12",
        EMPTY_18, EMPTY_18, "2026-01-03T09:00:00.000Z", "2026-01-12T08:00:00.000Z",
    ],
    # No CreatedDate; its status history starts before its conversion.
    [
        "00Q3", "Gus", "Ek", "Globex", "Closed - Converted", "true", "2026-01-20",
        "0062", "", "", "2026-02-01T08:00:00.000Z",
    ],
    # No CreatedDate, not converted, no history: its last modification.
    [
        "00Q4", "Hal", "Oz", "Hooli", "Working - Contacted", "false", "",
        "", "", "", "2026-01-15T08:00:00.000Z",
    ],
    # No CreatedDate, converted, no ConvertedDate nor history: its deal's creation.
    [
        "00Q5", "Ida", "Berg", "Initech", "Closed - Converted", "true", "",
        "0063", "", "", "2026-02-03T09:00:00.000Z",
    ],
    # The 15-character empty id.
    [
        "00Q6", "Jo", "Ng", "Wayne", "Closed - Converted", "true", "2026-01-14",
        EMPTY_15, "", "2026-01-04T09:00:00.000Z", "2026-01-14T09:00:00.000Z",
    ],
]  # fmt: skip
LEAD_HISTORY = [
    ["0171", "00Q3", "Status", "Working - Contacted", "2026-01-05T09:30:00.000Z"],
    ["0172", "00Q3", "Status", "Closed - Converted", "2026-01-20T15:00:00.000Z"],
]


def utc(column: pd.Series) -> pd.Series:
    return pd.to_datetime(column, utc=True).dt.tz_localize(None)


def expected_creation(folder: Path) -> dict[str, datetime]:
    """The earliest of CreatedDate, else the lead's history, ConvertedDate, its deal's
    CreatedDate and LastModifiedDate: with pandas, over the CSVs."""
    leads = pd.read_csv(folder / "Lead.csv", dtype=str, keep_default_na=False)
    history = pd.read_csv(folder / "LeadHistory.csv", dtype=str)
    deals = pd.read_csv(folder / "Opportunity.csv", dtype=str)
    first_event = history.assign(at=utc(history["CreatedDate"])).groupby("LeadId")["at"].min()
    deal_created = deals.set_index("Id")["CreatedDate"].pipe(utc)
    known = pd.DataFrame(
        {
            "history": leads["Id"].map(first_event),
            "converted": utc(leads["ConvertedDate"].replace("", None)),
            "deal": utc(leads["ConvertedOpportunityId"].map(deal_created)),
            "modified": utc(leads["LastModifiedDate"]),
        }
    ).min(axis=1)
    created = utc(leads["CreatedDate"].replace("", None)).fillna(known)
    return {f"sf:{i}": at.to_pydatetime() for i, at in zip(leads["Id"], created, strict=True)}


def test_converted_leads_with_empty_ids_and_without_creation_dates(any_workspace, tmp_path):
    ws = any_workspace
    folder = tmp_path / "export"
    folder.mkdir()
    write(folder / "Opportunity.csv", ["Id", "Name", "StageName", "CreatedDate"], OPPORTUNITIES)
    write(folder / "Lead.csv", LEAD_HEADER, LEADS)
    write(
        folder / "LeadHistory.csv",
        ["Id", "LeadId", "Field", "NewValue", "CreatedDate"],
        LEAD_HISTORY,
    )
    reader = salesforce.SalesforceReader(
        ws.stage_model, NOW, "USD", salesforce.DEFAULT_STAGES, salesforce.DEFAULT_LEAD_STATUSES
    )
    report = run_import(
        ws, Actor("tester"), "salesforce", salesforce_files(folder, reader, known_keys(ws)), now=NOW
    )
    assert report.ok
    assert {f.name: f.rejected for f in report.files}["Lead.csv"] == 0

    leads, deals, lead_history = t.leads.c, t.opportunities.c, t.history.c
    with ws.engine.connect() as connection:
        stored = {
            key: (created, converted, deal)
            for key, created, converted, deal in connection.execute(
                select(
                    leads.external_id,
                    leads.created_at,
                    leads.converted_at,
                    select(deals.external_id)
                    .where(deals.id == leads.converted_opportunity_id)
                    .scalar_subquery(),
                )
            )
        }
        deal_creation = dict(connection.execute(select(deals.external_id, deals.created_at)).all())
        lead_moves = connection.execute(
            select(leads.external_id, lead_history.changed_at)
            .join(t.leads, leads.id == lead_history.record_id)
            .where(lead_history.record_type == "lead", lead_history.field == "stage")
        ).all()

    assert {k: created for k, (created, _c, _d) in stored.items()} == expected_creation(folder)
    assert stored["sf:00Q3"][0] == datetime(2026, 1, 5, 9, 30)  # by hand: its first history row
    assert stored["sf:00Q5"][0] == datetime(2026, 1, 25, 11, 0)  # by hand: its deal's creation
    by_row = {f"sf:{r[0]}": r for r in LEADS}
    assert {k: converted for k, (_a, converted, _d) in stored.items()} == {
        k: datetime.fromisoformat(r[6]) if r[6] else None for k, r in by_row.items()
    }
    real_deal = {k: f"sf:{r[7]}" if r[7].strip("0A") else None for k, r in by_row.items()}
    assert {k: deal for k, (_a, _c, deal) in stored.items()} == real_deal
    assert real_deal["sf:00Q2"] is None and real_deal["sf:00Q6"] is None

    # No lead shows a lead stage after the creation of the deal it became.
    for lead, at in lead_moves:
        if real_deal[lead] is not None:
            assert at <= deal_creation[real_deal[lead]], (lead, at)
