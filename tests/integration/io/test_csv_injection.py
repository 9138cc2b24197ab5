"""CSV injection: no CSV sqo writes holds a text cell that a spreadsheet would run as a formula,
and an sqo export read back gives every text exactly as it was."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from sqo.cli.app import app
from sqo.io.formula_guard import guard_cell, guard_text, unguard_text
from sqo.services.workspace import open_workspace
from sqo.store import tables as t

runner = CliRunner()

HYPERLINK = '=HYPERLINK("http://evil.example","Click")'
SUM = "@SUM(A1:A9)"
CMD = "+cmd|' /C calc'!A0"
MINUS = "-2+3+cmd|' /C calc'!A0"
TAB = "\t=1+1"
CR = "\r=1+1"
QUOTED = "'already quoted"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def sqo(db: Path, *args: str) -> str:
    result = runner.invoke(app, ["--db", str(db), "--as", "ann", *args])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def source(tmp_path: Path) -> Path:
    db = tmp_path / "source.db"
    sqo(db, "init")
    sqo(db, "rep", "add", SUM)
    sqo(db, "account", "add", CMD)
    sqo(db, "opp", "add", HYPERLINK, "--owner", SUM, "--account", CMD, "--next-step", TAB)
    sqo(db, "opp", "update", "1", "--name", MINUS)  # the old and new name go into history
    sqo(db, "opp", "update", "1", "--next-step", CR)
    sqo(db, "opp", "add", QUOTED)
    sqo(db, "opp", "add", "--", "-5")  # a text that is a number: quoted too, and read back as -5
    sqo(db, "log", "call", "--opp", "1", "--subject", HYPERLINK)
    return db


def text_values(db: Path) -> dict[str, list[tuple[object, ...]]]:
    ws = open_workspace(str(db))
    try:
        with ws.engine.connect() as connection:
            return {
                name: [
                    tuple(row)
                    for row in connection.execute(
                        select(table).order_by(*table.primary_key.columns)
                    )
                ]
                for name, table in t.metadata.tables.items()
                if name in ("opportunities", "history", "reps", "accounts", "activities")
            }
    finally:
        ws.close()


def cells(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_an_export_holds_no_formula_cell(source: Path, tmp_path: Path) -> None:
    sqo(source, "export", str(tmp_path / "out"))
    for name in ("opportunities", "history", "reps", "accounts", "activities"):
        rows = cells(tmp_path / "out" / f"{name}.csv")
        found = [c for row in rows[1:] for c in row if c.startswith(FORMULA_STARTS)]
        assert found == [], (name, found)
    opportunities = cells(tmp_path / "out" / "opportunities.csv")
    names = [row[opportunities[0].index("name")] for row in opportunities[1:]]
    assert names == ["'" + MINUS, "''already quoted", "'-5"]
    history = "".join((tmp_path / "out" / "history.csv").read_text(encoding="utf-8"))
    assert "'" + HYPERLINK.replace('"', '""') in history
    assert json.loads((tmp_path / "out" / "manifest.json").read_text())["format_version"] == 2


def test_an_export_read_back_gives_the_original_text(source: Path, tmp_path: Path) -> None:
    sqo(source, "export", str(tmp_path / "out"))
    sqo(tmp_path / "copy.db", "import", "export", str(tmp_path / "out"))
    restored = text_values(tmp_path / "copy.db")
    assert restored == text_values(source)
    names = {row[0]: row for row in restored["opportunities"]}
    assert MINUS in names[1] and QUOTED in names[2] and "-5" in names[3]


def test_a_version_1_export_keeps_a_leading_quote_as_its_own(source: Path, tmp_path: Path) -> None:
    """Version 1 wrote text unquoted: its leading quote is part of the text."""
    sqo(source, "export", str(tmp_path / "out"))
    folder = tmp_path / "out"
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["format_version"] = 1
    (folder / "manifest.json").write_text(json.dumps(manifest))
    sqo(tmp_path / "copy.db", "import", "export", str(folder))
    names = [row[1] for row in text_values(tmp_path / "copy.db")["opportunities"]]
    assert names == ["'" + MINUS, "''already quoted", "'-5"]


def test_a_rejected_rows_file_holds_no_formula_cell(tmp_path: Path) -> None:
    db = tmp_path / "import.db"
    sqo(db, "init")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(
        "source: crm\nid: Deal ID\ncurrency: USD\n"
        "fields: {name: Deal, amount: Amount, stage: Stage}\n",
        encoding="utf-8",
    )
    source = tmp_path / "deals.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Deal ID", "Deal", "Amount", "Stage", "Note"])
        writer.writerow(["D1", HYPERLINK, "ten", "Qualification", SUM])
        writer.writerow(["D2", "Fine", "-5", "Nowhere", CMD])
        writer.writerow(["D3", "Good", "100", "Qualification", ""])
    result = runner.invoke(
        app,
        [
            "--db",
            str(db),
            "import",
            "csv",
            str(source),
            "--mapping",
            str(mapping),
            "--skip-invalid",
        ],
    )
    assert result.exit_code == 0, result.output
    rows = cells(tmp_path / "deals.rejected.csv")
    assert rows[0] == ["row", "reason", "Deal ID", "Deal", "Amount", "Stage", "Note"]
    assert [row[2:] for row in rows[1:]] == [
        ["D1", "'" + HYPERLINK, "ten", "Qualification", "'" + SUM],
        ["D2", "Fine", "-5", "Nowhere", "'" + CMD],  # -5 is a number, not a formula
    ]
    assert not [c for row in rows for c in row if c.startswith(FORMULA_STARTS) and c != "-5"]


@pytest.mark.parametrize(
    ("text", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-5", "'-5"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("'x", "''x"),
        ("'", "''"),
        ("plain", "plain"),
        ("a=b", "a=b"),
    ],
)
def test_export_text_quoting_is_undone_exactly(text: str, cell: str) -> None:
    assert guard_text(text) == cell
    assert unguard_text(cell) == text


@pytest.mark.parametrize(
    ("cell", "written"),
    [("-5", "-5"), ("+3.25", "+3.25"), ("-1e3", "-1e3"), ("-", "'-"), ("-5-5", "'-5-5")],
)
def test_a_rejected_rows_cell_that_is_a_number_stays_a_number(cell: str, written: str) -> None:
    assert guard_cell(cell) == written
