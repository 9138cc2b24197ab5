"""Lead files through ``sqo import csv`` (``record: lead``) and deals joined to their leads
(``fields.lead``): the funnel by lead source equals a pandas computation over the same CSVs, a
deal converts its lead as ``sqo lead convert`` does, and bad input is refused whole."""

from __future__ import annotations

import csv
import json
import math
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from sqo.cli.app import app
from sqo.store import tables as t
from tests.integration.io.marketing_funnel import DEAL_COLUMNS, LEAD_COLUMNS, write_funnel
from tests.integration.io.test_mapped_csv_bad_input import digest

EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples" / "marketing-funnel"
LEADS_MAPPING = EXAMPLES / "leads.yaml"
DEALS_MAPPING = EXAMPLES / "deals.yaml"

# What the example mappings say, restated: each status's stage, and the funnel's milestones.
STATUS = {
    "Marketing Qualified": "MQL",
    "Sales Accepted": "SAL",
    "Sales Qualified": "SQL",
    "Converted": "SQL",
    "Disqualified": "Disqualified",
}
MILESTONES = ["Lead", "MQL", "SAL", "SQL", "SQO", "Won"]
DROPPED = {"Lost", "Disqualified"}


def sqo(url: str, *args: str) -> Any:
    return CliRunner().invoke(app, ["--db", url, *args])


def import_csv(url: str, path: Path, mapping: Path, *args: str) -> Any:
    return sqo(url, "import", "csv", str(path), "--mapping", str(mapping), *args)


# -- The expected funnel, from the CSVs alone -----------------------------------------------


def funnel_records(leads_csv: Path, deals_csv: Path) -> pd.DataFrame:
    """One row per funnel record (a lead, with the deal made of it): the time each milestone
    was first reached (a later stage passes the earlier ones), first contact, current stage
    and lead source."""
    read = {"dtype": str, "keep_default_na": False, "encoding": "utf-8-sig"}
    leads = pd.read_csv(leads_csv, **read)
    deals = pd.read_csv(deals_csv, **read)
    when = {c: pd.to_datetime(leads[c].replace("", None)) for c in ("Create Date", "MQL Date")}
    when |= {c: pd.to_datetime(leads[c].replace("", None)) for c in ("SAL Date", "SQL Date")}
    events = pd.concat(
        [
            pd.DataFrame({"lead": leads["Lead ID"], "at": when["Create Date"], "level": 0}),
            pd.DataFrame({"lead": leads["Lead ID"], "at": when["MQL Date"], "level": 1}),
            pd.DataFrame({"lead": leads["Lead ID"], "at": when["SAL Date"], "level": 2}),
            pd.DataFrame({"lead": leads["Lead ID"], "at": when["SQL Date"], "level": 3}),
            pd.DataFrame(
                {"lead": deals["Lead ID"], "at": pd.to_datetime(deals["Create Date"]), "level": 4}
            ),
            pd.DataFrame(
                {
                    "lead": deals["Lead ID"],
                    "at": pd.to_datetime(deals["Close Date"]),
                    "level": [5 if s == "Closed Won" else None for s in deals["Deal Stage"]],
                }
            ),
        ]
    ).dropna(subset=["at"])
    records = leads.set_index("Lead ID")[["Lead Source", "Lead Status"]]
    records = records.assign(
        source=records["Lead Source"].replace("", None),
        current=records["Lead Status"].map(STATUS),
        first_at=when["Create Date"].set_axis(leads["Lead ID"]),
    )
    closed = deals.set_index("Lead ID")["Deal Stage"].map(
        {"Closed Won": "Won", "Closed Lost": "Lost"}
    )
    records.loc[closed.index, "current"] = closed
    for i, name in enumerate(MILESTONES):
        reached = events[events["level"] >= i].groupby("lead")["at"].min()
        records[name] = reached.reindex(records.index)
    return records


def _quantiles(days: pd.Series) -> tuple[float | None, float | None]:
    if days.empty:
        return None, None
    return float(days.quantile(0.5)), float(days.quantile(0.9))


