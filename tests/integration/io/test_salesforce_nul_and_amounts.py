"""Values as real Salesforce exports write them: NUL characters inside quoted rich-text fields,
and amounts with three or more decimals. Both are stored (NULs removed, amounts rounded to cents
half-even) and told in the report; a binary file named .csv is still refused. Expected values are
worked out with plain Python (``str.replace``, ``decimal`` rounding) over the same CSV text."""

from __future__ import annotations

import csv
import io
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

from sqlalchemy import func, select
from typer.testing import CliRunner

from sqo.cli.app import app
from sqo.store import tables as t

HEADER = ["Id", "Name", "StageName", "Amount", "CloseDate", "CreatedDate", "Description"]
ROWS = [
    ["0061", "Acme\x00 – 50 seats", "Prospecting", "12345.675", "2026-03-01", "2026-01-02", ""],
    ["0062", "Globex", "Needs Analysis", "99.9999", "2026-04-01", "2026-01-03", "<p>\x00</p>"],
    ["0063", "Initech", "Closed Won", "1500.50", "2026-02-01", "2026-01-04", "a\x00\nb"],
    ["0064", "Umbrella", "Closed Lost", "0.125", "2026-02-02", "2026-01-05", ""],
    ["0065", "Hooli", "Prospecting", "", "2026-05-01", "2026-01-06", ""],
]


def export(path: Path, rows: list[list[str]]) -> bytes:
    """A Data Loader export: every field quoted, CRLF line ends, UTF-8."""
    text = io.StringIO(newline="")
    writer = csv.writer(text, quoting=csv.QUOTE_ALL)
    writer.writerow(HEADER)
    writer.writerows(rows)
    data = text.getvalue().encode("utf-8")
    path.write_bytes(data)
    return data


def run(db: str, folder: Path):
    return CliRunner().invoke(app, ["--db", db, "import", "salesforce", str(folder)])


def stored(ws) -> dict[str, tuple[str, int | None]]:
    with ws.engine.connect() as connection:
        o = t.opportunities.c
        rows = connection.execute(select(o.external_id, o.name, o.amount_cents))
        return {key: (name, cents) for key, name, cents in rows}


def half_even_cents(text: str) -> int:
    return int(Decimal(text).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN) * 100)


def test_nul_characters_in_quoted_text_are_removed_and_told(any_workspace, tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    data = export(folder / "Opportunity.csv", ROWS)
    result = run(any_workspace.url, folder)
    assert result.exit_code == 0, result.output
    nuls = data.count(b"\x00")
    assert nuls == 3
    assert f"{nuls} NUL character(s) removed from text in Opportunity.csv." in result.output
    assert stored(any_workspace)["sf:0061"][0] == ROWS[0][1].replace("\x00", "")


def test_amounts_with_more_than_two_decimals_are_rounded_half_even_and_counted(
    any_workspace, tmp_path
):
    folder = tmp_path / "export"
    folder.mkdir()
    export(folder / "Opportunity.csv", [[v.replace("\x00", "") for v in r] for r in ROWS])
    result = run(any_workspace.url, folder)
    assert result.exit_code == 0, result.output
    amounts = {f"sf:{r[0]}": r[3] for r in ROWS}
    expected = {k: half_even_cents(a) if a else None for k, a in amounts.items()}
    assert {k: cents for k, (_name, cents) in stored(any_workspace).items()} == expected
    assert expected["sf:0061"] == 1_234_568 and expected["sf:0064"] == 12  # by hand, too
    over_two = sum(1 for a in amounts.values() if "." in a and len(a.split(".")[1]) > 2)
    assert over_two == 3
    assert (
        f"Opportunity.csv: {over_two} amount(s) had more than two decimals and were rounded to "
        "cents (half-even)." in result.output
    )
    again = run(any_workspace.url, folder)  # the rounded amounts match: nothing to update
    assert again.exit_code == 0, again.output
    assert "Opportunity.csv: 3 amount(s)" in again.output


def test_a_binary_file_named_csv_is_still_refused_with_one_sentence(workspace, tmp_path):
    db = workspace.url
    cases = {
        # A PNG: NUL bytes outside any quoted field.
        "png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10",
        # An Excel 97-2003 workbook (.xls) saved under a .csv name.
        "xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64,
        # A CSV whose header row holds NULs (UTF-16 without its byte order mark).
        "utf16": "Id,Name\r\n0061,Acme\r\n".encode("utf-16-le"),
    }
    for name, content in cases.items():
        folder = tmp_path / name
        folder.mkdir()
        (folder / "Opportunity.csv").write_bytes(content)
        result = run(db, folder)
        assert result.exit_code == 2, (name, result.output)
        assert "Opportunity.csv is not a CSV file (" in result.output, name
        assert "Traceback" not in result.output
    with workspace.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(t.opportunities)).scalar() == 0
