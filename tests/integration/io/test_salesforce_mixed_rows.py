"""Exports whose rows name different records: a Task or CampaignMember export mixes rows about
leads (LeadId, WhoId 00Q...) and rows about contacts (ContactId, WhoId 003...), and contacts
come with and without an account. Every link must land, and a second import of the same folder
must find everything unchanged. Expected links are read from the CSVs with plain Python."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from sqo.domain.actor import Actor
from sqo.io import salesforce
from sqo.io.salesforce_files import salesforce_files
from sqo.services.imports import ImportReport, known_keys, run_import
from sqo.services.workspace import Workspace
from sqo.store import tables as t
from tests.csv_files import write_export as write

NOW = datetime(2026, 2, 23, 12, 0)


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def folder_of_mixed_rows(folder: Path) -> None:
    write(
        folder / "Account.csv",
        ["Id", "Name", "Industry"],
        [["0011", "Acme AB", "Manufacturing"], ["0012", "Globex", ""]],
    )
    write(
        folder / "Campaign.csv",
        ["Id", "Name", "Type", "StartDate"],
        [["7011", "Webinar Q1", "Webinar", "2026-01-10"]],
    )
    write(
        folder / "Contact.csv",
        ["Id", "FirstName", "LastName", "AccountId", "Email", "Title"],
        [
            ["0031", "Ann", "Lee", "0011", "ann@acme.example", "CFO"],
            ["0032", "Bo", "Ek", "", "bo@gmail.example", ""],  # no account (a private person)
            ["0033", "Cy", "Ng", "0012", "", "CTO"],
            ["0034", "Di", "Oz", "", "", ""],
        ],
    )
    write(
        folder / "Lead.csv",
        ["Id", "FirstName", "LastName", "Company", "Status", "CreatedDate"],
        [
            ["00Q1", "Eve", "Ma", "Initech", "Open - Not Contacted", "2026-01-03T10:00:00.000Z"],
            ["00Q2", "Fay", "Li", "Umbrella", "Working - Contacted", "2026-01-04T10:00:00.000Z"],
        ],
    )
    write(
        folder / "CampaignMember.csv",
        ["Id", "CampaignId", "LeadId", "ContactId", "Status", "CreatedDate"],
        [
            ["00v1", "7011", "00Q1", "", "Sent", "2026-01-11T09:00:00.000Z"],
            ["00v2", "7011", "", "0031", "Responded", "2026-01-11T09:05:00.000Z"],
            ["00v3", "7011", "00Q2", "", "Sent", "2026-01-11T09:10:00.000Z"],
            ["00v4", "7011", "", "0032", "Sent", "2026-01-11T09:15:00.000Z"],
        ],
    )
    write(
        folder / "Task.csv",
        ["Id", "WhoId", "WhatId", "Subject", "TaskSubtype", "ActivityDate", "CreatedDate"],
        [
            ["00T1", "0031", "", "Call Ann", "Call", "2026-01-12", "2026-01-12T08:00:00.000Z"],
            ["00T2", "00Q1", "", "Email Eve", "Email", "2026-01-13", "2026-01-13T08:00:00.000Z"],
            ["00T3", "0033", "", "Call Cy", "Call", "2026-01-14", "2026-01-14T08:00:00.000Z"],
            ["00T4", "00Q2", "", "Note", "Task", "2026-01-15", "2026-01-15T08:00:00.000Z"],
            ["00T5", "", "", "Admin", "Task", "2026-01-16", "2026-01-16T08:00:00.000Z"],
        ],
    )


def _import(ws: Workspace, folder: Path) -> ImportReport:
    reader = salesforce.SalesforceReader(
        ws.stage_model, NOW, "USD", salesforce.DEFAULT_STAGES, salesforce.DEFAULT_LEAD_STATUSES
    )
    report = run_import(
        ws, Actor("tester"), "salesforce", salesforce_files(folder, reader, known_keys(ws)), now=NOW
    )
    assert report.ok
    return report


def _by_key(ws: Workspace, table, *columns: str) -> dict[str, tuple[object, ...]]:
    with ws.engine.connect() as connection:
        rows = connection.execute(select(table.c.external_id, *(table.c[c] for c in columns)))
        return {key: tuple(rest) for key, *rest in rows}


def _sf(value: str) -> str | None:
    return f"sf:{value}" if value else None


def test_mixed_lead_and_contact_rows_keep_every_link_and_reimport_unchanged(
    any_workspace, tmp_path
):
    ws = any_workspace
    folder = tmp_path / "export"
    folder.mkdir()
    folder_of_mixed_rows(folder)
    _import(ws, folder)

    # Ids to external ids, to compare with the CSVs' own ids.
    ext = {
        name: {i: k for k, (i,) in _by_key(ws, table, "id").items()}
        for name, table in (
            ("account", t.accounts),
            ("contact", t.contacts),
            ("lead", t.leads),
            ("campaign", t.campaigns),
        )
    }

    contacts = _by_key(ws, t.contacts, "account_id")
    assert {k: ext["account"].get(a) for k, (a,) in contacts.items()} == {
        f"sf:{r['Id']}": _sf(r["AccountId"]) for r in read(folder / "Contact.csv")
    }
    members = _by_key(ws, t.campaign_members, "campaign_id", "lead_id", "contact_id", "status")
    assert {
        k: (ext["campaign"][c], ext["lead"].get(lead), ext["contact"].get(contact), status)
        for k, (c, lead, contact, status) in members.items()
    } == {
        f"sf:{r['Id']}": (_sf(r["CampaignId"]), _sf(r["LeadId"]), _sf(r["ContactId"]), r["Status"])
        for r in read(folder / "CampaignMember.csv")
    }
    tasks = _by_key(ws, t.activities, "lead_id", "contact_id", "subject")
    assert {
        k: (ext["lead"].get(lead), ext["contact"].get(contact), subject)
        for k, (lead, contact, subject) in tasks.items()
    } == {
        f"sf:{r['Id']}": (
            _sf(r["WhoId"]) if r["WhoId"].startswith("00Q") else None,
            _sf(r["WhoId"]) if r["WhoId"].startswith("003") else None,
            r["Subject"],
        )
        for r in read(folder / "Task.csv")
    }

    again = _import(ws, folder)
    rows = {f.name: len(read(folder / f.name)) for f in again.files}
    assert {f.name: (f.created, f.updated, f.unchanged) for f in again.files} == {
        name: (0, 0, count) for name, count in rows.items()
    }
