"""Benchmark configuration and verdicts, and the percentile interpolation: pure functions."""

from __future__ import annotations

import pytest

from sqo import i18n
from sqo.analytics.benchmarks import Status, assess, load_benchmarks, parse_benchmarks, status_of
from sqo.analytics.periods import quarter_bounds
from sqo.domain.errors import ConfigurationError
from sqo.store.sqlite_functions import linear_quantile


def test_shipped_benchmarks_follow_the_seeds():
    config = load_benchmarks()
    assert config.metrics["sqo_win_rate"].range_for("enterprise")[1].high == 0.25
    assert config.metrics["sales_cycle"].range_for("mid-market")[1].low == 30
    assert config.metrics["sales_cycle"].range_for("unknown")[0] == "default"


def test_status_for_higher_and_lower_is_better():
    assert status_of(0.25, 0.30, 0.50, True) is Status.BELOW
    assert status_of(0.30, 0.30, 0.50, True) is Status.WITHIN
    assert status_of(0.65, 0.30, 0.50, True) is Status.TOP
    assert status_of(45, 14, 30, False) is Status.BELOW  # slower than the SMB cycle
    assert status_of(10, 14, 30, False) is Status.TOP


def test_gap_in_plain_words_in_english_and_swedish():
    config = load_benchmarks()
    verdict = assess(config, "sqo_win_rate", "SMB", 0.25)
    assert verdict is not None and verdict.status is Status.BELOW
    assert verdict.gap == pytest.approx(0.05)
    assert verdict.sentence == "5 percentage points below the benchmark range (30%–50%)."
    cycle = assess(config, "sales_cycle", "SMB", 40)
    assert (
        cycle is not None
        and cycle.sentence == "10 days slower than the benchmark range (14–30 days)."
    )
    i18n.set_language("sv")
    try:
        verdict = assess(config, "sqo_win_rate", "SMB", 0.25)
        assert verdict is not None
        assert verdict.sentence.startswith("5 procentenheter under")
        assert Status.TOP.text() == "toppresterare"
    finally:
        i18n.set_language(None)


def test_no_value_gives_no_status():
    verdict = assess(load_benchmarks(), "pipeline_coverage", None, None)
    assert verdict is not None and verdict.status is None and verdict.gap is None


def test_invalid_benchmarks_are_refused_with_the_problem():
    with pytest.raises(ConfigurationError, match="default"):
        parse_benchmarks(
            {
                "metrics": {
                    "sqo_win_rate": {"unit": "rate", "ranges": {"SMB": {"low": 0.1, "high": 0.2}}}
                }
            }
        )
    with pytest.raises(ConfigurationError, match="low must not be above high"):
        parse_benchmarks(
            {
                "metrics": {
                    "sqo_win_rate": {
                        "unit": "rate",
                        "ranges": {"default": {"low": 0.5, "high": 0.2}},
                    }
                }
            }
        )
    with pytest.raises(ConfigurationError, match="unknown metrics"):
        parse_benchmarks(
            {"metrics": {"nps": {"unit": "rate", "ranges": {"default": {"low": 0, "high": 1}}}}}
        )


def test_quantile_interpolates_like_pandas():
    """The interpolation SQLite's quantile aggregate uses (the other engines have their own)."""
    values = [0.0, 0.0, 1.0, 3.0]
    assert linear_quantile(values, 0.5) == pytest.approx(0.5)
    assert linear_quantile(values, 0.9) == pytest.approx(2.4)
    assert linear_quantile([7.0], 0.9) == 7.0


def test_quarter_bounds():
    assert [d.isoformat() for d in quarter_bounds(__import__("datetime").date(2026, 11, 3))] == [
        "2026-10-01",
        "2026-12-31",
    ]


def test_sql_to_sqo_between_average_and_top_is_above_average_not_top():
    # Seed: average 30-50%, top performers 60-70% (benchmarks.yaml: top 0.60).
    config = load_benchmarks()
    low = assess(config, "sql_to_sqo", None, 0.25)
    assert low is not None and low.status is Status.BELOW and low.gap == pytest.approx(0.05)
    assert low.sentence == "5 percentage points below the benchmark range (30%–50%)."
    mid = assess(config, "sql_to_sqo", None, 0.40)
    assert mid is not None and mid.status is Status.WITHIN and mid.gap == 0
    above = assess(config, "sql_to_sqo", None, 0.52)
    assert above is not None and above.status is Status.ABOVE and above.top == 0.60
    assert above.gap == pytest.approx(0.02)
    assert above.sentence == (
        "2 percentage points above the average range (30%–50%); top performers reach 60%."
    )
    top = assess(config, "sql_to_sqo", None, 0.60)  # at the top threshold: top performer
    assert top is not None and top.status is Status.TOP and top.gap == pytest.approx(0.10)
    assert top.sentence == (
        "Top performer level (60% or more): 10 percentage points above the average range (30%–50%)."
    )


