"""A whole Salesforce org's folder, written the way real orgs export it (tests/salesforce_org.py),
imported with nothing but a stage map for its custom stages; every figure is checked against
pandas over the same CSV files, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import create_engine, func, select
from typer.testing import CliRunner

from sqo.cli.app import app
from sqo.store import tables as t
from tests.salesforce_org import (
    DATED_RATES,
    PAST,
    SQO_AND_LATER,
    STAGE_MAP,
    STATIC_RATES,
    write_org,
)

WORKSPACE_STAGE = {**STAGE_MAP, "Closed Won": "Won", "Closed Lost": "Lost"}
ORDER = ["Qualification", "SQO", "Solution", "Proposal", "Negotiation", "Commit", "Won", "Lost"]


def sqo(db: str, *args: str) -> str:
    result = CliRunner().invoke(app, ["--db", db, *args])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return result.stdout  # notes such as "Building the analytics copy" go to stderr


def read(folder: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False)


def cents(text: str) -> int:
    return int(Decimal(text).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN) * 100)


def rate(code: str, day: date) -> Decimal:
    """Units of ``code`` per euro on ``day``: the dated rate in force, else CurrencyType's."""
    for iso, value, start, next_start in DATED_RATES:
        if iso == code and start <= day < next_start:
            return Decimal(value)
    return Decimal(STATIC_RATES[code])


def in_euros(amount_cents: int, code: str, day: date) -> int:
    if code == "EUR":
        return amount_cents
    return int((Decimal(amount_cents) / rate(code, day)).quantize(Decimal(1), ROUND_HALF_UP))


