"""HubSpot deals exports written by the tests, as HubSpot writes them; counts, history and errors
checked by hand."""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import func, select
from typer.testing import CliRunner

from sqo.cli.app import app
from sqo.domain.history import RecordType
from sqo.services import opportunities
from sqo.services.history import record_history
from sqo.store import tables as t

P = "Sales Pipeline"
STAGES = [
    "Appointment Scheduled",
    "Qualified To Buy",
    "Presentation Scheduled",
    "Decision Maker Bought-In",
    "Contract Sent",
    "Closed Won",
    "Closed Lost",
]
HEADER = [
    "Record ID",
    "Deal Name",
    "Deal Stage",
    "Amount",
    "Close Date",
    "Create Date",
    "Deal owner",
    "Pipeline",
    "Associated Company",
    "Deal Type",
    "Forecast category",
    "Next step",
    *(f"Date entered {s} ({P})" for s in STAGES),
    *(f"Date exited {s} ({P})" for s in STAGES),
]


def deal(record_id: str, name: str, stage: str, **values: str) -> list[str]:
    """A row: ``entered``/``exited`` as 'Stage=date;Stage=date'."""
    entered = dict(x.split("=") for x in values.pop("entered", "").split(";") if x)
    exited = dict(x.split("=") for x in values.pop("exited", "").split(";") if x)
    row = {"Record ID": record_id, "Deal Name": name, "Deal Stage": stage, "Pipeline": P}
    by_name = {c.casefold(): c for c in HEADER}
    row |= {by_name[k.replace("_", " ")]: v for k, v in values.items()}
    for s in STAGES:
        row[f"Date entered {s} ({P})"] = entered.get(s, "")
        row[f"Date exited {s} ({P})"] = exited.get(s, "")
    return [row.get(c, "") for c in HEADER]


DEALS = [
    deal(
        "1001",
        "Acme – 50 seats",
        "Closed Won",
        amount="12000",
        close_date="2024-03-01 15:00",
        create_date="2024-01-02 09:00",
        deal_owner="Ann Lee",
        associated_company="Acme",
        deal_type="New Business",
        forecast_category="Closed won",
        entered="Appointment Scheduled=2024-01-02 09:00;Qualified To Buy=2024-01-20 09:00;"
        "Closed Won=2024-03-01 15:00",
        exited="Appointment Scheduled=2024-01-20 09:00;Qualified To Buy=2024-03-01 15:00",
    ),
    # Back and forth: Qualified To Buy -> Presentation Scheduled -> back to Qualified To Buy ->
    # Presentation Scheduled again. HubSpot keeps each stage's last entry; the two moves of
    # 2024-02-10 14:22 share a minute and the exit dates put them in order.
    deal(
        "1002",
        "Globex renewal",
        "Presentation Scheduled",
        amount="$1,500.50",
        close_date="2024-06-30",
        create_date="2024-02-01T10:00:00.000Z",
        deal_owner="Ann Lee",
        next_step="Send the deck",
        entered="Qualified To Buy=2024-02-10 14:22;Presentation Scheduled=2024-02-10 14:22;"
        "Appointment Scheduled=2024-02-01 10:00",
        exited="Appointment Scheduled=2024-02-05 11:00;Qualified To Buy=2024-02-10 14:22",
    ),
    deal(
        "1003",
        "Initech",
        "Closed Lost",
        amount="2 000,00 kr",
        close_date="2024-04-15 08:30",
        create_date="2024-03-01 08:00",
        deal_owner="Bo Berg",
        associated_company="Initech",
        entered="Contract Sent=2024-04-01 12:00;Closed Lost=2024-04-15 08:30",
        exited="Contract Sent=2024-04-15 08:30",
    ),
]


def write(path: Path, rows: list[list[str]], header: list[str] = HEADER, **kw: str) -> Path:
    with path.open("w", encoding=kw.pop("encoding", "utf-8"), newline="") as handle:
        writer = csv.writer(handle, **kw)  # type: ignore[arg-type]
        writer.writerow(header)
        writer.writerows(rows)
    return path


def run(db: str, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, ["--db", db, "import", "hubspot", *args])


def count(ws, table) -> int:  # type: ignore[no-untyped-def]
    with ws.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


def counts_shown(output: str) -> list[int]:
    """Rows, created, updated, unchanged, rejected, history rows of the report's first file."""
    for line in output.splitlines():
        cells = [c.strip() for c in line.split("│")]
        numbers = [int(c) for c in cells if c.isdigit()]
        if len(numbers) == 6:
            return numbers
    raise AssertionError(output)


def stage_moves(ws, actor, external_id: str) -> list[tuple[str | None, str, datetime]]:  # type: ignore[no-untyped-def]
    opp = next(
        o for o in opportunities.list_opportunities(ws, actor) if o.external_id == external_id
    )
    return [
        (c.old, c.new, c.changed_at)
        for c in record_history(ws, actor, RecordType.OPPORTUNITY, opp.id)
        if c.field == "stage"
    ]


