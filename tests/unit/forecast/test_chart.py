"""The backtest chart plots each method's reliability bins, and nothing else."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from sqo.analytics.forecast.backtest import MethodResult
from sqo.analytics.forecast.scores import Bin
from sqo.cli.forecast_chart import reliability_chart, write_chart
from sqo.services.forecast_backtest import BacktestReport


def report() -> BacktestReport:
    bins = [
        Bin(0.1, 0.2, 10, 0.15, 0.2),
        Bin(0.2, 0.3, 0, None, None),
        Bin(0.8, 0.9, 4, 0.85, 0.75),
    ]
    result = MethodResult("configured", 14, 0.2, 0.6, 0.7, bins, 3, 0.1, 0.05, 0.5, 0.8)
    return BacktestReport(
        date(2026, 1, 5),
        date(2026, 3, 30),
        datetime(2026, 6, 30),
        12,
        [result],
        [],
        "configured",
        None,
    )


def test_the_chart_holds_the_bins_with_deals(tmp_path: Path) -> None:
    spec = reliability_chart(report()).to_dict()
    datasets = [layer["data"]["values"] for layer in spec["layer"]]
    points = next(d for d in datasets if d and "predicted" in d[0])
    assert [(p["predicted"], p["observed"], p["deals"]) for p in points] == [
        (0.15, 0.2, 10),
        (0.85, 0.75, 4),
    ]
    target = tmp_path / "chart.svg"
    write_chart(report(), target)
    assert target.read_text(encoding="utf-8").lstrip().startswith("<svg")
