"""The Maven CRM example: win rate and sales cycle per agent, manager and office match pandas.

The data is imported with the documented command
``sqo import csv sales_pipeline.csv --mapping docs/examples/maven-crm/mapping.yaml``
(Prospecting -> Qualification, Engaging -> SQO, Won, Lost; SQO entered at engage_date, closed at
close_date; agents' manager and regional office (team) from sales_teams.csv).
pandas: win rate = Won / (Won + Lost); cycle = close_date - engage_date of Won deals, in days.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from sqo.cli.app import app
from tests.conftest import MAVEN_DIR

REPO = Path(__file__).resolve().parents[3]
MAPPING = REPO / "docs" / "examples" / "maven-crm" / "mapping.yaml"
runner = CliRunner()

pytestmark = pytest.mark.skipif(
    not (MAVEN_DIR / "sales_pipeline.csv").exists(), reason="Maven CRM data not available"
)


@pytest.fixture(scope="module")
def maven_db(tmp_path_factory) -> str:
    db = str(tmp_path_factory.mktemp("maven") / "maven.db")
    assert runner.invoke(app, ["--db", db, "init"]).exit_code == 0
    result = runner.invoke(
        app,
        [
            "--db",
            db,
            "import",
            "csv",
            str(MAVEN_DIR / "sales_pipeline.csv"),
            "--mapping",
            str(MAPPING),
        ],
    )
    assert result.exit_code == 0, result.output
    return db


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    deals = pd.read_csv(MAVEN_DIR / "sales_pipeline.csv", parse_dates=["engage_date", "close_date"])
    teams = pd.read_csv(MAVEN_DIR / "sales_teams.csv")
    return deals.merge(teams, on="sales_agent", how="left")


def _expected(frame: pd.DataFrame, column: str) -> tuple[dict, dict]:
    closed = frame[frame.deal_stage.isin(["Won", "Lost"])]
    rates = closed.groupby(column).deal_stage.apply(lambda s: (s == "Won").sum() / len(s))
    won = frame[frame.deal_stage == "Won"]
    days = (won.close_date - won.engage_date).dt.days
    cycle = days.groupby(won[column]).agg(["mean", "median", "count"])
    return rates.to_dict(), cycle.to_dict("index")


@pytest.mark.parametrize(
    ("key", "column"),
    [("owner", "sales_agent"), ("manager", "manager"), ("team", "regional_office")],
)
def test_win_rate_and_cycle_match_pandas(maven_db, frame, key, column):
    result = runner.invoke(app, ["--db", maven_db, "funnel", "--by", key, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    rates, cycles = _expected(frame, column)
    got_rates = {r[key]: r["rate"] for r in data["win_rates"] if r["rate"] is not None}
    assert got_rates.keys() == rates.keys()
    for name, rate in rates.items():
        assert got_rates[name] == pytest.approx(rate), name
    got_cycles = {c[key]: c for c in data["cycles"]}
    assert got_cycles.keys() == cycles.keys()
    for name, expected in cycles.items():
        assert got_cycles[name]["won"] == expected["count"], name
        assert got_cycles[name]["mean_days"] == pytest.approx(expected["mean"]), name
        assert got_cycles[name]["median_days"] == pytest.approx(expected["median"]), name
