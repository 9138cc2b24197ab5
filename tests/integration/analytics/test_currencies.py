"""A multi-currency Salesforce org (EUR corporate; USD, GBP and SEK deals; two dated rate
periods): every sum in the reports is in euros, each deal converted by the rate Salesforce would
use. The expected figures are worked out here with pandas from the same CSV files."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from sqo.cli.app import app
from sqo.domain.values import utc_now
from sqo.store import tables as t

CURRENCY_TYPE = [
    ["Id", "IsoCode", "ConversionRate", "DecimalPlaces", "IsActive", "IsCorporate"],
    ["01L5g000001AbcEAA", "EUR", "1.000000", "2", "true", "true"],
    ["01L5g000001AbcFAA", "USD", "1.087500", "2", "true", "false"],
    ["01L5g000001AbcGAA", "GBP", "0.853100", "2", "true", "false"],
    ["01L5g000001AbcHAA", "SEK", "11.482000", "2", "true", "false"],
]
# Salesforce opens the first period in year 1 and closes the last in 9999.
DATED = [
    ["Id", "IsoCode", "ConversionRate", "StartDate", "NextStartDate"],
    ["04w5g0000001aaaAAA", "EUR", "1.000000", "0001-01-01", "9999-12-31"],
    ["04w5g0000001aabAAA", "USD", "1.050000", "0001-01-01", "2026-07-01"],
    ["04w5g0000001aacAAA", "USD", "1.087500", "2026-07-01", "9999-12-31"],
    ["04w5g0000001aadAAA", "GBP", "0.870000", "0001-01-01", "2026-07-01"],
    ["04w5g0000001aaeAAA", "GBP", "0.853100", "2026-07-01", "9999-12-31"],
    ["04w5g0000001aafAAA", "SEK", "11.200000", "0001-01-01", "2026-07-01"],
    ["04w5g0000001aagAAA", "SEK", "11.482000", "2026-07-01", "9999-12-31"],
]
OPP_HEADER = [
    "Id",
    "Name",
    "StageName",
    "Amount",
    "CurrencyIsoCode",
    "CloseDate",
    "CreatedDate",
    "OwnerId",
]
OPPS = [
    ["0065g01", "Acme – 50 seats", "Needs Analysis", "120000", "USD", "2027-02-15", "2026-03-02"],
    ["0065g02", "Björkman AB", "Value Proposition", "450000", "SEK", "2027-01-31", "2026-04-10"],
    [
        "0065g03",
        "Globex renewal",
        "Proposal/Price Quote",
        "38500.5",
        "GBP",
        "2027-03-31",
        "2026-05-05",
    ],
    ["0065g04", "Initech", "Negotiation/Review", "72000", "EUR", "2026-12-20", "2026-02-01"],
    ["0065g05", "Umbrella pilot", "Prospecting", "15000", "USD", "2027-01-15", "2026-08-01"],
    ["0065g06", "Soylent", "Needs Analysis", "98000", "GBP", "2027-05-31", "2026-09-15"],
    # Overdue: still open after its close day, so valued at today's rate, not that day's.
    ["0065g12", "Tyrell", "Proposal/Price Quote", "42000", "USD", "2026-05-29", "2026-01-20"],
    ["0065g07", "Hooli", "Closed Won", "64000", "USD", "2026-03-10", "2026-01-05"],
    ["0065g08", "Stark Industrier", "Closed Won", "1250000", "SEK", "2026-06-15", "2026-02-20"],
    ["0065g09", "Wayne Ltd", "Closed Won", "27500", "GBP", "2026-09-10", "2026-04-01"],
    ["0065g10", "Wonka GmbH", "Closed Won", "50000", "EUR", "2026-10-05", "2026-05-01"],
    ["0065g11", "Cyberdyne", "Closed Lost", "33000", "USD", "2026-08-20", "2026-03-15"],
]
OPEN_STAGES = {"Needs Analysis", "Value Proposition", "Proposal/Price Quote", "Negotiation/Review"}
START, END = date(2026, 6, 1), date(2026, 11, 30)  # the waterfall's two days, coverage's as-of
WINDOW = (date(2026, 1, 1), date(2027, 12, 31))
PERIOD = (date(2026, 1, 1), date(2027, 6, 30))


def write(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)


def history(opps: list[list[str]]) -> list[list[str]]:
    """Each deal entered its first stage when created, and its closed stage on its close day."""
    rows = [["Id", "OpportunityId", "StageName", "Amount", "CreatedDate"]]
    for n, (oid, _name, stage, amount, _cur, close, created) in enumerate(opps):
        first = "Needs Analysis" if stage.startswith("Closed") else stage
        rows.append([f"0085g{n:03}a", oid, first, amount, f"{created}T09:00:00.000Z"])
        if stage.startswith("Closed"):
            rows.append([f"0085g{n:03}b", oid, stage, amount, f"{close}T15:00:00.000Z"])
    return rows


@pytest.fixture
def org(tmp_path: Path) -> Path:
    folder = tmp_path / "salesforce-export"
    folder.mkdir()
    write(folder / "CurrencyType.csv", CURRENCY_TYPE)
    write(folder / "DatedConversionRate.csv", DATED)
    write(folder / "Opportunity.csv", [OPP_HEADER, *[[*o, "0055g01"] for o in OPPS]])
    write(folder / "OpportunityHistory.csv", history(OPPS))
    return folder


# ---- the expected figures, from the CSV files with pandas --------------------------------------
def deals(folder: Path) -> pd.DataFrame:
    df = pd.read_csv(folder / "Opportunity.csv", dtype=str)
    df["cents"] = (df["Amount"].astype(float) * 100).round().astype("int64")
    df["close"] = pd.to_datetime(df["CloseDate"])
    df["created"] = pd.to_datetime(df["CreatedDate"])
    return df


def valued(df: pd.DataFrame, folder: Path, day: pd.Series) -> pd.Series:
    """Each deal's cents in EUR at the dated rate in force on ``day`` (half up to the cent)."""
    rates = pd.read_csv(folder / "DatedConversionRate.csv", dtype=str)
    rates["start"] = pd.to_datetime(rates["StartDate"].replace("0001-01-01", "1900-01-01")).astype(
        "datetime64[ns]"
    )
    rates["rate"] = rates["ConversionRate"].astype(float)
    left = df.assign(day=pd.to_datetime(day).astype("datetime64[ns]"), order=range(len(df)))
    merged = pd.merge_asof(
        left.sort_values("day"),
        rates[["IsoCode", "start", "rate"]].sort_values("start"),
        left_on="day",
        right_on="start",
        left_by="CurrencyIsoCode",
        right_by="IsoCode",
    ).sort_values("order")
    return pd.Series(np.floor(merged["cents"].to_numpy() / merged["rate"].to_numpy() + 0.5))


