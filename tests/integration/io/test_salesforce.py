"""Salesforce-shaped folders written by the tests; counts, history and errors checked by hand."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from typer.testing import CliRunner

from sqo.cli.app import app
from sqo.domain.history import RecordType
from sqo.services import opportunities
from sqo.services.history import record_history
from sqo.store import tables as t


def write(path: Path, header: list[str], rows: list[list[str]], **kw) -> Path:
    encoding = kw.pop("encoding", "utf-8")
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, **kw)
        writer.writerow(header)
        writer.writerows(rows)
    return path


OPP_HEADER = [
    "Id",
    "Name",
    "StageName",
    "Amount",
    "CloseDate",
    "CreatedDate",
    "OwnerId",
    "AccountId",
    "Region__c",
]
OPPS = [
    [
        "0061",
        "Acme – 50 seats",
        "Closed Won",
        "12000",
        "2024-03-01",
        "2024-01-02T09:00:00.000Z",
        "0051",
        "0011",
        "EMEA",
    ],
    [
        "0062",
        "Globex\nrenewal",
        "Needs Analysis",
        "$1,500.50",
        "2024-06-30",
        "2024-02-01T10:00:00.000Z",
        "0051",
        "",
        "",
    ],
]
HIST_HEADER = ["Id", "OpportunityId", "StageName", "Amount", "CreatedDate"]
HIST = [
    ["0081", "0061", "Prospecting", "12000", "2024-01-02T09:00:00.000Z"],
    ["0082", "0061", "Needs Analysis", "12000", "2024-01-20T09:00:00.000Z"],
    ["0083", "0061", "Closed Won", "12000", "2024-03-01T15:00:00.000Z"],
    ["0084", "0062", "Needs Analysis", "1500.5", "2024-02-01T10:00:00.000Z"],
]


def run(db: str, *args: str):
    return CliRunner().invoke(app, ["--db", db, "import", "salesforce", *args])


def db_path(ws) -> str:
    return ws.url.removeprefix("sqlite:///")


def count(ws, table) -> int:
    with ws.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


def test_opportunity_alone_then_history_users_and_idempotence(workspace, actor, tmp_path):
    folder = tmp_path / "sf"
    folder.mkdir()
    write(folder / "Opportunity.csv", OPP_HEADER, OPPS)
    result = run(db_path(workspace), str(folder))
    assert result.exit_code == 0, result.output
    assert count(workspace, t.opportunities) == 2
    assert count(workspace, t.reps) == 1  # the owner, created by id
    opps = {o.external_id: o for o in opportunities.list_opportunities(workspace, actor)}
    assert opps["sf:0061"].stage == "Won" and opps["sf:0061"].amount_cents == 1_200_000
    assert opps["sf:0062"].amount_cents == 150_050 and opps["sf:0062"].name == "Globex\nrenewal"
    assert opps["sf:0061"].attributes == {"Region__c": "EMEA"}

    # A fuller export: users and the stage history. The records are updated, history appended.
    write(
        folder / "User.csv",
        ["Id", "Name", "Email", "ManagerId", "Department"],
        [
            ["0051", "Ann Lee", "ann@example.com", "0052", "Nordics"],
            ["0052", "Bo Boss", "", "", "Nordics"],
        ],
    )
    write(folder / "OpportunityHistory.csv", HIST_HEADER, HIST)
    result = run(db_path(workspace), str(folder))
    assert result.exit_code == 0, result.output
    with workspace.engine.connect() as connection:
        reps = dict(connection.execute(select(t.reps.c.name, t.reps.c.manager_id)).all())
        ids = dict(connection.execute(select(t.reps.c.name, t.reps.c.id)).all())
    assert reps == {"Ann Lee": ids["Bo Boss"], "Bo Boss": None}
    before = count(workspace, t.history)
    again = run(db_path(workspace), str(folder))
    assert again.exit_code == 0, again.output
    assert count(workspace, t.history) == before  # the same export twice changes nothing

    # Into a new workspace with history from the start: real timestamps.
    fresh = tmp_path / "fresh.db"
    assert CliRunner().invoke(app, ["--db", str(fresh), "init"]).exit_code == 0
    result = run(str(fresh), str(folder))
    assert result.exit_code == 0, result.output
    from sqo.services.workspace import open_workspace

    ws = open_workspace(str(fresh))
    won = next(o for o in opportunities.list_opportunities(ws, actor) if o.external_id == "sf:0061")
    moves = [
        (c.old, c.new, c.changed_at, c.actor)
        for c in record_history(ws, actor, RecordType.OPPORTUNITY, won.id)
        if c.field == "stage"
    ]
    assert moves == [
        (None, "Qualification", datetime(2024, 1, 2, 9), "import:salesforce"),
        ("Qualification", "SQO", datetime(2024, 1, 20, 9), "import:salesforce"),
        ("SQO", "Won", datetime(2024, 3, 1, 15), "import:salesforce"),
    ]
    assert won.closed_at == datetime(2024, 3, 1, 15)
    as_of = opportunities.list_opportunities(ws, actor, as_of=datetime(2024, 2, 1))
    assert next(o for o in as_of if o.id == won.id).stage == "SQO"
    ws.close()


def test_bad_rows_are_numbered_and_nothing_is_half_written(workspace, tmp_path):
    folder = tmp_path / "sf"
    folder.mkdir()
    rows = [
        OPPS[0],
        ["0063", "Dup", "Prospecting", "10", "2024-01-01", "2024-01-01", "", "", ""],
        ["0063", "Dup again", "Prospecting", "10", "2024-01-01", "2024-01-01", "", "", ""],
        ["0064", "Bad date", "Prospecting", "10", "31/01/2024", "2024-01-01", "", "", ""],
        ["0065", "Bad amount", "Prospecting", "ten", "2024-01-01", "2024-01-01", "", "", ""],
        ["0066", "Odd stage", "Verbal", "10", "2024-01-01", "2024-01-01", "", "", ""],
        ["", "No id", "Prospecting", "10", "2024-01-01", "2024-01-01", "", "", ""],
    ]
    write(folder / "Opportunity.csv", OPP_HEADER, rows, delimiter=";")
    write(
        folder / "OpportunityHistory.csv",
        HIST_HEADER,
        [["0085", "006X", "Prospecting", "1", "2024-01-01"]],
    )
    result = run(db_path(workspace), str(folder))
    assert result.exit_code == 8
    assert (
        "row 2: history for 006X, which is neither in this export nor in the workspace."
        in result.output
    )
    assert count(workspace, t.opportunities) == 0 and count(workspace, t.history) == 0

    (folder / "OpportunityHistory.csv").unlink()
    result = run(db_path(workspace), str(folder))
    assert result.exit_code == 8
    out = result.output
    assert "row 4: the id 'sf:0063' appears more than once in this file" in out
    assert "row 5: Invalid CloseDate '31/01/2024': expected a date as YYYY-MM-DD" in out
    assert "row 6: Invalid Amount 'ten'" in out
    assert "row 7: the stage 'Verbal' is not mapped" in out
    assert "row 8: the Id is empty." in out
    assert "Opportunity.csv: 5 row(s) rejected; nothing from this file was imported." in out
    assert count(workspace, t.opportunities) == 0

    dry = run(db_path(workspace), str(folder), "--dry-run")
    assert dry.exit_code == 0 and "Dry run: nothing was written." in dry.output
    assert count(workspace, t.opportunities) == 0

    result = run(db_path(workspace), str(folder), "--skip-invalid")
    assert result.exit_code == 0, result.output
    assert count(workspace, t.opportunities) == 2
    with (folder / "Opportunity.rejected.csv").open(encoding="utf-8") as handle:
        rejected = list(csv.DictReader(handle))
    assert sorted(int(r["row"]) for r in rejected) == [4, 5, 6, 7, 8]
    assert {r["row"]: r["Name"] for r in rejected}["4"] == "Dup again"


def test_encodings_and_not_a_csv(workspace, tmp_path):
    for encoding in ("utf-8-sig", "utf-16", "latin-1"):
        folder = tmp_path / encoding
        folder.mkdir()
        write(
            folder / "Opportunity.csv",
            OPP_HEADER,
            [
                [
                    "0069",
                    "Café Åkesson",
                    "Prospecting",
                    "1 000,50",
                    "2024-01-01",
                    "2024-01-01",
                    "",
                    "",
                    "",
                ]
            ],
            encoding=encoding,
            delimiter="\t" if encoding == "utf-16" else ",",
        )
        result = run(db_path(workspace), str(folder))
        assert result.exit_code == 0, (encoding, result.output)
    with workspace.engine.connect() as connection:
        names = connection.execute(
            select(t.opportunities.c.name, t.opportunities.c.amount_cents)
        ).all()
    assert names == [("Café Åkesson", 100_050)]
    folder = tmp_path / "xlsx"
    folder.mkdir()
    (folder / "Opportunity.csv").write_bytes(b"PK\x03\x04\x14\x00binary")
    result = run(db_path(workspace), str(folder))
    assert result.exit_code == 2
    assert "Opportunity.csv is not a CSV file (it looks like an Excel workbook" in result.output
