"""What the forecast use cases return, each with its public schema (``to_dict()``, the --json).

Amounts are in major units in the schema (``sqo.services.public``), cents in the fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqo.analytics.forecast.stage_rates import StageRate
from sqo.services.public import public_dict


@dataclass(frozen=True)
class DealForecast:
    """One open deal as the forecast weighs it."""

    id: int
    name: str
    owner: str | None
    stage: str
    segment: str | None
    forecast_category: str
    amount_cents: int
    close_date: date
    probability: float  # of being won at all
    timing_probability: float  # of being won inside the period, once won
    chance: float  # probability x timing_probability: what the Monte Carlo draws
    factors: list[str] = field(default_factory=list)  # the model's 3-5 reasons, in words


@dataclass(frozen=True)
class Mover:
    """A deal that moves the number most: the largest swing (amount x sqrt(chance x (1 -
    chance)), its standard deviation in the period's total)."""

    id: int
    name: str
    owner: str | None
    amount_cents: int
    probability: float
    timing_probability: float
    swing_cents: int
    factors: list[str] = field(default_factory=list)  # the model's reasons, when it scored it


@dataclass(frozen=True)
class LeftOutDeal:
    """An open deal the forecast cannot weigh: no amount, no close date, or no exchange rate."""

    id: int
    name: str
    owner: str | None
    reason: str  # amount, close_date or exchange_rate


@dataclass(frozen=True)
class ForecastReport:
    period: str
    period_start: date
    period_end: date
    currency: str
    as_of: datetime
    historical: bool  # a past period: the forecast as it would have been made at its start
    team: str | None
    rep: str | None
    method: str  # model, stage_rates or configured
    method_reason: str
    won_cents: int
    commit_cents: int
    best_case_cents: int
    expected_cents: int
    p10_cents: int
    p50_cents: int
    p90_cents: int
    quota_cents: int | None
    gap_cents: int | None  # quota - P50; negative when the P50 is above quota
    actual_won_cents: int | None  # past periods: what was in fact won in it
    draws: int
    seed: int
    movers: list[Mover] = field(default_factory=list)
    left_out: list[LeftOutDeal] = field(default_factory=list)
    deals: list[DealForecast] = field(default_factory=list)
    stage_rates: list[StageRate] = field(default_factory=list)
    # With --team: that team's learned rates, shown beside the segment rates the forecast uses
    team_rates: list[StageRate] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return public_dict(self)
