"""Row numbers in import messages are the rows a spreadsheet shows: blank lines count, a quoted
field over several lines is one row, the header is row 1."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from sqo.cli.app import app

runner = CliRunner()

MAPPING = """\
source: crm
id: Deal ID
currency: USD
fields: {name: Deal, amount: Amount, stage: Stage}
"""


def test_a_bad_row_after_blank_lines_is_named_by_its_spreadsheet_row(tmp_path: Path) -> None:
    db = tmp_path / "rows.db"
    assert runner.invoke(app, ["--db", str(db), "init"]).exit_code == 0
    (tmp_path / "mapping.yaml").write_text(MAPPING, encoding="utf-8")
    lines = [
        "Deal ID,Deal,Amount,Stage",  # row 1
        "D1,Good,10,SQO",  # row 2
        "",  # row 3
        'D2,"Two',  # row 4: one row over two lines
        'lines",20,SQO',
        ",,,",  # row 5: empty cells
        "",  # row 6
        "D3,Bad,ten,SQO",  # row 7, line 8 of the file
    ]
    source = tmp_path / "deals.csv"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(
        app,
        [
            "--db",
            str(db),
            "import",
            "csv",
            str(source),
            "--mapping",
            str(tmp_path / "mapping.yaml"),
        ],
    )
    assert result.exit_code == 8, result.output
    assert "  row 7: " in result.output
    assert "row 6" not in result.output and "row 8" not in result.output
