"""Capacity: the SQOs and pipeline a rep must create per month to reach quota, and the
shortfall against what they create now. Pure arithmetic on the rep's own figures.

With ``remaining`` quota still to close in the period, an SQO-to-win rate ``w`` and an average
won deal ``a``: the open SQO pipeline is expected to bring ``open x w``; what is left (the gap)
needs ``gap / w`` of new SQO pipeline, that is ``gap / (w x a)`` new SQOs, spread over the months
left. The shortfall is how many SQOs a month that is beyond the rep's current pace. When the
median SQO-to-win time is longer than the days left, SQOs created from now on mostly close after
the period: the figure is flagged, not hidden.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Capacity:
    remaining_cents: int
    expected_from_open_cents: int
    gap_cents: int
    months_left: float
    sqos_per_month_needed: float | None
    pipeline_per_month_needed_cents: int | None
    sqos_per_month_now: float
    shortfall_sqos_per_month: float | None
    cycle_too_long: bool


def capacity(
    *,
    remaining_cents: int,
    open_sqo_cents: int,
    win_rate: float | None,
    average_deal_cents: int | None,
    sqos_per_month_now: float,
    days_left: int,
    sqo_to_win_days: float | None,
) -> Capacity:
    """Needs ``win_rate`` > 0 and an average deal; without them the per-month figures are None."""
    months_left = max(days_left, 0) / (365.25 / 12)
    expected = round(open_sqo_cents * win_rate) if win_rate else 0
    gap = max(remaining_cents - expected, 0)
    sqos = pipeline = shortfall = None
    if win_rate and average_deal_cents and months_left > 0:
        pipeline = math.ceil(gap / win_rate / months_left)
        sqos = gap / (win_rate * average_deal_cents) / months_left
        shortfall = max(sqos - sqos_per_month_now, 0.0)
    too_long = sqo_to_win_days is not None and sqo_to_win_days > days_left
    return Capacity(
        remaining_cents,
        expected,
        gap,
        months_left,
        sqos,
        pipeline,
        sqos_per_month_now,
        shortfall,
        too_long,
    )
