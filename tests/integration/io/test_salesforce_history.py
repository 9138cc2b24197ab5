"""Amount, close-date and stage history from Salesforce exports, checked against pandas.

The folder is written as Salesforce writes it: OpportunityHistory with one row per change of
stage, amount, close date, probability or forecast category (every row repeating all of them,
changed or not, ExpectedRevenue included), OpportunityFieldHistory with Field / OldValue /
NewValue rows (``created`` rows without values, Owner changes by user id and by name, NextStep),
ISO datetimes with a ``+0000`` offset, several currencies, and some deals whose export is newer
than their last history row. The expected values are counted by pandas over the same CSVs.
"""

from __future__ import annotations

import csv
import itertools
import json
import random
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from sqo.cli.app import app
from sqo.domain.history import RecordType, decode_state, replay
from sqo.io.salesforce import DEFAULT_STAGES
from sqo.services import opportunities
from sqo.services.history import record_history
from sqo.store import tables as t
from tests.csv_files import write_export as write

runner = CliRunner()
STAGES = list(DEFAULT_STAGES)  # Salesforce's standard stage names, in their order
OPEN = STAGES[:6]
START = datetime(2025, 1, 6, 8, 0)
AS_OF = "2025-04-15"  # before every deal's LastModifiedDate (see below)
OH_HEADER = [
    "Id",
    "OpportunityId",
    "CreatedById",
    "CreatedDate",
    "StageName",
    "Amount",
    "ExpectedRevenue",
    "CloseDate",
    "Probability",
    "ForecastCategory",
    "SystemModstamp",
    "IsDeleted",
]
OFH_HEADER = [
    "Id",
    "OpportunityId",
    "CreatedById",
    "CreatedDate",
    "Field",
    "DataType",
    "OldValue",
    "NewValue",
    "IsDeleted",
]
OPP_HEADER = [
    "Id",
    "Name",
    "StageName",
    "Amount",
    "CurrencyIsoCode",
    "CloseDate",
    "Probability",
    "ForecastCategoryName",
    "NextStep",
    "CreatedDate",
    "LastModifiedDate",
    "OwnerId",
]
FORECAST = {  # ForecastCategory (API name) per Salesforce stage, and its label
    "Prospecting": ("Pipeline", "Pipeline"),
    "Qualification": ("Pipeline", "Pipeline"),
    "Needs Analysis": ("Pipeline", "Pipeline"),
    "Value Proposition": ("BestCase", "Best Case"),
    "Id. Decision Makers": ("BestCase", "Best Case"),
    "Perception Analysis": ("BestCase", "Best Case"),
    "Proposal/Price Quote": ("Forecast", "Commit"),
    "Negotiation/Review": ("Forecast", "Commit"),
    "Closed Won": ("Closed", "Closed"),
    "Closed Lost": ("Omitted", "Omitted"),
}
PROBABILITY = dict(
    zip(STAGES, ["10", "10", "20", "50", "60", "70", "75", "90", "100", "0"], strict=True)
)