@pytest.fixture(autouse=True)
def wide_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tables as a wide terminal shows them, so a row can be read whole. Through COLUMNS, which
    the console reads on each print: setting its width would fix it for every later test."""
    monkeypatch.setenv("COLUMNS", "200")


@pytest.fixture
def org(tmp_path: Path):
    return write_org(tmp_path / "acme")


@pytest.fixture
def imported(db_url: str, org) -> tuple[str, str]:
    sqo(db_url, "init")
    output = sqo(db_url, "import", "salesforce", str(org.folder), "--stages", str(org.stage_map))
    return db_url, output


@pytest.fixture
def frames(org) -> dict[str, pd.DataFrame]:
    opps = read(org.folder, "Opportunity")
    opps["stage"] = opps.StageName.map(WORKSPACE_STAGE)
    opps["cents"] = opps.Amount.map(cents)
    opps["close"] = pd.to_datetime(opps.CloseDate, format="%m/%d/%y").dt.date
    opps["created"] = pd.to_datetime(opps.CreatedDate, format="%m/%d/%y %I:%M %p")
    history = read(org.folder, "OpportunityHistory")
    history["at"] = pd.to_datetime(history.CreatedDate, format="%Y-%m-%dT%H:%M:%S.000+0000")
    return {"opps": opps, "history": history}


def test_the_org_imports_as_exported_and_its_figures_equal_pandas(imported, frames, org):
    db, output = imported
    opps, history = frames["opps"], frames["history"]
    pipeline = json.loads(sqo(db, "pipeline", "--json"))
    by_stage = {line["stage"]: line for line in pipeline["stages"]}
    assert pipeline["currency"] == "EUR" and pipeline["left_out"] == []

    # Deals by stage, and open / won / lost, as the export has them.
    expected_counts = opps.stage.value_counts().to_dict()
    assert {s: line["deals"] for s, line in by_stage.items() if line["deals"]} == expected_counts
    assert by_stage["Won"]["deals"] == (opps.StageName == "Closed Won").sum() == 20
    assert by_stage["Lost"]["deals"] == (opps.StageName == "Closed Lost").sum() == 20

    # Amounts in the corporate currency: closed at their close date's rate, open at today's.
    today = datetime.now(UTC).date()
    closed = opps.stage.isin(["Won", "Lost"])
    opps["eur"] = [
        in_euros(c, code, close if is_closed else today)
        for c, code, close, is_closed in zip(
            opps.cents, opps.CurrencyIsoCode, opps.close, closed, strict=True
        )
    ]
    assert opps.CurrencyIsoCode.nunique() == 4
    for stage in ORDER:
        expected = int(opps.loc[opps.stage == stage, "eur"].sum())
        assert round(by_stage[stage]["amount"] * 100) == expected, stage
    open_eur = int(opps.loc[~closed, "eur"].sum())
    open_stages = [s for s in ORDER if s not in ("Won", "Lost")]
    assert round(sum(by_stage[s]["amount"] for s in open_stages) * 100) == open_eur

    # History: every OpportunityHistory row read; the stage moves replay the export's paths.
    row = re.search(r"OpportunityHistory\.csv\s*│\s*(\d+)(?:\s*│\s*\d+){4}\s*│\s*(\d+)", output)
    assert row is not None, output
    assert int(row.group(1)) == int(row.group(2)) == len(history)
    expected_moves = 0
    for oid, deal in opps.set_index("Id").iterrows():
        rows = history[history.OpportunityId == oid].sort_values("at")
        path = [WORKSPACE_STAGE[s] for s in rows.StageName] or ["Qualification", deal.stage]
        expected_moves += sum(1 for i, s in enumerate(path) if i == 0 or s != path[i - 1])
    engine = create_engine(db if "://" in db else f"sqlite:///{db}")
    with engine.connect() as connection:
        stage_rows = connection.execute(
            select(func.count())
            .select_from(t.history)
            .where(t.history.c.record_type == "opportunity", t.history.c.field == "stage")
        ).scalar_one()
        members = connection.execute(
            select(
                func.count(t.campaign_members.c.lead_id),
                func.count(t.campaign_members.c.contact_id),
            )
        ).one()
        tasks = connection.execute(
            select(
                func.count(t.activities.c.lead_id),
                func.count(t.activities.c.contact_id),
                func.count(t.activities.c.opportunity_id),
            )
        ).one()
        contacts_with_account = connection.execute(
            select(func.count(t.contacts.c.account_id))
        ).scalar_one()
        reps = connection.execute(
            select(t.reps.c.external_id, t.reps.c.email).where(t.reps.c.external_id.like("sf:005%"))
        ).all()
        segments = dict(
            connection.execute(
                select(t.accounts.c.segment, func.count()).group_by(t.accounts.c.segment)
            ).all()
        )
    engine.dispose()
    assert stage_rows == expected_moves

    # Mixed rows keep every link: CampaignMember and Task name leads and contacts alike.
    member_csv = read(org.folder, "CampaignMember")
    assert tuple(members) == ((member_csv.LeadId != "").sum(), (member_csv.ContactId != "").sum())
    task_csv = read(org.folder, "Task")
    assert tuple(tasks) == (
        task_csv.WhoId.str.startswith("00Q").sum(),
        task_csv.WhoId.str.startswith("003").sum(),
        (task_csv.WhatId != "").sum(),
    )
    assert contacts_with_account == (read(org.folder, "Contact").AccountId != "").sum()
    # Users sharing one address stay apart, matched by their Salesforce id.
    users = read(org.folder, "User")
    assert sorted(reps) == sorted(zip("sf:" + users.Id, users.Email, strict=True))
    # Segments from head count (no segment field in the export).
    employees = read(org.folder, "Account").NumberOfEmployees.astype(int)
    bands = pd.cut(employees, [0, 100, 1000, 10**9], right=False, labels=["SMB", "m", "e"])
    expected_segments = bands.value_counts().to_dict()
    assert sum(segments.values()) == len(employees)
    assert segments.get("SMB", 0) == expected_segments["SMB"]
    assert sum(v for k, v in segments.items() if k != "SMB") == len(employees) - segments.get(
        "SMB", 0
    )

    # What the import changed or assumed is said.
    flat = " ".join(output.split())
    assert "NUL character(s) removed from text in Opportunity.csv" in flat
    assert "3 amount(s) had more than two decimals and were rounded to cents" in flat
    assert "20 closed deal(s) had no stage history" in flat

    # A second import of the same export changes nothing.
    again = sqo(db, "import", "salesforce", str(org.folder), "--stages", str(org.stage_map))
    assert json.loads(sqo(db, "pipeline", "--json")) == pipeline
    created = re.search(r"Opportunity\.csv\s*│\s*60\s*│\s*(\d+)\s*│\s*(\d+)\s*│\s*(\d+)", again)
    assert created is not None and created.groups() == ("0", "0", "60"), again


def test_amounts_as_of_a_past_date_are_those_of_then(imported, frames):
    db, _output = imported
    opps, history = frames["opps"], frames["history"]
    listed = json.loads(
        sqo(db, "opp", "list", "--as-of", PAST.isoformat(), "--json", "--limit", "1000")
    )["opportunities"]
    got = {o["external_id"]: round(o["amount"] * 100) for o in listed}
    expected = {}
    for oid, deal in opps.set_index("Id").iterrows():
        if deal.created > PAST:
            continue
        then = history[(history.OpportunityId == oid) & (history["at"] <= PAST)]
        amount = then.sort_values("at").Amount.iloc[-1] if len(then) else deal.Amount
        expected[f"sf:{oid}"] = cents(amount)
    assert got == expected
    # The check has teeth: some deals' amounts moved after then.
    today = {f"sf:{oid}": c for oid, c in zip(opps.Id, opps.cents, strict=True)}
    assert any(today[k] != v for k, v in expected.items())


def test_the_sqo_win_rate_counts_its_losses(db_url, org, frames):
    """Without history the lost deals reached nothing; the rate is withheld, never shown
    without them. Told where the deals started (--start-stage SQO), it counts them."""
    sqo(db_url, "init")
    sqo(db_url, "import", "salesforce", str(org.folder), "--stages", str(org.stage_map))
    report = json.loads(sqo(db_url, "benchmarks", "--json"))
    rate = next(m for m in report["metrics"] if m["metric"] == "sqo_win_rate" and not m["segment"])
    assert rate["value"] is None and "--start-stage" in rate["sentence"]


def test_with_a_start_stage_the_win_rate_equals_pandas(tmp_path, org, frames):
    db = str(tmp_path / "start-sqo.db")
    sqo(db, "init")
    sqo(
        db,
        "import",
        "salesforce",
        str(org.folder),
        "--stages",
        str(org.stage_map),
        "--start-stage",
        "SQO",
    )
    opps, history = frames["opps"], frames["history"]
    with_history = set(history.OpportunityId)
    reached = set(history.loc[history.StageName.isin(SQO_AND_LATER), "OpportunityId"])
    cohort = opps[opps.Id.isin(reached) | ~opps.Id.isin(with_history)]
    won = (cohort.stage == "Won").sum()
    lost = (cohort.stage == "Lost").sum()
    assert lost == 20  # every loss counts
    report = json.loads(sqo(db, "benchmarks", "--json"))
    rate = next(m for m in report["metrics"] if m["metric"] == "sqo_win_rate" and not m["segment"])
    assert rate["value"] == pytest.approx(won / (won + lost))
