"""`sqo import salesforce FOLDER`: stage maps that add to the defaults, and all-or-nothing
folders. The folders are written as Data Loader writes them (every value quoted, ISO datetimes
with milliseconds, amounts with decimals, several currencies); expected values are hand counts."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

from sqlalchemy import func, select
from typer.testing import CliRunner

from sqo.cli.app import app
from sqo.store import tables as t
from tests.csv_files import write_export as write


def run(url: str, *args: str):  # type: ignore[no-untyped-def]
    # wide enough that the report's table shows whole file names
    return CliRunner().invoke(
        app, ["--db", url, "import", "salesforce", *args], env={"COLUMNS": "160"}
    )


def flat(text: str) -> str:
    return " ".join(text.split())


def digest(ws) -> tuple[dict[str, int], str]:  # type: ignore[no-untyped-def]
    """Every table's row count, and a hash of every row of every table."""
    counts, h = {}, hashlib.sha256()
    with ws.engine.connect() as connection:
        for table in t.metadata.sorted_tables:
            counts[table.name] = connection.execute(
                select(func.count()).select_from(table)
            ).scalar_one()
            for row in connection.execute(select(table).order_by(*table.primary_key.columns)):
                h.update(repr(tuple(row)).encode())
    return counts, h.hexdigest()


OPP_HEADER = [
    "Id",
    "Name",
    "StageName",
    "Amount",
    "CurrencyIsoCode",
    "CloseDate",
    "CreatedDate",
    "OwnerId",
    "AccountId",
    "Description",
]


def opp(oid: str, stage: str, amount: str = "12000.0", currency: str = "USD") -> list[str]:
    return [
        oid,
        f"Deal {oid}",
        stage,
        amount,
        currency,
        "2024-06-30",
        "2024-01-02T09:00:00.000Z",
        "0055g00000AbCdEAAV",
        "",
        "Line one\nline two, with a comma",
    ]


LEAD_HEADER = [
    "Id",
    "FirstName",
    "LastName",
    "Company",
    "Status",
    "LeadSource",
    "CreatedDate",
    "IsConverted",
    "OwnerId",
]


def lead(lid: str, status: str) -> list[str]:
    return [
        lid,
        "Eva",
        f"Lind {lid}",
        "Lind AB",
        status,
        "Web",
        "2024-01-05T08:30:00.000Z",
        "false",
        "",
    ]


def stages_by_id(ws, table) -> dict[str, str]:  # type: ignore[no-untyped-def]
    with ws.engine.connect() as connection:
        return dict(connection.execute(select(table.c.external_id, table.c.stage)).all())


# ---- 1. stage maps ------------------------------------------------------------------------


def test_a_stage_map_adds_to_the_defaults_and_workspace_names_map_to_themselves(
    workspace, tmp_path
):
    folder = tmp_path / "sf"
    folder.mkdir()
    write(
        folder / "Opportunity.csv",
        OPP_HEADER,
        [
            opp("0061", "Closed Won"),  # a default entry, still there under --stages
            opp("0062", "Discovery"),  # only in the user's map
            opp("0063", "Needs Analysis", "1500.50", "EUR"),  # the user's entry wins
            opp("0064", "negotiation", "990.0", "SEK"),  # a workspace stage's own name
            opp("0065", "Proposal"),  # likewise, as written
            opp("0066", "Prospecting"),  # a default entry
        ],
    )
    statuses = [
        "New",
        "Working",
        "Nurturing",
        "Qualified",
        "Unqualified",
        "Open - Not Contacted",
        "Working - Contacted",
        "Closed - Converted",
        "Closed - Not Converted",
        "Contacted",
        "SAL",
    ]
    write(
        folder / "Lead.csv",
        LEAD_HEADER,
        [lead(f"00Q{n}", status) for n, status in enumerate(statuses)],
    )
    stage_map = tmp_path / "stages.yaml"
    stage_map.write_text("Discovery: SQO\nNeeds Analysis: Qualification\n", encoding="utf-8")
    status_map = tmp_path / "statuses.yaml"
    status_map.write_text("Contacted: SAL\n", encoding="utf-8")

    result = run(
        workspace.url, str(folder), "--stages", str(stage_map), "--lead-statuses", str(status_map)
    )
    assert result.exit_code == 0, result.output
    assert stages_by_id(workspace, t.opportunities) == {
        "sf:0061": "Won",
        "sf:0062": "SQO",
        "sf:0063": "Qualification",
        "sf:0064": "Negotiation",
        "sf:0065": "Proposal",
        "sf:0066": "Qualification",
    }
    # The documented table in docs/import.md, by hand.
    expected = ["Lead", "MQL", "Lead", "SQL", "Disqualified"]
    expected += ["Lead", "MQL", "SQL", "Disqualified", "SAL", "SAL"]
    assert stages_by_id(workspace, t.leads) == {
        f"sf:00Q{n}": stage for n, stage in enumerate(expected)
    }


