"""Deals in several currencies through ``sqo import csv`` and ``sqo import hubspot``: refused
without rates (one sentence, nothing written), converted with a rates file or a mapping's
``rates:`` block. Expected sums are worked out with pandas from the same files."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from typer.testing import CliRunner

from sqo.cli.app import app
from sqo.domain.values import utc_now
from sqo.store import tables as t

MAPPING = """\
source: crm
id: Deal ID
currency: USD
fields:
  name: Deal
  stage: Stage
  amount: Amount
  currency: Currency
  close_date: Close
values:
  stage: {Open: Qualification, Qualified: SQO, Won: Won}
"""
DEALS = [
    ["Deal ID", "Deal", "Stage", "Amount", "Currency", "Close"],
    ["D1", "Acme", "Qualified", "10000", "EUR", "2027-01-10"],
    ["D2", "Björkman", "Won", "125000", "SEK", "2026-03-15"],
    ["D3", "Müller GmbH", "Won", "20000.50", "EUR", "2026-09-01"],
    ["D4", "Globex", "Open", "5000", "USD", "2027-02-01"],
    ["D5", "Initech", "Qualified", "33333", "SEK", "2026-05-20"],  # overdue, still open
]
RATES = [
    ["currency", "rate", "start_date"],
    ["EUR", "0.9300", "2025-01-01"],
    ["EUR", "0.9195", "2026-07-01"],
    ["SEK", "10.9000", "2025-01-01"],
    ["SEK", "10.5580", "2026-07-01"],
]


def write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def digest(ws) -> str:  # type: ignore[no-untyped-def]
    h = hashlib.sha256()
    with ws.engine.connect() as connection:
        for table in t.metadata.sorted_tables:
            for row in connection.execute(select(table).order_by(*table.primary_key.columns)):
                h.update(repr(tuple(row)).encode())
    return h.hexdigest()


def expected(deals: Path, rates: Path) -> dict[str, int]:
    """Open deals at today's rate, won deals at their close day's, in USD cents."""
    df = pd.read_csv(deals, dtype=str)
    df["cents"] = (df["Amount"].astype(float) * 100).round().astype("int64")
    won = df["Stage"] == "Won"
    df["day"] = pd.to_datetime(df["Close"]).where(won, pd.Timestamp(utc_now().date()))
    df["day"] = df["day"].astype("datetime64[ns]")
    r = pd.read_csv(rates, dtype=str)
    r["start"] = pd.to_datetime(r["start_date"]).astype("datetime64[ns]")
    r["rate"] = r["rate"].astype(float)
    df["order"] = range(len(df))
    merged = pd.merge_asof(
        df.sort_values("day"),
        r.sort_values("start"),
        left_on="day",
        right_on="start",
        left_by="Currency",
        right_by="currency",
    ).sort_values("order")
    rate = merged["rate"].where(merged["Currency"] != "USD", 1.0).to_numpy()
    usd = np.floor(merged["cents"].to_numpy() / rate + 0.5)
    is_won = (merged["Stage"] == "Won").to_numpy()
    return {"open": int(usd[~is_won].sum()), "won": int(usd[is_won].sum())}


def pipeline(url: str) -> dict[str, int]:
    result = CliRunner().invoke(app, ["--db", url, "pipeline", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["currency"] == "USD" and data["left_out"] == []
    sums = {"open": 0, "won": 0}
    for line in data["stages"]:
        if line["kind"] in ("opportunity", "won"):
            sums["open" if line["kind"] == "opportunity" else "won"] += round(line["amount"] * 100)
    return sums


def test_several_currencies_without_rates_are_refused(any_workspace, tmp_path):
    ws = any_workspace
    deals = write(tmp_path / "deals.csv", DEALS)
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    before = digest(ws)
    result = CliRunner().invoke(
        app, ["--db", ws.url, "import", "csv", str(deals), "--mapping", str(mapping)]
    )
    assert result.exit_code == 8, result.output  # an import refused
    assert (
        "deals.csv: the deals are in EUR, SEK, USD, but there is no exchange rate for EUR, SEK "
        "against the corporate currency USD: give the rates with --rates rates.csv"
    ) in " ".join(result.output.split())
    assert digest(ws) == before


def test_a_rates_file_converts_each_deal_at_its_rate(any_workspace, tmp_path):
    ws = any_workspace
    deals = write(tmp_path / "deals.csv", DEALS)
    rates = write(tmp_path / "rates.csv", RATES)
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    args = ["--db", ws.url, "import", "csv", str(deals), "--mapping", str(mapping)]
    result = CliRunner().invoke(app, [*args, "--rates", str(rates)])
    assert result.exit_code == 0, result.output
    with ws.engine.connect() as connection:
        stored = connection.execute(
            select(
                t.exchange_rates.c.currency,
                t.exchange_rates.c.rate,
                t.exchange_rates.c.valid_from,
                t.exchange_rates.c.valid_until,
            ).order_by(t.exchange_rates.c.currency, t.exchange_rates.c.valid_from)
        ).all()
    assert [(c, r, str(f), str(u)) for c, r, f, u in stored] == [
        ("EUR", "0.9300", "2025-01-01", "2026-07-01"),
        ("EUR", "0.9195", "2026-07-01", "None"),
        ("SEK", "10.9000", "2025-01-01", "2026-07-01"),
        ("SEK", "10.5580", "2026-07-01", "None"),
    ]
    assert pipeline(ws.url) == expected(deals, rates)


def test_a_mapping_rates_block_does_the_same(any_workspace, tmp_path):
    ws = any_workspace
    deals = write(tmp_path / "deals.csv", DEALS)
    rates = write(tmp_path / "rates.csv", RATES)
    block = "rates:\n" + "".join(
        f"  - {{currency: {c}, rate: '{r}', start_date: {d}}}\n" for c, r, d in RATES[1:]
    )
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(MAPPING + block, encoding="utf-8")
    result = CliRunner().invoke(
        app, ["--db", ws.url, "import", "csv", str(deals), "--mapping", str(mapping)]
    )
    assert result.exit_code == 0, result.output
    assert pipeline(ws.url) == expected(deals, rates)


def test_hubspot_deals_in_two_currencies_need_a_rate(any_workspace, tmp_path):
    ws = any_workspace
    header = ["Record ID", "Deal Name", "Deal Stage", "Amount", "Currency", "Close Date"]
    export = write(
        tmp_path / "hubspot-crm-exports-all-deals-2026-11-30.csv",
        [
            header,
            ["9001", "Acme", "Qualified To Buy", "12000", "USD", "2027-01-31"],
            ["9002", "Volvo", "Contract Sent", "250000", "SEK", "2027-02-28"],
        ],
    )
    args = ["--db", ws.url, "import", "hubspot", str(export)]
    refused = CliRunner().invoke(app, args)
    assert refused.exit_code == 8, refused.output
    assert "no exchange rate for SEK against the corporate currency USD" in " ".join(
        refused.output.split()
    )
    with ws.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(t.opportunities)).scalar() == 0
    rates = write(tmp_path / "rates.csv", [["currency", "rate"], ["SEK", "10.5580"]])
    result = CliRunner().invoke(app, [*args, "--rates", str(rates)])
    assert result.exit_code == 0, result.output
    open_cents = pipeline(ws.url)["open"]
    assert open_cents == 1_200_000 + int(np.floor(25_000_000 / 10.5580 + 0.5))