def at(day: date, n: int) -> pd.Series:
    return pd.Series([pd.Timestamp(day)] * n)


def expected_pipeline(folder: Path, today: date) -> dict[str, int]:
    df = deals(folder)
    closed = df["StageName"].str.startswith("Closed")
    day = df["close"].where(closed, pd.Timestamp(today))
    eur = valued(df, folder, day)
    return {
        "open": int(eur[~closed.to_numpy()].sum()),
        "won": int(eur[(df["StageName"] == "Closed Won").to_numpy()].sum()),
        "lost": int(eur[(df["StageName"] == "Closed Lost").to_numpy()].sum()),
    }


def expected_coverage(folder: Path) -> dict[str, int]:
    df = deals(folder)
    lo, hi = (pd.Timestamp(d) for d in PERIOD)
    # An open SQO whose close date has passed by the as-of day is overdue, not closing.
    first = max(lo, pd.Timestamp(END).normalize())
    is_open = df["StageName"].isin(OPEN_STAGES) & df["close"].between(first, hi)
    is_won = (df["StageName"] == "Closed Won") & df["close"].between(lo, hi)
    now = valued(df, folder, at(END, len(df)))
    closing = valued(df, folder, df["close"])
    return {
        "open": int(now[is_open.to_numpy()].sum()),
        "won": int(closing[is_won.to_numpy()].sum()),
    }


