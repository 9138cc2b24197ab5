"""A Salesforce report export: month-first dates, two-digit years, AM/PM times, and date-only
(CloseDate) next to date-time (CreatedDate) columns, all read with one ``--date-format``.
Expected times come from Python's own ``strptime`` with one explicit pattern per shape."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from typer.testing import CliRunner

from sqo.cli.app import app
from sqo.store import tables as t
from tests.csv_files import write_export as write

HEADER = ["Id", "Name", "StageName", "Amount", "CloseDate", "CreatedDate", "LastModifiedDate"]
ROWS = [
    ["0061", "Acme", "Prospecting", "1200", "2/23/2026", "2/23/2026 8:55 PM", "2/24/2026 9:00 AM"],
    ["0062", "Globex", "Needs Analysis", "900", "3/1/26", "02/23/26 08:55 PM", "3/1/26 12:05 AM"],
    ["0063", "Initech", "Closed Won", "50", "12/31/25", "1/2/25 7:05 AM", "12/31/25 11:59:30 PM"],
]
HISTORY_HEADER = ["Id", "OpportunityId", "StageName", "CreatedDate"]
HISTORY = [
    ["0081", "0063", "Prospecting", "1/2/25 7:05 AM"],
    ["0082", "0063", "Closed Won", "12/31/25 11:59 PM"],
]


def python_reading(text: str) -> datetime:
    """Each shape of the export, read by Python with the pattern written for it."""
    patterns = [
        "%m/%d/%Y",
        "%m/%d/%y",
        "%m/%d/%Y %I:%M %p",
        "%m/%d/%y %I:%M %p",
        "%m/%d/%y %I:%M:%S %p",
    ]
    for pattern in patterns:
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    raise AssertionError(text)


def test_report_export_with_two_digit_years_and_mixed_columns(workspace, tmp_path):
    folder = tmp_path / "report"
    folder.mkdir()
    write(folder / "Opportunity.csv", HEADER, ROWS)
    write(folder / "OpportunityHistory.csv", HISTORY_HEADER, HISTORY)
    command = ["--db", workspace.url, "import", "salesforce", str(folder)]
    result = CliRunner().invoke(app, [*command, "--date-format", "month-first"])
    assert result.exit_code == 0, result.output
    o = t.opportunities.c
    with workspace.engine.connect() as connection:
        stored = {
            key: (created, close)
            for key, created, close in connection.execute(
                select(o.external_id, o.created_at, o.close_date)
            )
        }
        h = t.history.c
        moves = connection.execute(
            select(h.new_value, h.changed_at)
            .join(t.opportunities, t.opportunities.c.id == h.record_id)
            .where(h.field == "stage", o.external_id == "sf:0063", h.record_type == "opportunity")
            .order_by(h.changed_at)
        ).all()
    assert stored == {
        f"sf:{r[0]}": (python_reading(r[5]), python_reading(r[4]).date()) for r in ROWS
    }
    assert stored["sf:0062"][0] == datetime(2026, 2, 23, 20, 55)  # by hand: 02/23/26 08:55 PM
    assert [at for _stage, at in moves] == [python_reading(r[3]) for r in HISTORY]
