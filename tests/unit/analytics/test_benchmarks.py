"""Benchmark configuration and verdicts, and the percentile interpolation: pure functions."""

from __future__ import annotations

import pytest

from sqo import i18n
from sqo.analytics.benchmarks import Status, assess, load_benchmarks, parse_benchmarks, status_of
from sqo.analytics.periods import quarter_bounds
from sqo.analytics.sqlfuncs import quantile
from sqo.domain.errors import ConfigurationError


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
    values = [0.0, 0.0, 1.0, 3.0]
    ranks = {i + 1: v for i, v in enumerate(values)}
    assert quantile(ranks, 4, 5) == pytest.approx(0.5)
    assert quantile(ranks, 4, 9) == pytest.approx(2.4)
    assert quantile({1: 7.0}, 1, 9) == 7.0
    assert quantile({}, 0, 5) is None


def test_quarter_bounds():
    assert [d.isoformat() for d in quarter_bounds(__import__("datetime").date(2026, 11, 3))] == [
        "2026-10-01",
        "2026-12-31",
    ]
