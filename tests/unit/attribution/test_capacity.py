"""Capacity arithmetic, worked by hand."""

from __future__ import annotations

import pytest

from sqo.analytics.capacity import capacity


def test_sqos_and_pipeline_needed_and_the_shortfall():
    # 100,000 still to close; 40,000 open SQO pipeline at a 25% win rate brings 10,000; the gap
    # of 90,000 needs 360,000 of new SQO pipeline = 36 SQOs of 10,000 at 25%; over 3 months
    # (91.31 days) that is 12 a month and 120,000 of pipeline a month; at 5 a month now the
    # shortfall is 7 a month.
    months = 91.3125 / (365.25 / 12)
    found = capacity(
        remaining_cents=10_000_000,
        open_sqo_cents=4_000_000,
        win_rate=0.25,
        average_deal_cents=1_000_000,
        sqos_per_month_now=5.0,
        days_left=91,
        sqo_to_win_days=30,
    )
    assert found.expected_from_open_cents == 1_000_000
    assert found.gap_cents == 9_000_000
    assert found.sqos_per_month_needed == pytest.approx(36 / (91 / 30.4375))
    assert found.pipeline_per_month_needed_cents == pytest.approx(
        36_000_000 / (91 / 30.4375), abs=1
    )
    assert found.shortfall_sqos_per_month == pytest.approx(36 / (91 / 30.4375) - 5)
    assert not found.cycle_too_long
    assert months == pytest.approx(3.0)


def test_no_gap_no_shortfall_and_a_long_cycle_is_flagged():
    found = capacity(
        remaining_cents=1_000_000,
        open_sqo_cents=8_000_000,
        win_rate=0.25,
        average_deal_cents=1_000_000,
        sqos_per_month_now=0.0,
        days_left=20,
        sqo_to_win_days=45,
    )
    assert found.gap_cents == 0
    assert found.sqos_per_month_needed == 0 and found.shortfall_sqos_per_month == 0
    assert found.cycle_too_long


def test_without_a_win_rate_nothing_is_divided_by_zero():
    for rate, deal, days in (
        (None, 1_000_000, 30),
        (0.0, 1_000_000, 30),
        (0.3, None, 30),
        (0.3, 1, 0),
    ):
        found = capacity(
            remaining_cents=1_000_000,
            open_sqo_cents=0,
            win_rate=rate,
            average_deal_cents=deal,
            sqos_per_month_now=1.0,
            days_left=days,
            sqo_to_win_days=None,
        )
        assert found.sqos_per_month_needed is None and found.shortfall_sqos_per_month is None
