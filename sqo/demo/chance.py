"""Small random helpers for the demo simulation."""

from __future__ import annotations

import random
from datetime import timedelta


def pick(rng: random.Random, weighted: list[tuple[str, float]]) -> str:
    return rng.choices([x for x, _ in weighted], [w for _, w in weighted])[0]


def days(rng: random.Random, low: float, high: float) -> timedelta:
    """A random span, in whole minutes as a CRM would keep times."""
    return timedelta(minutes=round(rng.uniform(low, high) * 1440))