def test_salesforce_default_lead_statuses_need_no_map(workspace, tmp_path):
    folder = tmp_path / "sf"
    folder.mkdir()
    write(folder / "Lead.csv", LEAD_HEADER, [lead("00Q1", "Working"), lead("00Q2", "Nurturing")])
    result = run(workspace.url, str(folder))
    assert result.exit_code == 0, result.output
    assert stages_by_id(workspace, t.leads) == {"sf:00Q1": "MQL", "sf:00Q2": "Lead"}


def test_an_unmapped_stage_names_itself_and_the_flag(workspace, tmp_path):
    folder = tmp_path / "sf"
    folder.mkdir()
    write(
        folder / "Opportunity.csv", OPP_HEADER, [opp("0061", "Closed Won"), opp("0062", "Verbal")]
    )
    write(folder / "Lead.csv", LEAD_HEADER, [lead("00Q1", "Recycled")])
    result = run(workspace.url, str(folder))
    assert result.exit_code == 8
    assert (
        "row 3: the stage 'Verbal' is not mapped to a stage of this workspace; add it under a "
        "stage map given with --stages (workspace stages: Qualification, SQO, Solution, "
        "Proposal, Negotiation, Commit, Won, Lost)." in flat(result.output)
    )
    assert "Traceback" not in result.output
    (folder / "Opportunity.csv").unlink()
    result = run(workspace.url, str(folder))
    assert result.exit_code == 8
    assert (
        "row 2: the stage 'Recycled' is not mapped to a stage of this workspace; add it under a "
        "lead status map given with --lead-statuses (workspace stages: Lead, MQL, SAL, SQL, "
        "Disqualified)." in flat(result.output)
    )


# ---- 3. all or nothing --------------------------------------------------------------------

USERS = [
    ["0055g00000AbCdEAAV", "Ann Lee", "ann@example.com", "true"],
    ["0055g00000AbCdFAAV", "Bo Berg", "bo@example.com", "false"],
]
ACCOUNTS = [
    ["0015g00000XyZa1AAB", "Acme AB", "Manufacturing", "1200", "Sweden"],
    ["0015g00000XyZa2AAB", "Globex GmbH", "Energy", "", "Germany"],
    ["0015g00000XyZa3AAB", "Initech", "Software", "85", "United States"],
]
TASKS = [["00T5g000001", "0065g0000001", "Call", "Call", "2024-02-01"]]


def refused_folder(tmp_path: Path) -> Path:
    """User and Account files that are fine, then an Opportunity file with a bad row, then
    a Task file."""
    folder = tmp_path / "sf"
    folder.mkdir()
    write(folder / "User.csv", ["Id", "Name", "Email", "IsActive"], USERS)
    write(
        folder / "Account.csv",
        ["Id", "Name", "Industry", "NumberOfEmployees", "BillingCountry"],
        ACCOUNTS,
    )
    bad = opp("0065g0000003", "Prospecting")
    bad[5] = "31/12/24"  # a report-export date where Data Loader writes ISO
    write(
        folder / "Opportunity.csv",
        OPP_HEADER,
        [
            opp("0065g0000001", "Closed Won"),
            opp("0065g0000002", "Prospecting", "5.10", "EUR"),
            bad,
        ],
    )
    write(folder / "Task.csv", ["Id", "WhatId", "Subject", "TaskSubtype", "ActivityDate"], TASKS)
    return folder