def sf_time(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def export(folder: Path, deals: int = 60, *, seed: int = 3) -> None:
    """Opportunity, OpportunityHistory and OpportunityFieldHistory of ``deals`` deals."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    opps: list[list[Any]] = []
    oh: list[list[Any]] = []
    ofh: list[list[Any]] = []
    for n in range(deals):
        oid = f"0068d00000{n:05d}AAA"
        created = START + timedelta(days=rng.randrange(0, 40), seconds=rng.randrange(86_400))
        at = created
        stage = rng.choice(["Prospecting", "Qualification"])
        amount = rng.choice([12_000, 48_500, 7_250])
        close = (created + timedelta(days=rng.randrange(30, 120))).date()
        probability = PROBABILITY[stage]
        ofh.append([f"017{n:05d}c", oid, "0058d000001", sf_time(at), "created", "", "", "", ""])
        rows = [(at, stage, amount, close, probability)]
        for _step in range(rng.randrange(1, 7)):
            at += timedelta(days=rng.randrange(0, 12), seconds=rng.randrange(1, 40_000))
            change = rng.random()
            old = (stage, amount, close)
            if change < 0.35:
                stage = STAGES[min(STAGES.index(stage) + rng.randrange(1, 3), 7)]
                probability = PROBABILITY[stage]
            elif change < 0.6:
                amount = amount + rng.choice([-2_500, 1_000, 15_000])
            elif change < 0.8:
                close = close + timedelta(days=rng.choice([14, 30, -7]))
            else:
                probability = rng.choice(["15", "35", "65"])  # overridden by the rep
            rows.append((at, stage, amount, close, probability))
            when = sf_time(at)
            if stage != old[0]:
                ofh.append([f"017{n:05d}{len(ofh)}", oid, "0058d000001", when, "StageName"])
                ofh[-1] += ["Picklist", old[0], stage, "false"]
            if amount != old[1]:
                ofh.append([f"017{n:05d}{len(ofh)}", oid, "0058d000001", when, "Amount"])
                ofh[-1] += ["Currency", f"{old[1]}.0", f"{amount}.0", "false"]
            if close != old[2]:
                ofh.append([f"017{n:05d}{len(ofh)}", oid, "0058d000001", when, "CloseDate"])
                ofh[-1] += ["Date", old[2].isoformat(), close.isoformat(), "false"]
            if rng.random() < 0.3:  # a change history keeps but the reader does not
                ofh.append([f"017{n:05d}{len(ofh)}", oid, "0058d000001", when, "Owner"])
                ofh[-1] += ["EntityId", "0058d000001", "0058d000002", "false"]
                ofh.append([f"017{n:05d}{len(ofh)}", oid, "0058d000001", when, "Owner"])
                ofh[-1] += ["Text", "Ann Lee", "Bo Berg", "false"]
        closed = stage.startswith("Closed")
        if not closed and rng.random() < 0.4:  # lost later, history ends before it
            stage, at = "Closed Lost", at + timedelta(days=3)
            rows.append((at, stage, amount, close, "0"))
        for at_row, stage_row, amount_row, close_row, probability_row in rows:
            expected = amount_row * int(probability_row) / 100
            oh.append(
                [
                    f"0088d0000{len(oh):06d}",
                    oid,
                    "0058d000001",
                    sf_time(at_row),
                    stage_row,
                    f"{amount_row}.0",
                    f"{expected:.3f}",  # Salesforce's ExpectedRevenue: three decimals
                    close_row.isoformat(),
                    probability_row,
                    FORECAST[stage_row][0],
                    sf_time(at_row),
                    "false",
                ]
            )
        # The export's current row: a newer amount for some deals (edited after the history).
        current = amount + (5_000 if rng.random() < 0.2 else 0)
        opps.append(
            [
                oid,
                f"Deal {n} – {rng.choice(['Acme AB', 'Globex GmbH', 'Initech'])}",
                stage,
                f"{current}.00",
                rng.choice(["USD", "EUR", "SEK"]),
                close.isoformat(),
                rows[-1][4],
                FORECAST[stage][1],
                rng.choice(["", "Send the order form", "Call CFO"]),
                sf_time(created),
                sf_time(datetime(2025, 6, 2, 12, 0) + timedelta(minutes=n)),
                "0058d000001",
            ]
        )
    rng.shuffle(oh)  # exports are not in time order
    write(folder / "Opportunity.csv", OPP_HEADER, opps)
    write(folder / "OpportunityHistory.csv", OH_HEADER, oh)
    write(folder / "OpportunityFieldHistory.csv", OFH_HEADER, ofh)


def import_folder(db: str, folder: Path, *extra: str) -> str:
    result = runner.invoke(app, ["--db", db, "import", "salesforce", str(folder), *extra])
    assert result.exit_code == 0, result.output
    return result.output


def db_path(ws: Any) -> str:
    return str(ws.url.removeprefix("sqlite:///"))


def _history(path: Path) -> pd.DataFrame:
    oh = pd.read_csv(path / "OpportunityHistory.csv", dtype=str, keep_default_na=False)
    oh["at"] = pd.to_datetime(oh["CreatedDate"], format="%Y-%m-%dT%H:%M:%S.000+0000")
    return oh.sort_values("at", kind="stable")


def _expected_rows(folder: Path, column: str, parse: Any, current: str) -> dict[str, int]:
    """Per deal: the history rows of one field pandas counts: its first value, every row whose
    value differs from the deal's previous row, and the export's current value if it differs
    from the last one."""
    oh = _history(folder)
    opps = pd.read_csv(folder / "Opportunity.csv", dtype=str, keep_default_na=False)
    now = dict(zip(opps["Id"], opps[current].map(parse), strict=True))
    found = {}
    for oid, rows in oh.groupby("OpportunityId", sort=False):
        values = rows[column].map(parse).tolist()
        changes = sum(a != b for a, b in itertools.pairwise(values))
        found[f"sf:{oid}"] = 1 + changes + (values[-1] != now[oid])
    return found


def _cents(text: str) -> int:
    return round(float(text) * 100)


def _stage(text: str) -> str:
    return DEFAULT_STAGES[text]


def _rows_per_deal(ws: Any, field: str) -> dict[str, int]:
    from sqlalchemy import func, select

    h, o = t.history, t.opportunities
    with ws.engine.connect() as connection:
        query = (
            select(o.c.external_id, func.count())
            .join(h, (h.c.record_id == o.c.id) & (h.c.record_type == "opportunity"))
            .where(h.c.field == field)
            .group_by(o.c.external_id)
        )
        return {k: int(n) for k, n in connection.execute(query)}


def test_amount_close_date_and_stage_history_match_pandas(workspace, tmp_path):
    folder = tmp_path / "sf"
    export(folder)
    import_folder(db_path(workspace), folder)
    for field, column, parse, current in (
        ("amount_cents", "Amount", _cents, "Amount"),
        ("close_date", "CloseDate", str, "CloseDate"),
        ("stage", "StageName", _stage, "StageName"),
    ):
        assert _rows_per_deal(workspace, field) == _expected_rows(folder, column, parse, current)
    # The same export again changes nothing.
    before = _rows_per_deal(workspace, "amount_cents")
    import_folder(db_path(workspace), folder)
    assert _rows_per_deal(workspace, "amount_cents") == before


def test_pipeline_as_of_a_past_date_shows_the_amounts_of_then(workspace, tmp_path):
    folder = tmp_path / "sf"
    export(folder)
    import_folder(db_path(workspace), folder)
    result = runner.invoke(
        app, ["--db", db_path(workspace), "opp", "list", "--as-of", AS_OF, "--json"]
    )
    assert result.exit_code == 0, result.output
    got = {
        o["external_id"]: (round(o["amount"] * 100), o["close_date"])
        for o in json.loads(result.stdout)["opportunities"]
    }
    oh = _history(folder)
    then = oh[oh["at"] < pd.Timestamp(AS_OF) + pd.Timedelta(days=1)]  # a bare date: its end
    last = then.groupby("OpportunityId").tail(1)
    want = {f"sf:{r.OpportunityId}": (_cents(r.Amount), r.CloseDate) for r in last.itertuples()}
    assert got == want
    # Today the amounts are the export's (some were edited after their last history row).
    opps = pd.read_csv(folder / "Opportunity.csv", dtype=str, keep_default_na=False)
    now = {o.external_id: o.amount_cents for o in opportunities.list_opportunities(workspace, _a())}
    assert now == {f"sf:{r.Id}": _cents(r.Amount) for r in opps.itertuples()}


def _a() -> Any:
    from sqo.domain.actor import Actor

    return Actor("tester")


def test_opp_show_is_the_replay_of_its_history(workspace, tmp_path):
    folder = tmp_path / "sf"
    export(folder, 25)
    import_folder(db_path(workspace), folder)
    for opp in opportunities.list_opportunities(workspace, _a()):
        state = decode_state(
            replay(record_history(workspace, _a(), RecordType.OPPORTUNITY, opp.id)),
            RecordType.OPPORTUNITY,
        )
        result = runner.invoke(
            app, ["--db", db_path(workspace), "opp", "show", str(opp.id), "--json"]
        )
        assert result.exit_code == 0, result.output
        shown = json.loads(result.stdout)["opportunity"]
        for name in ("stage", "probability", "forecast_category", "next_step"):
            assert shown[name] == state[name], (opp.external_id, name)
        assert round(shown["amount"] * 100) == state["amount_cents"]
        assert shown["close_date"] == state["close_date"].isoformat()


def test_field_history_alone_gives_the_amount_changes(workspace, tmp_path):
    """Without OpportunityHistory, OpportunityFieldHistory's Amount rows are the history: the
    first row's OldValue is the amount the deal was created with."""
    folder = tmp_path / "sf"
    export(folder, 30, seed=8)
    (folder / "OpportunityHistory.csv").unlink()
    import_folder(db_path(workspace), folder)
    ofh = pd.read_csv(folder / "OpportunityFieldHistory.csv", dtype=str, keep_default_na=False)
    amounts = ofh[ofh["Field"] == "Amount"]
    opps = pd.read_csv(folder / "Opportunity.csv", dtype=str, keep_default_na=False)
    now = dict(zip(opps["Id"], opps["Amount"].map(_cents), strict=True))
    want = {f"sf:{oid}": 1 for oid in opps["Id"]}  # created with an amount
    for oid, rows in amounts.groupby("OpportunityId"):
        want[f"sf:{oid}"] += len(rows) + (_cents(rows["NewValue"].iloc[-1]) != now[oid])
    assert _rows_per_deal(workspace, "amount_cents") == want


# ---- closed deals without stage history ---------------------------------------------------


def won_and_lost(folder: Path, won: int = 12, lost: int = 9) -> None:
    """Won deals with their full OpportunityHistory; lost deals with none at all (the org
    turned history on after they closed)."""
    folder.mkdir(parents=True, exist_ok=True)
    opps, oh = [], []
    for n in range(won + lost):
        oid = f"0068d00001{n:05d}AAA"
        created = START + timedelta(days=n, hours=3)
        closed = created + timedelta(days=20 + n)
        is_won = n < won
        stage = "Closed Won" if is_won else "Closed Lost"
        opps.append(
            [
                *(oid, f"Deal {n}", stage, "10000.00", "EUR", closed.date().isoformat()),
                *("", "", "", sf_time(created), sf_time(closed), "0058d000001"),
            ]
        )
        if is_won:
            for i, (step, at) in enumerate(
                [
                    ("Qualification", created),
                    ("Needs Analysis", created + timedelta(days=5)),
                    ("Closed Won", closed),
                ]
            ):
                oh.append(
                    [
                        *(f"0088d1{n:05d}{i}", oid, "0058d000001", sf_time(at), step),
                        *("10000.0", "", closed.date().isoformat(), PROBABILITY[step]),
                        *(FORECAST[step][0], sf_time(at), "false"),
                    ]
                )
    write(folder / "Opportunity.csv", OPP_HEADER, opps)
    write(folder / "OpportunityHistory.csv", OH_HEADER, oh)


def _benchmark(db: str) -> dict[str, Any]:
    result = runner.invoke(app, ["--db", db, "benchmarks", "--json", "--as-of", "2026-01-01"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    overall = {m["metric"]: m for m in data["metrics"] if m["segment"] is None}
    return {"win": overall["sqo_win_rate"], "notes": data["notes"]}


def test_start_stage_sqo_counts_the_losses_in_the_win_rate(tmp_path):
    folder = tmp_path / "sf"
    won_and_lost(folder)
    opps = pd.read_csv(folder / "Opportunity.csv", dtype=str)
    won = int((opps["StageName"] == "Closed Won").sum())
    lost = int((opps["StageName"] == "Closed Lost").sum())

    db = str(tmp_path / "fixed.db")
    assert runner.invoke(app, ["--db", db, "init"]).exit_code == 0
    output = import_folder(db, folder, "--start-stage", "SQO")
    assert f"{lost} closed deal(s) had no stage history: assumed they started at SQO" in output
    win = _benchmark(db)["win"]
    assert win["value"] == pytest.approx(won / (won + lost))
    assert win["status"] is not None

    db = str(tmp_path / "plain.db")
    assert runner.invoke(app, ["--db", db, "init"]).exit_code == 0
    output = import_folder(db, folder)
    assert f"{lost} closed deal(s) had no stage history: assumed they started at Qualification" in (
        output
    )
    report = _benchmark(db)
    assert report["win"]["value"] is None and report["win"]["status"] is None
    assert "--start-stage SQO" in report["win"]["sentence"]
    assert any("--start-stage SQO" in note for note in report["notes"])
    funnel = runner.invoke(app, ["--db", db, "funnel", "--json", "--as-of", "2026-01-01"])
    data = json.loads(funnel.stdout)
    assert [r["rate"] for r in data["win_rates"]] == [None]
    assert data["win_rates"][0]["won"] == won
    assert any("win rate is withheld" in note for note in data["notes"])


def test_a_won_deal_with_only_a_won_date_is_not_won_in_zero_days(workspace, tmp_path):
    """One deal without history, one whose history holds only its win (a single
    OpportunityHistory row): each starts at its creation, so its cycle is creation to win."""
    folder = tmp_path / "sf"
    folder.mkdir()
    created, closed = datetime(2025, 2, 3, 9, 30), datetime(2025, 3, 17)
    won_at = datetime(2025, 3, 14, 16, 5, 12)
    write(
        folder / "Opportunity.csv",
        OPP_HEADER,
        [
            [
                *(f"0068d000020000{n}AAA", f"Renewal {n}", "Closed Won", "5000.00", "USD"),
                *("2025-03-17", "100", "Closed", "", sf_time(created), sf_time(closed), ""),
            ]
            for n in (1, 2)
        ],
    )
    write(
        folder / "OpportunityHistory.csv",
        OH_HEADER,
        [
            [
                *("0088d0000300001", "0068d0000200002AAA", "0058d000001", sf_time(won_at)),
                *("Closed Won", "5000.0", "5000.000", "2025-03-17", "100", "Closed"),
                *(sf_time(won_at), "false"),
            ]
        ],
    )
    output = import_folder(db_path(workspace), folder)
    assert "2 closed deal(s) had no stage history" in output
    moves = {}
    for opp in opportunities.list_opportunities(workspace, _a()):
        history = record_history(workspace, _a(), RecordType.OPPORTUNITY, opp.id)
        moves[opp.external_id] = [
            (c.old, c.new, c.changed_at) for c in history if c.field == "stage"
        ]
        assert opp.closed_at == (closed if opp.external_id.endswith("1AAA") else won_at)
    assert moves == {
        "sf:0068d0000200001AAA": [
            (None, "Qualification", created),
            ("Qualification", "Won", closed),
        ],
        "sf:0068d0000200002AAA": [
            (None, "Qualification", created),
            ("Qualification", "Won", won_at),
        ],
    }
    funnel = runner.invoke(
        app, ["--db", db_path(workspace), "funnel", "--json", "--as-of", "2026-01-01"]
    )
    (cycle,) = json.loads(funnel.stdout)["cycles"]
    days = sorted((end - created).total_seconds() / 86_400 for end in (closed, won_at))
    assert cycle["won"] == 2
    assert cycle["mean_days"] == pytest.approx(sum(days) / 2, rel=0.05)


@pytest.mark.parametrize(
    ("stage", "message"),
    [
        ("Won", "--start-stage Won is not an open opportunity stage; choose one of Qualification"),
        ("Nope", "Unknown --start-stage 'Nope'."),
    ],
)
def test_a_start_stage_that_is_not_an_open_stage_is_refused(workspace, tmp_path, stage, message):
    folder = tmp_path / "sf"
    won_and_lost(folder, 2, 2)
    result = runner.invoke(
        app,
        ["--db", db_path(workspace), "import", "salesforce", str(folder), "--start-stage", stage],
    )
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert opportunities.list_opportunities(workspace, _a()) == []


MAPPING = """\
source: crm
id: Deal ID
date_format: "%d.%m.%y"
currency: EUR
start_stage: SQO
fields:
  name: Deal
  stage: Stage
  amount: Amount
  created_at: Created
  close_date: Closed
values:
  stage: {Open: Qualification, Qualified: SQO, Won: Won, Lost: Lost}
stage_entered: {SQO: Qualified on, Won: Closed, Lost: Closed}
"""


def test_a_mapping_start_stage_starts_closed_deals_without_stage_dates_there(workspace, tmp_path):
    (tmp_path / "mapping.yaml").write_text(MAPPING, encoding="utf-8")
    rows = [
        ["D1", "Won, qualified", "Won", "12.500,50 €", "03.02.25", "17.03.25", "10.02.25"],
        ["D2", "Lost, no dates", "Lost", "4.000 €", "04.02.25", "21.03.25", ""],
        ["D3", "Open", "Open", "", "05.02.25", "", ""],
    ]
    with (tmp_path / "deals.csv").open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle, delimiter=";")  # a European spreadsheet's export
        out.writerow(["Deal ID", "Deal", "Stage", "Amount", "Created", "Closed", "Qualified on"])
        out.writerows(rows)
    mapping = str(tmp_path / "mapping.yaml")
    result = runner.invoke(
        app,
        [
            "--db",
            db_path(workspace),
            "import",
            "csv",
            str(tmp_path / "deals.csv"),
            "--mapping",
            mapping,
        ],
    )
    assert result.exit_code == 0, result.output
    assert "1 closed deal(s) had no stage history: assumed they started at SQO" in result.output
    moves = {}
    for opp in opportunities.list_opportunities(workspace, _a()):
        history = record_history(workspace, _a(), RecordType.OPPORTUNITY, opp.id)
        moves[opp.external_id] = [
            (c.new, c.changed_at.date().isoformat()) for c in history if c.field == "stage"
        ]
    assert moves == {
        "crm:D1": [("SQO", "2025-02-03"), ("Won", "2025-03-17")],  # its first dated stage
        "crm:D2": [("SQO", "2025-02-04"), ("Lost", "2025-03-21")],  # the start stage assumed
        "crm:D3": [("Qualification", "2025-02-05")],  # open: as it is
    }