def _by_source(records: pd.DataFrame) -> list[tuple[str | None, pd.DataFrame]]:
    groups = [(None if pd.isna(s) else s, g) for s, g in records.groupby("source", dropna=False)]
    return sorted(groups, key=lambda item: (item[0] is None, str(item[0])))


def expected_funnel(records: pd.DataFrame) -> dict[str, list[dict[str, Any]]]:
    last = len(MILESTONES) - 1
    pairs = [(i, i + 1) for i in range(last)] + [(i, last) for i in range(last - 1)]
    conversions = []
    for a, b in pairs:
        for source, group in _by_source(records[records[MILESTONES[a]].notna()]):
            reached = group[MILESTONES[b]].notna()
            out = (~reached & group["current"].isin(DROPPED)).sum()
            days = (group[MILESTONES[b]] - group[MILESTONES[a]])[reached].dt.total_seconds()
            median, p90 = _quantiles(days / 86400)
            conversions.append(
                {
                    "from": MILESTONES[a],
                    "to": MILESTONES[b],
                    "source": source,
                    "entered": len(group),
                    "converted": int(reached.sum()),
                    "open": int(len(group) - reached.sum() - out),
                    "dropped": int(out),
                    "rate": reached.sum() / len(group),
                    "median_days": median,
                    "p90_days": p90,
                }
            )
    win_rates = []
    for source, group in _by_source(records[records["SQO"].notna()]):
        won, lost = int((group["current"] == "Won").sum()), int((group["current"] == "Lost").sum())
        win_rates.append(
            {
                "source": source,
                "sqos": len(group),
                "won": won,
                "lost": lost,
                "open": len(group) - won - lost,
                "rate": won / (won + lost) if won + lost else None,
            }
        )
    cycles = []
    for source, group in _by_source(records[records["current"] == "Won"]):
        days = (group["Won"] - group["first_at"]).dt.total_seconds() / 86400
        median, p90 = _quantiles(days)
        cycles.append(
            {
                "source": source,
                "won": len(group),
                "mean_days": float(days.mean()),
                "median_days": median,
                "p90_days": p90,
            }
        )
    return {"conversions": conversions, "win_rates": win_rates, "cycles": cycles}


def same(actual: Any, expected: Any) -> bool:
    """Equal, with floats equal to a microsecond of a day (engines count days differently)."""
    if isinstance(expected, float) and isinstance(actual, int | float):
        return math.isclose(actual, expected, rel_tol=1e-9, abs_tol=1e-6)
    if isinstance(expected, dict):
        return (
            isinstance(actual, dict)
            and actual.keys() == expected.keys()
            and all(same(actual[k], v) for k, v in expected.items())
        )
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(actual) == len(expected)
            and all(same(a, e) for a, e in zip(actual, expected, strict=True))
        )
    return bool(actual == expected)