def test_without_a_top_better_than_the_range_is_top_performer():
    config = load_benchmarks()
    smb = assess(config, "sqo_win_rate", "SMB", 0.55)  # SMB 30-50%, no top configured
    assert smb is not None and smb.status is Status.TOP and smb.top is None
    assert smb.sentence == "5 percentage points above the benchmark range (30%–50%)."
    fast = assess(config, "sales_cycle", "SMB", 10)  # SMB 14-30 days, lower is better
    assert fast is not None and fast.status is Status.TOP and fast.gap == pytest.approx(4)
    assert fast.sentence == "4 days faster than the benchmark range (14–30 days)."
    slow = assess(config, "sales_cycle", "SMB", 40)
    assert slow is not None and slow.status is Status.BELOW and slow.gap == pytest.approx(10)


def test_lower_is_better_with_a_top_counts_down_to_it():
    assert status_of(12, 14, 30, False, top=10) is Status.ABOVE  # faster, not yet 10 days
    assert status_of(10, 14, 30, False, top=10) is Status.TOP
    assert status_of(9, 14, 30, False, top=10) is Status.TOP
    assert status_of(31, 14, 30, False, top=10) is Status.BELOW
    assert status_of(0.59, 0.30, 0.50, True, top=0.60) is Status.ABOVE
    assert status_of(0.70, 0.30, 0.50, True, top=0.60) is Status.TOP
    config = parse_benchmarks(
        {
            "metrics": {
                "sales_cycle": {
                    "unit": "days",
                    "higher_is_better": False,
                    "ranges": {"default": {"low": 14, "high": 30, "top": 10}},
                }
            }
        }
    )
    faster = assess(config, "sales_cycle", None, 12)
    assert faster is not None and faster.status is Status.ABOVE and faster.gap == pytest.approx(2)
    assert faster.sentence == (
        "2 days faster than the average range (14–30 days); top performers close in 10 days."
    )
    best = assess(config, "sales_cycle", None, 8)
    assert best is not None and best.status is Status.TOP
    assert best.sentence == (
        "Top performer level (10 days or less): 6 days faster than the average range (14–30 days)."
    )


def test_coverage_above_the_healthy_band_is_a_warning_never_top_performer():
    config = load_benchmarks()  # healthy at 1.5-2x
    bloated = assess(config, "pipeline_coverage", None, 3.0)
    assert bloated is not None and bloated.status is Status.HIGH
    assert bloated.status is not Status.TOP and bloated.gap == pytest.approx(1.0)
    assert bloated.sentence == (
        "1.0x above the healthy range (1.5x–2.0x): far more pipeline than needed is often "
        "stale or inflated deals."
    )
    thin = assess(config, "pipeline_coverage", None, 1.2)
    assert thin is not None and thin.status is Status.BELOW and thin.gap == pytest.approx(0.3)
    assert thin.sentence == "0.3x below the healthy range (1.5x–2.0x)."
    healthy = assess(config, "pipeline_coverage", None, 2.0)
    assert healthy is not None and healthy.status is Status.WITHIN
    assert status_of(2.5, 1.5, 2.0, True, band=True) is Status.HIGH
    assert status_of(2.5, 1.5, 2.0, True, top=2.2, band=True) is Status.HIGH


def test_new_statuses_in_swedish():
    config = load_benchmarks()
    i18n.set_language("sv")
    try:
        assert Status.ABOVE.text() == "över genomsnittet"
        assert Status.HIGH.text() == "över det sunda intervallet"
        above = assess(config, "sql_to_sqo", None, 0.52)
        assert above is not None
        assert above.sentence.startswith("2 procentenheter över genomsnittsintervallet")
        assert "toppresterare når 60" in above.sentence
        bloated = assess(config, "pipeline_coverage", None, 3.0)
        assert bloated is not None and bloated.sentence.startswith("1,0x över det sunda")
    finally:
        i18n.set_language(None)
