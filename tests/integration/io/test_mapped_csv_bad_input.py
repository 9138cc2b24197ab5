"""Bad input through ``sqo import csv`` with a mapping: encodings as Excel and older CRMs write
them, delimiters, quoted newlines, and refused files, each with its exact row-numbered message
and the workspace unchanged afterwards."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from sqo.cli.app import app
from sqo.store import tables as t

MAPPING = """\
source: crm
id: Deal ID
date_format: iso
currency: USD
fields:
  name: Deal
  stage: Stage
  amount: Amount
  close_date: Close
  owner: Owner
values:
  stage: {Open: Qualification, Qualified: SQO, Won: Won}
stage_entered: {SQO: Qualified on}
rates:  # the file has USD, SEK and EUR deals: a rate for each besides the corporate USD
  - {currency: SEK, rate: "10.5580"}
  - {currency: EUR, rate: "0.9195"}
"""
HEADER = ["Deal ID", "Deal", "Stage", "Amount", "Close", "Owner", "Qualified on"]
GOOD = [
    ["D1", "Café Åkesson", "Qualified", "$12,500.50", "2024-03-01", "Åsa Öberg", "2024-02-01"],
    ["D2", "Globex\nrenewal", "Open", "12 500,50 kr", "2024-04-01", "Bo Berg", ""],
    ["D3", "Initech", "Won", "EUR 1.234,5", "2024-02-15", "", "2024-01-10"],
]


def write(path: Path, rows: list[list[str]], encoding: str = "utf-8", **kw: str) -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, **kw)  # type: ignore[arg-type]
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


@pytest.fixture
def mapping(tmp_path: Path) -> Path:
    path = tmp_path / "mapping.yaml"
    path.write_text(MAPPING, encoding="utf-8")
    return path


def run(ws, path: Path, mapping: Path, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(
        app, ["--db", ws.url, "import", "csv", str(path), "--mapping", str(mapping), *args]
    )


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


def opportunities(ws) -> dict[str, tuple[str, int | None, str, str]]:  # type: ignore[no-untyped-def]
    o = t.opportunities
    with ws.engine.connect() as connection:
        rows = connection.execute(
            select(o.c.external_id, o.c.name, o.c.amount_cents, o.c.currency, o.c.stage)
        ).all()
    return {r[0]: (r[1], r[2], r[3], r[4]) for r in rows}


EXPECTED = {
    "crm:D1": ("Café Åkesson", 1_250_050, "USD", "SQO"),
    "crm:D2": ("Globex\nrenewal", 1_250_050, "SEK", "Qualification"),
    "crm:D3": ("Initech", 123_450, "EUR", "Won"),
}


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [
        ("utf-8-sig", ","),  # UTF-8 with a BOM (Excel's "CSV UTF-8")
        ("cp1252", ","),  # Latin-1 / Windows-1252 (Excel's "CSV" on Windows)
        ("utf-16", "\t"),  # Excel's "Unicode text": UTF-16 with a BOM, tab-separated
        ("utf-8", ";"),  # semicolons, as Excel writes CSV where the decimal mark is a comma
    ],
)
def test_encodings_delimiters_and_quoted_newlines_import(
    workspace, mapping, tmp_path, encoding, delimiter
):
    path = write(tmp_path / "deals.csv", GOOD, encoding=encoding, delimiter=delimiter)
    result = run(workspace, path, mapping)
    assert result.exit_code == 0, result.output
    assert opportunities(workspace) == EXPECTED
    with workspace.engine.connect() as connection:
        owners = sorted(connection.execute(select(t.reps.c.name)).scalars())
    assert owners == ["Bo Berg", "Åsa Öberg"]


BAD_ROWS = [
    (
        ["D1", "Dup", "Open", "1", "2024-03-01", "", ""],
        "row 5: the id 'crm:D1' appears more than once in this file; only its first row is "
        "imported.",
    ),
    (
        ["D4", "Day-first date", "Open", "1", "31/01/2024", "", ""],
        "row 5: Invalid close_date '31/01/2024': expected a date as YYYY-MM-DD (date_format: iso).",
    ),
    (
        ["D4", "Stage date", "Qualified", "1", "2024-03-01", "", "2024-13-01"],
        "row 5: Invalid Qualified on '2024-13-01': expected a date as YYYY-MM-DD "
        "(date_format: iso).",
    ),
    (
        ["D4", "Words", "Open", "about 5k", "2024-03-01", "", ""],
        "row 5: Invalid amount 'about 5k': write a number such as 12500 or 12,500.50.",
    ),
    (
        ["D4", "Two decimal marks", "Open", "1,234,56", "2024-03-01", "", ""],
        "row 5: Invalid amount '1,234,56': write a number such as 12500 or 12,500.50.",
    ),
    (["", "No id", "Open", "1", "2024-03-01", "", ""], "row 5: the id (column Deal ID) is empty."),
    (["D4", "No stage", "", "1", "2024-03-01", "", ""], "row 5: the stage is empty."),
    (
        ["D4", "Unmapped", "Verbal", "1", "2024-03-01", "", ""],
        "row 5: the stage 'Verbal' is not mapped to a stage of this workspace; add it under "
        "values.stage (workspace stages: Qualification, SQO, Solution, Proposal, Negotiation, "
        "Commit, Won, Lost).",
    ),
    (
        ["D4", "Too many", "Open", "1", "2024-03-01", "", "", "extra"],
        "row 5: the row has 8 fields but the header has 7",
    ),
]


@pytest.mark.parametrize(("bad", "message"), BAD_ROWS, ids=[r[0][1] for r in BAD_ROWS])
def test_a_bad_row_refuses_the_file_with_its_row_number(workspace, mapping, tmp_path, bad, message):
    assert run(workspace, write(tmp_path / "first.csv", GOOD[:1]), mapping).exit_code == 0
    before = digest(workspace)
    # Row 3 spans two lines (a quoted newline): the bad row is still row 5, as a spreadsheet
    # shows it.
    path = write(tmp_path / "deals.csv", [*GOOD, bad], delimiter=";")
    result = run(workspace, path, mapping)
    assert result.exit_code == 8
    lines = result.output.splitlines()
    assert "deals.csv: 1 row(s) rejected; nothing from this file was imported. Fix them, or" in (
        " ".join(result.output.split())
    )
    assert f"  {message}" in lines, result.output
    assert digest(workspace) == before


def test_skip_invalid_imports_the_rest_and_writes_the_rejected_rows(workspace, mapping, tmp_path):
    rows = [*GOOD, *(bad for bad, _message in BAD_ROWS)]
    path = write(tmp_path / "deals.csv", rows, encoding="cp1252")
    before = digest(workspace)
    dry = run(workspace, path, mapping, "--dry-run")
    assert dry.exit_code == 0 and "Dry run: nothing was written." in dry.output
    assert digest(workspace) == before
    result = run(workspace, path, mapping, "--skip-invalid")
    assert result.exit_code == 0, result.output
    assert opportunities(workspace) == EXPECTED
    with (tmp_path / "deals.rejected.csv").open(encoding="utf-8") as handle:
        rejected = list(csv.DictReader(handle))
    assert [(r["row"], r["Deal"]) for r in rejected] == [
        (str(n), bad[1]) for n, (bad, _m) in enumerate(BAD_ROWS, start=5)
    ]
    assert rejected[1]["reason"] == (
        "row 6: Invalid close_date '31/01/2024': expected a date as YYYY-MM-DD (date_format: iso)."
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00[Content_Types].xml",
            "deals.csv is not a CSV file (it looks like an Excel workbook or a zip file; save it "
            "as CSV).",
        ),
        (
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10",
            "deals.csv is not a CSV file (it contains binary data).",
        ),
        (b"", "deals.csv is not a CSV file (it is empty)."),
        (
            b"Name,Value\nAcme,1\n",
            "deals.csv is missing the column(s) Deal ID, Deal, Stage, Amount, Close, Owner, "
            "Qualified on; its columns are: Name, Value.",
        ),
    ],
    ids=["xlsx", "png", "empty", "other-columns"],
)
def test_a_file_that_is_not_the_csv_is_refused_whole(
    workspace, mapping, tmp_path, content, message
):
    assert run(workspace, write(tmp_path / "first.csv", GOOD), mapping).exit_code == 0
    before = digest(workspace)
    path = tmp_path / "deals.csv"
    path.write_bytes(content)
    result = run(workspace, path, mapping)
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
    assert digest(workspace) == before