@pytest.fixture(params=["copy", "database"])
def analytics_reads(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """On the analytics copy (the default) and on the workspace database itself."""
    monkeypatch.setenv("SQO_ANALYTICS_COPY", "required" if request.param == "copy" else "off")
    return str(request.param)


def test_funnel_by_lead_source_matches_pandas(any_workspace, analytics_reads, tmp_path):
    leads_csv, deals_csv = write_funnel(tmp_path)
    url = any_workspace.url
    assert import_csv(url, leads_csv, LEADS_MAPPING).exit_code == 0
    # A look at the funnel between the two files: the copy must then catch up with conversions.
    assert sqo(url, "funnel", "--json").exit_code == 0
    result = import_csv(url, deals_csv, DEALS_MAPPING)
    assert result.exit_code == 0, result.output

    result = sqo(url, "funnel", "--by", "source", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    expected = expected_funnel(funnel_records(leads_csv, deals_csv))
    # Each rate also under the name of what it is (issue 11).
    for row in expected["conversions"]:
        row |= {"conversion_rate": row["rate"], "rate_basis": "entered"}
    for row in expected["win_rates"]:
        row |= {"sqo_win_rate": row["rate"], "rate_basis": "closed"}
    for part in ("conversions", "win_rates", "cycles"):
        assert same(report[part], expected[part]), (part, report[part], expected[part])
    # The fixture has what a real funnel has: leads that never reach SQL, won and lost deals.
    assert any(row["open"] and row["dropped"] for row in report["conversions"])
    assert {row["source"] for row in report["win_rates"]} >= {"Webinar", "Referral", None}

    deals = pd.read_csv(deals_csv, dtype=str, encoding="utf-8-sig")
    won_cents = sum(
        int(a.replace(".", ""))
        for a, s in zip(deals.Amount, deals["Deal Stage"], strict=True)
        if s == "Closed Won"
    )
    o = t.opportunities
    with any_workspace.engine.connect() as connection:
        assert (
            connection.execute(
                select(func.sum(o.c.amount_cents)).where(o.c.stage == "Won")
            ).scalar()
            == won_cents
        )


# -- A deal converts its lead -----------------------------------------------------------------

LEADS = [
    {
        "Lead ID": "1001",
        "First Name": "Åsa",
        "Last Name": "Öberg",
        "Company": "Umbrella, Inc.",
        "Lead Source": "Webinar",
        "Lead Status": "Converted",
        "Lead Owner": "Maria Lopez",
        "Create Date": "2025-03-03 09:15:02",
        "MQL Date": "2025-03-04 10:00:00",
        "SAL Date": "2025-03-05 11:30:45",
        "SQL Date": "2025-03-10 16:20:05",
    },
    {
        "Lead ID": "1002",
        "First Name": "Bo",
        "Last Name": "Berg",
        "Company": "Globex",
        "Lead Source": "Event",
        "Lead Status": "Disqualified",
        "Lead Owner": "Kenji Sato",
        "Create Date": "2025-03-04 08:00:00",
        "MQL Date": "2025-03-04 08:00:00",
        "Disqualified Date": "2025-03-20 12:00:00",
        "Disqualification Reason": "Student",
    },
]
DEAL = {
    "Deal ID": "D-1",
    "Deal Name": "Umbrella – New Business",
    "Lead ID": "1001",
    "Amount": "48250.75",
    "Deal Stage": "Closed Won",
    "Create Date": "2025-03-12 14:05:09",
    "Close Date": "2025-05-02 17:45:00",
    "Deal Owner": "Priya Patel",
    "Pipeline": "Sales Pipeline",
}


def _write(folder: Path, name: str, rows: list[dict[str, str]], columns: list[str]) -> Path:
    path = folder / name
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, columns, restval="")
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_leads(
    folder: Path, rows: list[dict[str, str]] = LEADS, extra: tuple[str, ...] = ()
) -> Path:
    return _write(folder, "leads.csv", rows, [*LEAD_COLUMNS, *extra])


def write_deals(folder: Path, rows: list[dict[str, str]] = [DEAL]) -> Path:  # noqa: B006
    return _write(folder, "deals.csv", rows, DEAL_COLUMNS)


def write_mapping(folder: Path, text: str) -> Path:
    path = folder / "mapping.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def records(ws) -> dict[str, list[tuple[Any, ...]]]:  # type: ignore[no-untyped-def]
    """Every row of every table but the audit log (which records each import)."""
    with ws.engine.connect() as connection:
        return {
            table.name: [
                tuple(r) for r in connection.execute(select(table).order_by(*table.primary_key))
            ]
            for table in t.metadata.sorted_tables
            if table is not t.audit_log
        }


def _lead_history(ws, external_id: str) -> list[tuple[str, str | None, str | None, datetime]]:  # type: ignore[no-untyped-def]
    h, lead = t.history, t.leads
    with ws.engine.connect() as connection:
        lead_id = connection.execute(
            select(lead.c.id).where(lead.c.external_id == external_id)
        ).scalar_one()
        rows = connection.execute(
            select(h.c.field, h.c.old_value, h.c.new_value, h.c.changed_at)
            .where(h.c.record_type == "lead", h.c.record_id == lead_id)
            .order_by(h.c.changed_at, h.c.id)
        ).all()
    return [tuple(r) for r in rows]


def test_a_deal_converts_its_lead_as_lead_convert_does(any_workspace, tmp_path):
    url = any_workspace.url
    leads_csv, deals_csv = write_leads(tmp_path), write_deals(tmp_path)
    assert import_csv(url, leads_csv, LEADS_MAPPING).exit_code == 0
    assert import_csv(url, deals_csv, DEALS_MAPPING).exit_code == 0

    lead, o = t.leads, t.opportunities
    with any_workspace.engine.connect() as connection:
        leads = {r.external_id: r for r in connection.execute(select(lead)).all()}
        deal = connection.execute(select(o)).one()
    converted, dropped = leads["funnel:1001"], leads["funnel:1002"]
    assert deal.lead_id == converted.id and deal.external_id == "funnel:D-1"
    assert (converted.stage, converted.converted_opportunity_id) == ("SQL", deal.id)
    assert converted.converted_at == datetime(2025, 3, 12, 14, 5, 9)  # the deal's creation
    assert converted.version == 2
    assert (dropped.stage, dropped.converted_opportunity_id) == ("Disqualified", None)

    history = _lead_history(any_workspace, "funnel:1001")
    stages = [(old, new, at) for field, old, new, at in history if field == "stage"]
    assert stages == [
        (None, "Lead", datetime(2025, 3, 3, 9, 15, 2)),
        ("Lead", "MQL", datetime(2025, 3, 4, 10, 0)),
        ("MQL", "SAL", datetime(2025, 3, 5, 11, 30, 45)),
        ("SAL", "SQL", datetime(2025, 3, 10, 16, 20, 5)),
    ]
    assert history[-2:] == [
        ("converted_opportunity_id", None, str(deal.id), datetime(2025, 3, 12, 14, 5, 9)),
        ("converted_at", None, "2025-03-12T14:05:09", datetime(2025, 3, 12, 14, 5, 9)),
    ]
    # Created as an MQL (a form fill): no Lead stage before it.
    assert [
        (old, new)
        for field, old, new, _at in _lead_history(any_workspace, "funnel:1002")
        if field == "stage"
    ] == [(None, "MQL"), ("MQL", "Disqualified")]

    # Importing both files again, in either order, changes nothing but the audit log.
    before = records(any_workspace)
    assert import_csv(url, leads_csv, LEADS_MAPPING).exit_code == 0
    assert import_csv(url, deals_csv, DEALS_MAPPING).exit_code == 0
    assert import_csv(url, leads_csv, LEADS_MAPPING).exit_code == 0
    assert records(any_workspace) == before


def test_a_lead_files_own_conversion_date_is_kept(workspace, tmp_path):
    url = workspace.url
    leads_csv = write_leads(
        tmp_path,
        [{**LEADS[0], "Converted On": "2025-03-11 09:00:00"}, LEADS[1]],
        extra=("Converted On",),
    )
    mapping = write_mapping(
        tmp_path,
        LEADS_MAPPING.read_text(encoding="utf-8").replace(
            "  source: Lead Source\n", "  source: Lead Source\n  converted_at: Converted On\n"
        ),
    )
    assert import_csv(url, leads_csv, mapping).exit_code == 0
    result = import_csv(url, write_deals(tmp_path), DEALS_MAPPING)
    assert result.exit_code == 0, result.output
    with workspace.engine.connect() as connection:
        row = connection.execute(
            select(t.leads.c.converted_at, t.leads.c.converted_opportunity_id).where(
                t.leads.c.external_id == "funnel:1001"
            )
        ).one()
    assert row.converted_at == datetime(2025, 3, 11, 9, 0)
    assert row.converted_opportunity_id is not None
    link = [
        h for h in _lead_history(workspace, "funnel:1001") if h[0] == "converted_opportunity_id"
    ]
    assert [h[3] for h in link] == [datetime(2025, 3, 11, 9, 0)]


# -- Bad input: one sentence, nothing written -------------------------------------------------


def test_a_status_mapped_to_no_lead_stage_is_named_with_the_key_to_add(workspace, tmp_path):
    leads_csv = write_leads(tmp_path, [LEADS[0], {**LEADS[1], "Lead Status": "Recycled"}])
    before = digest(workspace)
    result = import_csv(workspace.url, leads_csv, LEADS_MAPPING)
    assert result.exit_code == 8
    assert "  row 3: the stage 'Recycled' is not mapped to a stage of this workspace; add it " in (
        result.output.replace("\n", " ") + " "
    )
    assert (
        "add it under values.stage (workspace stages: Lead, MQL, SAL, SQL, Disqualified)."
        in " ".join(result.output.split())
    )
    assert "Traceback" not in result.output
    assert digest(workspace) == before


@pytest.mark.parametrize(
    ("mistake", "message"),
    [
        (
            ("Converted: SQL", "Converted: Won"),
            "values.stage sends the lead status 'Converted' to 'Won', which is not a lead stage; "
            "map it to one of Lead, MQL, SAL, SQL, Disqualified.",
        ),
        (
            ("Converted: SQL", "Converted: Nurture"),
            "values.stage sends the lead status 'Converted' to 'Nurture', which is not a lead "
            "stage; map it to one of Lead, MQL, SAL, SQL, Disqualified.",
        ),
        (
            ("  SQL: SQL Date", "  SQO: SQL Date"),
            "stage_entered names 'SQO', which is not a lead stage; a lead mapping takes the dates "
            "of Lead, MQL, SAL, SQL, Disqualified.",
        ),
    ],
    ids=["opportunity stage", "no such stage", "opportunity date"],
)
def test_a_lead_mapping_sending_a_status_to_no_lead_stage_is_refused(
    workspace, tmp_path, mistake, message
):
    text = LEADS_MAPPING.read_text(encoding="utf-8")
    assert mistake[0] in text
    mapping = write_mapping(tmp_path, text.replace(*mistake))
    before = digest(workspace)
    result = import_csv(workspace.url, write_leads(tmp_path), mapping)
    assert result.exit_code == 2
    assert " ".join(result.output.split()) == f"Error: {message}"
    assert digest(workspace) == before


def test_a_lead_converts_once_to_the_first_deal_naming_it(workspace, tmp_path):
    assert import_csv(workspace.url, write_leads(tmp_path), LEADS_MAPPING).exit_code == 0
    again = {**DEAL, "Deal ID": "D-2", "Create Date": "2025-06-01 10:00:00"}
    result = import_csv(workspace.url, write_deals(tmp_path, [DEAL, again]), DEALS_MAPPING)
    assert result.exit_code == 0, result.output
    o, lead = t.opportunities, t.leads
    with workspace.engine.connect() as connection:
        deals = dict(connection.execute(select(o.c.external_id, o.c.id)).all())
        leads = dict(connection.execute(select(lead.c.external_id, lead.c.id)).all())
        links = set(connection.execute(select(o.c.external_id, o.c.lead_id)).all())
        converted = connection.execute(
            select(lead.c.converted_opportunity_id, lead.c.converted_at).where(
                lead.c.external_id == "funnel:1001"
            )
        ).one()
    assert links == {("funnel:D-1", leads["funnel:1001"]), ("funnel:D-2", leads["funnel:1001"])}
    assert tuple(converted) == (deals["funnel:D-1"], datetime(2025, 3, 12, 14, 5, 9))


def test_a_deal_naming_an_unknown_lead_is_rejected(workspace, tmp_path):
    assert import_csv(workspace.url, write_leads(tmp_path), LEADS_MAPPING).exit_code == 0
    before = digest(workspace)
    unknown = {**DEAL, "Deal ID": "D-2", "Lead ID": "1099", "Deal Stage": "Closed Lost"}
    result = import_csv(workspace.url, write_deals(tmp_path, [DEAL, unknown]), DEALS_MAPPING)
    assert result.exit_code == 8
    assert (
        "row 3: the deal's lead 'funnel:1099' is not in the workspace; import the lead file "
        "first, or leave the lead empty for a deal that came from no lead."
    ) in " ".join(result.output.split())
    assert digest(workspace) == before


def test_a_lead_mapping_with_an_opportunity_field_is_refused(workspace, tmp_path):
    mapping = write_mapping(
        tmp_path,
        LEADS_MAPPING.read_text(encoding="utf-8").replace(
            "  owner: Lead Owner\n", "  owner: Lead Owner\n  amount: Budget\n"
        ),
    )
    result = import_csv(workspace.url, write_leads(tmp_path), mapping)
    assert result.exit_code == 2
    assert "fields: Value error, unknown field(s) amount; use name, stage, created_at," in (
        " ".join(result.output.split())
    )