def test_export_with_stage_dates_becomes_history_and_imports_once(any_workspace, actor, tmp_path):
    ws = any_workspace
    path = write(tmp_path / "hubspot-crm-exports-all-deals-2024-05-01.csv", DEALS)
    # USD and SEK deals: the SEK rate (per USD, the corporate currency) comes with them.
    rates = write(tmp_path / "rates.csv", [["SEK", "10.5580"]], header=["currency", "rate"])
    result = run(ws.url, str(path), "--rates", str(rates))
    assert result.exit_code == 0, result.output
    assert count(ws, t.opportunities) == 3
    assert count(ws, t.reps) == 2 and count(ws, t.accounts) == 2
    opps = {o.external_id: o for o in opportunities.list_opportunities(ws, actor)}
    assert set(opps) == {"hs:1001", "hs:1002", "hs:1003"}
    won, globex, lost = opps["hs:1001"], opps["hs:1002"], opps["hs:1003"]
    assert (won.stage, won.amount_cents, won.close_date) == ("Won", 1_200_000, date(2024, 3, 1))
    assert won.forecast_category == "Closed" and won.closed_at == datetime(2024, 3, 1, 15)
    assert won.attributes == {"Pipeline": P, "Deal Type": "New Business"}
    assert (globex.stage, globex.amount_cents, globex.currency) == ("Solution", 150_050, "USD")
    assert globex.next_step == "Send the deck" and globex.forecast_category == "Pipeline"
    assert (lost.stage, lost.amount_cents, lost.currency) == ("Lost", 200_000, "SEK")
    assert lost.closed_at == datetime(2024, 4, 15, 8, 30)

    assert stage_moves(ws, actor, "hs:1001") == [
        (None, "Qualification", datetime(2024, 1, 2, 9)),
        ("Qualification", "SQO", datetime(2024, 1, 20, 9)),
        ("SQO", "Won", datetime(2024, 3, 1, 15)),
    ]
    assert stage_moves(ws, actor, "hs:1002") == [
        (None, "Qualification", datetime(2024, 2, 1, 10)),
        ("Qualification", "SQO", datetime(2024, 2, 10, 14, 22)),
        ("SQO", "Solution", datetime(2024, 2, 10, 14, 22)),
    ]
    assert stage_moves(ws, actor, "hs:1003") == [
        (None, "Commit", datetime(2024, 3, 1, 8)),
        ("Commit", "Lost", datetime(2024, 4, 15, 8, 30)),
    ]
    as_of = opportunities.list_opportunities(ws, actor, as_of=datetime(2024, 2, 1))
    assert next(o for o in as_of if o.id == won.id).stage == "SQO"

    history = count(ws, t.history)
    again = run(ws.url, str(path))
    assert again.exit_code == 0, again.output
    assert count(ws, t.history) == history and count(ws, t.opportunities) == 3
    assert counts_shown(again.output) == [3, 0, 0, 3, 0, 0]


def test_a_newer_export_updates_and_appends_history(workspace, actor, tmp_path):
    db = workspace.url
    assert run(db, str(write(tmp_path / "deals.csv", DEALS[1:2]))).exit_code == 0
    newer = deal(
        "1002",
        "Globex renewal",
        "Closed Won",
        amount="1800",
        close_date="2024-05-02 16:00",
        create_date="2024-02-01T10:00:00.000Z",
        deal_owner="Ann Lee",
        entered="Qualified To Buy=2024-02-10 14:22;Presentation Scheduled=2024-02-10 14:22;"
        "Appointment Scheduled=2024-02-01 10:00;Contract Sent=2024-04-20 10:00;"
        "Closed Won=2024-05-02 16:00",
        exited="Appointment Scheduled=2024-02-05 11:00;Qualified To Buy=2024-02-10 14:22;"
        "Presentation Scheduled=2024-04-20 10:00;Contract Sent=2024-05-02 16:00",
    )
    result = run(db, str(write(tmp_path / "deals.csv", [newer])))
    assert result.exit_code == 0, result.output
    assert stage_moves(workspace, actor, "hs:1002")[-2:] == [
        ("Solution", "Commit", datetime(2024, 4, 20, 10)),
        ("Commit", "Won", datetime(2024, 5, 2, 16)),
    ]
    opp = opportunities.list_opportunities(workspace, actor)[0]
    assert (opp.stage, opp.amount_cents, opp.closed_at) == (
        "Won",
        180_000,
        datetime(2024, 5, 2, 16),
    )


