"""Account segments from a Salesforce folder, and `sqo funnel --by segment` on it, against a
pandas computation over the same CSVs. The CSVs are written as Data Loader writes them: every
value quoted, ISO datetimes with milliseconds, AnnualRevenue as a plain decimal or in E
notation, several currencies, accounts with and without a head count."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from sqo.cli.app import app
from sqo.store import tables as t
from tests.csv_files import write_export as write


def sqo(url: str, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, ["--db", url, *args], env={"COLUMNS": "160"})


def flat(text: str) -> str:
    return " ".join(text.split())


ACCOUNT_HEADER = [
    "Id",
    "Name",
    "Industry",
    "NumberOfEmployees",
    "AnnualRevenue",
    "BillingCountry",
    "CreatedDate",
    "Segment__c",
]
ACCOUNTS = [
    # head count decides (revenue, where given, is not looked at)
    [
        "0015g00000A1",
        "Acme AB",
        "Manufacturing",
        "1200",
        "",
        "Sweden",
        "2023-11-02T08:15:00.000Z",
        "Strategic",
    ],
    [
        "0015g00000A2",
        "Globex GmbH",
        "Energy",
        "99",
        "2.5E9",
        "Germany",
        "2023-12-11T13:40:00.000Z",
        "Corporate",
    ],
    [
        "0015g00000A3",
        "Initech",
        "Software",
        "100",
        "",
        "United States",
        "2024-01-03T10:00:00.000Z",
        "",
    ],
    [
        "0015g00000A4",
        "Umbrella",
        "Pharma",
        "999",
        "",
        "United Kingdom",
        "2024-01-03T10:00:00.000Z",
        "smb",
    ],
    # no head count: annual revenue decides
    [
        "0015g00000A5",
        "Stark Industries",
        "Defense",
        "",
        "1000000000.0",
        "United States",
        "2024-01-04T10:00:00.000Z",
        "",
    ],
    [
        "0015g00000A6",
        "Wayne Enterprises",
        "Conglomerate",
        "",
        "49999999.0",
        "United States",
        "2024-01-04T10:00:00.000Z",
        "Mid Market",
    ],
    ["0015g00000A7", "Soylent", "Food", "", "5.0E7", "France", "2024-01-05T10:00:00.000Z", ""],
    # neither: no segment
    ["0015g00000A8", "Hooli", "Software", "", "", "United States", "2024-01-05T10:00:00.000Z", ""],
]
OPP_HEADER = [
    "Id",
    "Name",
    "StageName",
    "Amount",
    "CurrencyIsoCode",
    "CloseDate",
    "CreatedDate",
    "AccountId",
]
# (id, account, stage, amount, currency); every deal passes SQO (Needs Analysis) in its history.
DEALS = [
    ("0061", "0015g00000A1", "Closed Won", "120000.00", "USD"),
    ("0062", "0015g00000A1", "Closed Lost", "80000.00", "EUR"),
    ("0063", "0015g00000A2", "Closed Won", "9000.50", "SEK"),
    ("0064", "0015g00000A3", "Closed Won", "30000.00", "USD"),
    ("0065", "0015g00000A3", "Closed Lost", "25000.00", "USD"),
    ("0066", "0015g00000A4", "Needs Analysis", "15000.00", "USD"),
    ("0067", "0015g00000A5", "Closed Won", "500000.00", "USD"),
    ("0068", "0015g00000A6", "Closed Lost", "4000.00", "EUR"),
    ("0069", "0015g00000A7", "Closed Won", "60000.00", "USD"),
    ("006A", "0015g00000A7", "Closed Lost", "61000.00", "USD"),
    ("006B", "0015g00000A8", "Closed Won", "7000.00", "USD"),
    ("006C", "", "Closed Lost", "1000.00", "USD"),
]


def folder_with_history(tmp_path: Path) -> Path:
    folder = tmp_path / "sf"
    folder.mkdir()
    write(folder / "Account.csv", ACCOUNT_HEADER, ACCOUNTS)
    opps, history = [], []
    for n, (oid, account, stage, amount, currency) in enumerate(DEALS):
        day = 2 + n
        opps.append(
            [
                oid,
                f"Deal {oid}",
                stage,
                amount,
                currency,
                "2024-04-30",
                f"2024-02-{day:02d}T09:00:00.000Z",
                account,
            ]
        )
        history.append([f"0081{n}", oid, "Prospecting", f"2024-02-{day:02d}T09:00:00.000Z"])
        history.append([f"0082{n}", oid, "Needs Analysis", f"2024-02-{day + 5:02d}T09:00:00.000Z"])
        if stage != "Needs Analysis":
            history.append([f"0083{n}", oid, stage, f"2024-03-{day:02d}T15:00:00.000Z"])
    write(folder / "Opportunity.csv", OPP_HEADER, opps)
    write(
        folder / "OpportunityHistory.csv",
        ["Id", "OpportunityId", "StageName", "CreatedDate"],
        history,
    )
    return folder


def expected_segment(row: pd.Series) -> str | None:
    """The documented default bands, written out by hand."""
    if not pd.isna(row.NumberOfEmployees):
        n = row.NumberOfEmployees
        return "SMB" if n < 100 else "mid-market" if n < 1000 else "enterprise"
    if not pd.isna(row.AnnualRevenue):
        r = row.AnnualRevenue
        return "SMB" if r < 50_000_000 else "mid-market" if r < 1_000_000_000 else "enterprise"
    return None


def test_segments_from_head_count_else_revenue_and_the_funnel_by_segment(workspace, tmp_path):
    folder = folder_with_history(tmp_path)
    result = sqo(workspace.url, "import", "salesforce", str(folder))
    assert result.exit_code == 0, result.output

    accounts = pd.read_csv(folder / "Account.csv", dtype={"Id": str})
    accounts["segment"] = accounts.apply(expected_segment, axis=1)
    with workspace.engine.connect() as connection:
        stored = dict(
            connection.execute(select(t.accounts.c.external_id, t.accounts.c.segment)).all()
        )
    assert stored == {
        f"sf:{i}": (None if pd.isna(s) else s)
        for i, s in zip(accounts.Id, accounts.segment, strict=True)
    }

    report = sqo(
        workspace.url,
        "funnel",
        "--by",
        "segment",
        "--from",
        "2024-01-01",
        "--to",
        "2024-12-31",
        "--json",
    )
    assert report.exit_code == 0, report.output
    figures = json.loads(report.stdout)

    opps = pd.read_csv(folder / "Opportunity.csv", dtype=str, keep_default_na=False)
    opps = opps.merge(accounts[["Id", "segment"]], how="left", left_on="AccountId", right_on="Id")
    opps["segment"] = opps["segment"].where(opps["segment"].notna(), None)
    expected = {}
    for segment, group in opps.groupby(opps["segment"].fillna("-")):
        won = int((group.StageName == "Closed Won").sum())
        lost = int((group.StageName == "Closed Lost").sum())
        expected[None if segment == "-" else segment] = (len(group), won, lost)
    shown = {w["segment"]: (w["sqos"], w["won"], w["lost"]) for w in figures["win_rates"]}
    assert shown == expected
    assert set(expected) == {"SMB", "mid-market", "enterprise", None}


def segments_stored(ws) -> dict[str, str | None]:  # type: ignore[no-untyped-def]
    with ws.engine.connect() as connection:
        return dict(
            connection.execute(select(t.accounts.c.external_id, t.accounts.c.segment)).all()
        )


def test_a_named_segment_field_with_a_value_map_then_the_bands(workspace, tmp_path):
    folder = folder_with_history(tmp_path)
    rules = tmp_path / "segments.yaml"
    rules.write_text(
        "values: {Strategic: enterprise, Corporate: mid-market}\n"
        "employees: [{below: 500, segment: SMB}, {segment: enterprise}]\n"
        "revenue: []\n",
        encoding="utf-8",
    )
    result = sqo(
        workspace.url,
        "import",
        "salesforce",
        str(folder),
        "--segment-field",
        "Segment__c",
        "--segments",
        str(rules),
    )
    assert result.exit_code == 0, result.output

    accounts = pd.read_csv(folder / "Account.csv", dtype=str, keep_default_na=False)
    labels = {
        "strategic": "enterprise",
        "corporate": "mid-market",
        "smb": "SMB",
        "mid market": "mid-market",
    }

    def by_hand(row: pd.Series) -> str | None:
        if row.Segment__c:
            return labels[row.Segment__c.casefold()]
        if row.NumberOfEmployees:
            return "SMB" if int(row.NumberOfEmployees) < 500 else "enterprise"
        return None  # revenue is turned off

    assert segments_stored(workspace) == {
        f"sf:{row.Id}": by_hand(row) for row in accounts.itertuples()
    }


def test_a_segment_label_nobody_mapped_is_refused_by_name(workspace, tmp_path):
    folder = tmp_path / "sf"
    folder.mkdir()
    rows = [ACCOUNTS[2], [*ACCOUNTS[0][:7], "Key Account"]]
    write(folder / "Account.csv", ACCOUNT_HEADER, rows)
    result = sqo(
        workspace.url, "import", "salesforce", str(folder), "--segment-field", "Segment__c"
    )
    assert result.exit_code == 8
    assert (
        "row 3: the segment 'Key Account' (Segment__c) is not SMB, mid-market or enterprise; "
        "map it under values in a segment file given with --segments." in flat(result.output)
    )
    assert segments_stored(workspace) == {}

    result = sqo(workspace.url, "import", "salesforce", str(folder), "--segment-field", "Tier__c")
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "Account.csv is missing the column(s) Tier__c" in flat(result.output)

    rules = tmp_path / "segments.yaml"
    rules.write_text("employees: [{segment: large}]\n", encoding="utf-8")
    result = sqo(workspace.url, "import", "salesforce", str(folder), "--segments", str(rules))
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert (
        f"The segment file {rules} is not valid: employees.0.segment: Value error, 'large' is "
        "not a segment; use SMB, mid-market or enterprise" in flat(result.output)
    )
    assert segments_stored(workspace) == {}


# ---- the mapped CSV import: a segment label column -----------------------------------------


@pytest.fixture
def label_files(tmp_path: Path) -> tuple[Path, Path]:
    deals = write(
        tmp_path / "deals.csv",
        ["deal_id", "stage", "amount", "account", "created"],
        [
            ["D1", "Won", "1200.50", "Acme", "2024-02-01"],
            ["D2", "Lost", "800.00", "Acme", "2024-02-02"],
            ["D3", "Won", "$ 99.00", "Globex", "2024-02-03"],
            ["D4", "SQO", "10.00", "Initech", "2024-02-04"],
            ["D5", "Won", "10.00", "Umbrella", "2024-02-05"],
            ["D6", "Lost", "10.00", "Umbrella", "2024-02-06"],
            ["D7", "Won", "10.00", "", "2024-02-07"],
        ],
    )
    write(
        tmp_path / "accounts.csv",
        ["account", "tier"],
        [["Acme", "Enterprise"], ["Globex", "Mid-market"], ["Initech", "smb"], ["Umbrella", "Key"]],
    )
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(
        "source: crm\n"
        "id: deal_id\n"
        "fields: {stage: stage, amount: amount, account: account, created_at: created}\n"
        "stage_entered: {SQO: created}\n"
        "companions:\n"
        "  - file: accounts.csv\n"
        "    entity: account\n"
        "    key: account\n"
        "    segment: {column: tier, values: {Key: enterprise}}\n",
        encoding="utf-8",
    )
    return deals, mapping


def test_the_mapped_csv_reads_a_segment_label_column(workspace, label_files):
    deals, mapping = label_files
    result = sqo(workspace.url, "import", "csv", str(deals), "--mapping", str(mapping))
    assert result.exit_code == 0, result.output
    accounts = pd.read_csv(deals.parent / "accounts.csv", dtype=str)
    by_hand = {
        "enterprise": "enterprise",
        "mid-market": "mid-market",
        "smb": "SMB",
        "key": "enterprise",
    }
    assert segments_stored(workspace) == {
        f"crm:account:{a}": by_hand[tier.casefold()]
        for a, tier in zip(accounts.account, accounts.tier, strict=True)
    }

    report = sqo(workspace.url, "funnel", "--by", "segment", "--from", "2024-01-01", "--json")
    assert report.exit_code == 0, report.output
    shown = {w["segment"]: (w["won"], w["lost"]) for w in json.loads(report.stdout)["win_rates"]}
    table = pd.read_csv(deals, dtype=str, keep_default_na=False).merge(
        accounts, how="left", on="account"
    )
    table["segment"] = table.tier.map(
        lambda x: by_hand[x.casefold()] if isinstance(x, str) else None
    )
    expected = {
        (None if pd.isna(s) else s): (int((g.stage == "Won").sum()), int((g.stage == "Lost").sum()))
        for s, g in table.groupby("segment", dropna=False)
    }
    assert shown == expected


def test_an_unknown_segment_label_in_a_companion_is_refused(workspace, label_files):
    deals, mapping = label_files
    mapping.write_text(mapping.read_text(encoding="utf-8").replace("{Key: enterprise}", "{}"))
    result = sqo(workspace.url, "import", "csv", str(deals), "--mapping", str(mapping))
    assert result.exit_code == 8
    assert (
        "row 5: the segment 'Key' (tier) is not SMB, mid-market or enterprise; map it under "
        "segment.values." in flat(result.output)
    )
    assert segments_stored(workspace) == {}
