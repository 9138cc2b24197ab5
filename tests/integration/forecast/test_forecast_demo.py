"""The period forecast on the demo, held against computations written here: the expected value
and won-so-far in plain Python over the exported tables and the report's own per-deal chances,
and the P10 / P50 / P90 against the exact distribution of the total (a convolution over the same
chances), not against a second run of the same simulation."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime, time

import numpy as np
import pytest
from typer.testing import CliRunner

from sqo.cli.app import app
from sqo.domain.actor import Actor
from sqo.domain.errors import InvalidValue, UnknownReference
from sqo.services.forecast import forecast_report
from sqo.services.forecast_reports import ForecastReport
from sqo.services.workspace import open_workspace
from tests.conftest import DemoFile

AS_OF = datetime.combine(date(2026, 6, 15), time.max)
GRID = 10_000  # demo amounts are whole hundreds of dollars: the exact distribution on this grid


@pytest.fixture(scope="module")
def report(demo_file: DemoFile) -> ForecastReport:
    ws = open_workspace(str(demo_file.path))
    try:
        return forecast_report(ws, Actor("test"), period="2026-Q2", as_of=AS_OF)
    finally:
        ws.close()


def exact_cdf(report: ForecastReport) -> tuple[np.ndarray, np.ndarray]:
    """Totals (cents) and P(total <= each), summing independent deals one at a time."""
    assert all(d.amount_cents % GRID == 0 for d in report.deals)
    size = sum(d.amount_cents for d in report.deals) // GRID + 1
    dist = np.zeros(size)
    dist[0] = 1.0
    for d in report.deals:
        k = d.amount_cents // GRID
        q = d.probability * d.timing_probability
        moved = np.zeros(size)
        moved[k:] = dist[: size - k]
        dist = dist * (1 - q) + moved * q
    totals = report.won_cents + np.arange(size) * GRID
    return totals, np.cumsum(dist)


def test_won_so_far_is_what_the_tables_say(report: ForecastReport, demo_file: DemoFile) -> None:
    with sqlite3.connect(demo_file.path) as db:
        (won,) = db.execute(
            "SELECT COALESCE(SUM(amount_cents), 0) FROM opportunities WHERE stage = 'Won' "
            "AND closed_at >= '2026-04-01' AND closed_at <= ?",
            (AS_OF.isoformat(sep=" "),),
        ).fetchone()
    assert report.won_cents == won > 0


def test_the_open_deals_are_the_open_sqos_of_the_moment(
    report: ForecastReport, demo_file: DemoFile
) -> None:
    with sqlite3.connect(demo_file.path) as db:
        rows = db.execute(
            "SELECT record_id, new_value FROM history h WHERE record_type = 'opportunity' "
            "AND field = 'stage' AND changed_at <= ? AND NOT EXISTS (SELECT 1 FROM history x "
            "WHERE x.record_type = h.record_type AND x.record_id = h.record_id AND x.field = "
            "'stage' AND x.changed_at <= ? AND (x.changed_at, x.id) > (h.changed_at, h.id))",
            (AS_OF.isoformat(sep=" "), AS_OF.isoformat(sep=" ")),
        ).fetchall()
    pipeline = {"SQO", "Solution", "Proposal", "Negotiation", "Commit"}
    expected = {rid for rid, stage in rows if stage in pipeline}
    assert {d.id for d in report.deals} | {x.id for x in report.left_out} == expected
    assert len(report.deals) > 20


def test_expected_value_is_won_plus_each_deal_weighed(report: ForecastReport) -> None:
    weighed = sum(d.amount_cents * d.probability * d.timing_probability for d in report.deals)
    assert report.expected_cents == report.won_cents + round(weighed)
    assert all(0 <= d.probability <= 1 and 0 <= d.timing_probability <= 1 for d in report.deals)


@pytest.mark.parametrize(("name", "level"), [("p10", 0.1), ("p50", 0.5), ("p90", 0.9)])
def test_the_range_matches_the_exact_distribution(
    report: ForecastReport, name: str, level: float
) -> None:
    """A quantile from 10,000 draws: the exact probability of a total below it lies within
    three standard errors of the level."""
    totals, cdf = exact_cdf(report)
    value = getattr(report, f"{name}_cents")
    slack = 3 * (level * (1 - level) / report.draws) ** 0.5
    below = cdf[totals < value][-1] if (totals < value).any() else 0.0
    at_or_below = cdf[totals <= value][-1]
    assert below <= level + slack
    assert at_or_below >= level - slack


def test_the_figures_are_in_order(report: ForecastReport) -> None:
    assert report.won_cents <= report.commit_cents <= report.best_case_cents
    assert report.p10_cents <= report.p50_cents <= report.p90_cents
    assert report.quota_cents is not None
    assert report.gap_cents == report.quota_cents - report.p50_cents
    assert report.method == "stage_rates" and not report.historical


def test_movers_are_the_largest_swings(report: ForecastReport) -> None:
    swings = sorted(
        (
            d.amount_cents
            * (d.probability * d.timing_probability * (1 - d.probability * d.timing_probability))
            ** 0.5
            for d in report.deals
        ),
        reverse=True,
    )
    assert [m.swing_cents for m in report.movers] == [round(s) for s in swings[:10]]


def test_a_past_period_is_forecast_as_of_its_start(demo_file: DemoFile) -> None:
    ws = open_workspace(str(demo_file.path))
    try:
        past = forecast_report(ws, Actor("test"), period="2026-Q1", as_of=AS_OF)
    finally:
        ws.close()
    assert past.historical and past.as_of == datetime(2026, 1, 1)
    assert past.won_cents == 0
    assert past.actual_won_cents is not None and past.actual_won_cents > 0
    assert any("2026-Q1 is over" in n for n in past.notes)


def test_bad_input_gets_one_sentence(demo_file: DemoFile) -> None:
    ws = open_workspace(str(demo_file.path))
    try:
        with pytest.raises(UnknownReference, match="Known teams: Enterprise"):
            forecast_report(ws, Actor("test"), team="Nowhere", as_of=AS_OF)
        with pytest.raises(InvalidValue, match="not a period"):
            forecast_report(ws, Actor("test"), period="Q5", as_of=AS_OF)
        with pytest.raises(InvalidValue, match="Methods: model, stage_rates, configured"):
            forecast_report(ws, Actor("test"), method="magic", as_of=AS_OF)
    finally:
        ws.close()


def test_the_command_prints_the_report_schema(report: ForecastReport, demo_file: DemoFile) -> None:
    runner = CliRunner()
    args = ["--db", str(demo_file.path), "forecast", "--period", "2026-Q2", "--as-of"]
    result = runner.invoke(app, [*args, "2026-06-15", "--json"])
    assert result.exit_code == 0, result.output

    assert json.loads(result.stdout) == json.loads(json.dumps(report.to_dict()))
    bad = runner.invoke(app, ["--db", str(demo_file.path), "forecast", "--rep", "Nobody"])
    assert bad.exit_code != 0 and "Known reps" in bad.output