def test_all_or_nothing_writes_nothing_and_says_so_per_file(any_workspace, tmp_path):
    folder = refused_folder(tmp_path)
    before = digest(any_workspace)
    result = run(any_workspace.url, str(folder), "--all-or-nothing")
    assert result.exit_code == 8, result.output
    assert digest(any_workspace) == before
    out = flat(result.output)
    assert (
        "User.csv: rolled back with the rest of the import; nothing written. "
        "Account.csv: rolled back with the rest of the import; nothing written. "
        "Opportunity.csv: refused; nothing written. "
        "Task.csv: not read; the import stopped at the refused file." in out
    )
    assert "Opportunity.csv: 1 row(s) rejected; nothing from this file was imported." in out
    assert "Created 3" not in out and "imported (" not in out
    table = [
        [c.strip() for c in line.split("│")][1:-1]
        for line in result.output.splitlines()
        if line.startswith("│") and ".csv" in line
    ]
    # File, rows, created, updated, unchanged, rejected, history rows: nothing shown as written.
    assert [row[:7] for row in table] == [
        ["User.csv", "2", "—", "—", "—", "0", "—"],
        ["Account.csv", "3", "—", "—", "—", "0", "—"],
        ["Opportunity.csv", "3", "—", "—", "—", "1", "—"],
        ["Task.csv", "—", "—", "—", "—", "—", "—"],
    ]

    # All or nothing is the default for a folder.
    again = run(any_workspace.url, str(folder))
    assert again.exit_code == 8 and digest(any_workspace) == before

    dry = run(any_workspace.url, str(folder), "--dry-run")
    assert dry.exit_code == 0 and digest(any_workspace) == before
    assert (
        "User.csv: would be rolled back with the rest of the import; nothing written. "
        "Account.csv: would be rolled back with the rest of the import; nothing written. "
        "Opportunity.csv: would be refused; nothing written. "
        "Task.csv: not read; the import stopped at the refused file." in flat(dry.output)
    )


def test_file_by_file_keeps_the_files_before_the_refused_one(any_workspace, tmp_path):
    folder = refused_folder(tmp_path)
    before = digest(any_workspace)[0]
    result = run(any_workspace.url, str(folder), "--file-by-file")
    assert result.exit_code == 8, result.output
    assert (
        "User.csv: imported (2 created, 0 updated, 0 unchanged). "
        "Account.csv: imported (3 created, 0 updated, 0 unchanged). "
        "Opportunity.csv: refused; nothing written. "
        "Task.csv: not read; the import stopped at the refused file." in flat(result.output)
    )
    after = digest(any_workspace)[0]
    assert after["reps"] == before["reps"] + 2 and after["accounts"] == 3
    assert after["opportunities"] == 0 and after["activities"] == 0

    dry = run(any_workspace.url, str(folder), "--file-by-file", "--dry-run")
    assert dry.exit_code == 0
    assert (
        "User.csv: would be imported (0 created, 0 updated, 2 unchanged). "
        "Account.csv: would be imported (0 created, 0 updated, 3 unchanged). "
        "Opportunity.csv: would be refused; nothing written. " in flat(dry.output)
    )


def test_a_folder_that_goes_through_is_one_transaction_with_every_file(any_workspace, tmp_path):
    folder = refused_folder(tmp_path)
    rows = list(csv.reader((folder / "Opportunity.csv").open(encoding="utf-8")))
    write(folder / "Opportunity.csv", rows[0], rows[1:3])
    result = run(any_workspace.url, str(folder))
    assert result.exit_code == 0, result.output
    counts = digest(any_workspace)[0]
    assert counts["accounts"] == 3 and counts["opportunities"] == 2 and counts["activities"] == 1
    assert "nothing written" not in result.output