def expected_waterfall(folder: Path) -> dict[str, int]:
    df = deals(folder)
    start, end = pd.Timestamp(START), pd.Timestamp(END)
    lo, hi = (pd.Timestamp(d) for d in WINDOW)
    in_window = df["close"].between(lo, hi)
    closed = df["StageName"].str.startswith("Closed")
    # At the start every deal created before it was in an SQO stage unless already closed.
    was_in = (df["created"] < start) & (~closed | (df["close"] >= start)) & in_window
    was_in &= ~((df["StageName"] == "Prospecting").to_numpy())
    is_in = df["StageName"].isin(OPEN_STAGES) & in_window
    then = valued(df, folder, at(START, len(df)))
    now = valued(df, folder, df["close"].where(closed, end))
    won = was_in & (df["StageName"] == "Closed Won")
    return {
        "start": int(then[was_in.to_numpy()].sum()),
        "end": int(now[is_in.to_numpy()].sum()),
        "won": -int(now[won.to_numpy()].sum()),
    }


# ---- the reports ---------------------------------------------------------------------------------
def sqo(url: str, *args: str) -> dict:  # type: ignore[type-arg]
    result = CliRunner().invoke(app, ["--db", url, *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def cents(value: float) -> int:
    return round(value * 100)


def test_sums_are_in_the_corporate_currency_at_salesforces_rates(any_workspace, org):
    ws = any_workspace
    imported = CliRunner().invoke(app, ["--db", ws.url, "import", "salesforce", str(org)])
    assert imported.exit_code == 0, imported.output
    with ws.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(t.exchange_rates)).scalar() == 11
        setting = connection.execute(
            select(t.settings.c.value).where(t.settings.c.key == "default_currency")
        ).scalar()
    assert setting == "EUR"  # CurrencyType's IsCorporate row

    pipeline = sqo(ws.url, "pipeline", "--json")
    want = expected_pipeline(org, utc_now().date())
    lines = {x["kind"]: [] for x in pipeline["stages"]}
    for x in pipeline["stages"]:
        lines[x["kind"]].append(cents(x["amount"]))
    assert pipeline["currency"] == "EUR" and pipeline["left_out"] == []
    assert sum(lines["opportunity"]) == want["open"]
    assert sum(lines["won"]) == want["won"] and sum(lines["lost"]) == want["lost"]

    coverage = sqo(
        ws.url,
        "coverage",
        "--from",
        PERIOD[0].isoformat(),
        "--to",
        PERIOD[1].isoformat(),
        "--as-of",
        END.isoformat(),
        "--json",
    )
    company = coverage["lines"][-1]
    want = expected_coverage(org)
    assert coverage["currency"] == "EUR"
    assert (cents(company["open_sqo"]), cents(company["won"])) == (want["open"], want["won"])

    change = sqo(
        ws.url,
        "pipeline-change",
        "--from",
        START.isoformat(),
        "--to",
        END.isoformat(),
        "--close-from",
        WINDOW[0].isoformat(),
        "--close-to",
        WINDOW[1].isoformat(),
        "--json",
    )
    bars = {b["name"]: cents(b["amount"]) for b in change["bars"]}
    want = expected_waterfall(org)
    assert change["currency"] == "EUR" and change["reconciles"] is True
    # plain() turns start_cents/end_cents into "start"/"end" in major units.
    assert (cents(change["start"]), cents(change["end"])) == (want["start"], want["end"])
    assert bars["won"] == want["won"]

    text = CliRunner().invoke(app, ["--db", ws.url, "pipeline"])
    assert text.exit_code == 0 and "€" in text.output and "$" not in text.output


def test_a_currency_without_a_rate_is_reported_not_summed(any_workspace, org):
    ws = any_workspace
    extra = ["0065g99", "Nordlys AS", "Value Proposition", "250000", "NOK", "2027-02-28"]
    write(
        org / "Opportunity.csv",
        [OPP_HEADER, *[[*o, "0055g01"] for o in OPPS], [*extra, "2026-10-01", "0055g01"]],
    )
    imported = CliRunner().invoke(app, ["--db", ws.url, "import", "salesforce", str(org)])
    assert imported.exit_code == 0, imported.output
    pipeline = sqo(ws.url, "pipeline", "--json")
    open_cents = sum(cents(x["amount"]) for x in pipeline["stages"] if x["kind"] == "opportunity")
    assert open_cents == expected_pipeline_without(org, "NOK")
    assert pipeline["left_out"] == [{"currency": "NOK", "deals": 1}]
    deals_counted = sum(x["deals"] for x in pipeline["stages"] if x["kind"] == "opportunity")
    assert deals_counted == 8  # the NOK deal still counts as a deal, only its amount is out
    text = CliRunner().invoke(app, ["--db", ws.url, "pipeline"])
    assert "Amounts leave out 1 deal(s) in NOK: there is no exchange rate for NOK." in text.output
    coverage = sqo(ws.url, "coverage", "--from", "2026-01-01", "--to", "2027-06-30", "--json")
    assert coverage["left_out"] == [{"currency": "NOK", "deals": 1}]
    # Benchmarks' coverage is for the quarter of --as-of, which holds the NOK deal's close date.
    notes = sqo(ws.url, "benchmarks", "--as-of", "2027-01-15", "--json")["notes"]
    assert any(n.startswith("Amounts leave out 1 deal(s) in NOK") for n in notes)
    window = ["--close-from", "2026-01-01", "--close-to", "2027-12-31"]
    change = sqo(
        ws.url, "pipeline-change", "--from", "2026-06-01", "--to", "2026-11-30", *window, "--json"
    )
    assert change["left_out"] == [{"currency": "NOK", "deals": 1}]
    assert change["reconciles"] is True


def expected_pipeline_without(folder: Path, currency: str) -> int:
    df = deals(folder)
    df = df[df["CurrencyIsoCode"] != currency].reset_index(drop=True)
    closed = df["StageName"].str.startswith("Closed")
    eur = valued(df, folder, df["close"].where(closed, pd.Timestamp(utc_now().date())))
    return int(eur[~closed.to_numpy()].sum())


def test_a_corporate_currency_conflicting_with_the_workspace_is_refused(any_workspace, org):
    ws = any_workspace
    only_opps = org.parent / "usd-only"
    only_opps.mkdir()
    write(only_opps / "Opportunity.csv", [OPP_HEADER, [*OPPS[0], "0055g01"]])
    first = CliRunner().invoke(app, ["--db", ws.url, "import", "salesforce", str(only_opps)])
    assert first.exit_code == 0, first.output
    result = CliRunner().invoke(app, ["--db", ws.url, "import", "salesforce", str(org)])
    assert result.exit_code != 0
    assert (
        "CurrencyType.csv: The export's corporate currency is EUR, but this workspace already "
        "holds deals, quotas or rates in its corporate currency USD; import it into a new "
        "workspace (sqo init --currency EUR)." in " ".join(result.output.split())
    )
    with ws.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(t.exchange_rates)).scalar() == 0
        assert connection.execute(select(func.count()).select_from(t.opportunities)).scalar() == 1


def test_single_currency_figures_do_not_depend_on_rates(any_workspace, org):
    """The corporate currency is taken as it is: rates never touch its amounts."""
    ws = any_workspace
    eur = [o for o in OPPS if o[4] == "EUR"]
    write(org / "Opportunity.csv", [OPP_HEADER, *[[*o, "0055g01"] for o in eur]])
    write(org / "OpportunityHistory.csv", history(eur))
    imported = CliRunner().invoke(app, ["--db", ws.url, "import", "salesforce", str(org)])
    assert imported.exit_code == 0, imported.output
    pipeline = sqo(ws.url, "pipeline", "--json")
    by_kind = {x["stage"]: cents(x["amount"]) for x in pipeline["stages"] if x["deals"]}
    assert by_kind == {"Negotiation": 7_200_000, "Won": 5_000_000}