def test_bad_rows_are_numbered_and_nothing_is_half_written(workspace, tmp_path):
    db = workspace.url
    rows = [
        DEALS[0],
        deal("1004", "Dup", "Qualified To Buy", create_date="2024-01-01 10:00"),
        deal("1004", "Dup again", "Qualified To Buy", create_date="2024-01-01 10:00"),
        deal("1005", "Slash date", "Qualified To Buy", create_date="03/05/2024 14:22"),
        deal("1006", "Custom stage", "Verbal Yes", create_date="2024-01-01 10:00"),
        deal("", "No id", "Qualified To Buy"),
        deal("1007", "Bad amount", "Qualified To Buy", amount="a lot"),
    ]
    path = write(tmp_path / "deals.csv", rows, delimiter=";")
    result = run(db, str(path))
    assert result.exit_code == 8
    out = result.output
    assert "row 4: the id 'hs:1004' appears more than once in this file" in out
    assert (
        "row 5: Invalid Create Date '03/05/2024 14:22': expected a date as YYYY-MM-DD "
        "(date_format: iso)." in out
    )
    assert "row 6: the stage 'Verbal Yes' is not mapped to a stage of this workspace; add it " in (
        out
    )
    assert "row 7: the Record ID is empty." in out
    assert "row 8: Invalid Amount 'a lot': write a number such as 12500 or 12,500.50." in out
    assert "deals.csv: 5 row(s) rejected; nothing from this file was imported." in out
    assert count(workspace, t.opportunities) == 0 and count(workspace, t.history) == 0
    assert count(workspace, t.reps) == 0

    dry = run(db, str(path), "--dry-run")
    assert dry.exit_code == 0 and "Dry run: nothing was written." in dry.output
    # The real run refuses the file, so the dry run shows no writes for it: rows read and
    # rejected only (it showed "created 2, history rows 19" before).
    cells = next(
        [c.strip() for c in line.split("│")][2:8]
        for line in dry.output.splitlines()
        if "│    7" in line
    )
    assert cells == ["7", "—", "—", "—", "5", "—"]
    assert count(workspace, t.opportunities) == 0

    result = run(db, str(path), "--skip-invalid")
    assert result.exit_code == 0, result.output
    assert count(workspace, t.opportunities) == 2
    with (tmp_path / "deals.rejected.csv").open(encoding="utf-8") as handle:
        rejected = list(csv.DictReader(handle))
    assert [(r["row"], r["Deal Name"]) for r in rejected] == [
        ("4", "Dup again"),
        ("5", "Slash date"),
        ("6", "Custom stage"),
        ("7", "No id"),
        ("8", "Bad amount"),
    ]


def test_custom_pipeline_stage_map_day_first_dates_and_time_zone(workspace, actor, tmp_path):
    pipeline = "Partner deals"
    header = [
        "Record ID",
        "Deal Name",
        "Deal Stage",
        "Pipeline",
        "Create Date",
        f'Date entered "Intro ({pipeline})"',
        f'Date entered "Signed ({pipeline})"',
        f'Date entered "Paused ({pipeline})"',
    ]
    path = write(
        tmp_path / "partner.csv",
        [
            [
                "7",
                "Partner A",
                "Signed",
                pipeline,
                "05.03.2024 14:22",
                "05.03.2024 14:22",
                "20.03.2024 09:00",
                "",
            ],
            [
                "8",
                "Partner B",
                "Intro",
                pipeline,
                "06.03.2024 10:00",
                "06.03.2024 10:00",
                "",
                "07.03.2024 10:00",
            ],
        ],
        header,
    )
    stages = tmp_path / "stages.yaml"
    stages.write_text("Intro: Qualification\nSigned (Partner deals): Won\n", encoding="utf-8")
    args = [str(path), "--stages", str(stages), "--date-format", "day-first"]
    result = run(workspace.url, *args, "--timezone", "Europe/Stockholm")
    assert result.exit_code == 8
    # A stage met only in a date column is still never guessed.
    assert "row 3: the stage 'Paused' is not mapped to a stage of this workspace" in result.output

    stages.write_text(
        "Intro: Qualification\nSigned (Partner deals): Won\nPaused: Qualification\n",
        encoding="utf-8",
    )
    result = run(workspace.url, *args, "--timezone", "Europe/Stockholm")
    assert result.exit_code == 0, result.output
    # Stockholm is UTC+1 in March: times are stored in UTC.
    assert stage_moves(workspace, actor, "hs:7") == [
        (None, "Qualification", datetime(2024, 3, 5, 13, 22)),
        ("Qualification", "Won", datetime(2024, 3, 20, 8)),
    ]
    assert stage_moves(workspace, actor, "hs:8") == [
        (None, "Qualification", datetime(2024, 3, 6, 9)),
    ]


def test_file_or_live_and_unknown_time_zone(workspace, tmp_path):
    result = run(workspace.url)
    assert result.exit_code == 2 and "Give either a FILE or --live." in result.output
    path = write(tmp_path / "deals.csv", DEALS[:1])
    result = run(workspace.url, str(path), "--timezone", "Mars/Olympus")
    assert result.exit_code == 2
    assert "Unknown time zone 'Mars/Olympus': use a name such as Europe/Stockholm." in (
        result.output
    )
    (tmp_path / "deals.xlsx").write_bytes(b"PK\x03\x04\x14\x00binary")
    result = run(workspace.url, str(tmp_path / "deals.xlsx"))
    assert result.exit_code == 2
    assert "deals.xlsx is not a CSV file (it looks like an Excel workbook" in result.output
