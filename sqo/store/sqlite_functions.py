"""SQL functions sqo adds to every SQLite connection it opens.

SQLite has no percentile aggregate; analytics compute medians and p90s in the engine on every
database (``sqo.analytics.sqlfuncs.quantile_cont``), so SQLite gets an exact one here.
"""

from __future__ import annotations

import math
import sqlite3
from typing import Any

QUANTILE_CONT = "sqo_quantile_cont"


class QuantileCont:
    """``sqo_quantile_cont(x, fraction)``: the continuous quantile of the non-NULL ``x`` of a
    group, interpolated linearly between the two closest ranks, as pandas' ``quantile`` (numpy's
    "linear" method) does, to the last bit. NULL for a group without values."""

    def __init__(self) -> None:
        self.values: list[float] = []
        self.fraction: float | None = None

    def step(self, value: Any, fraction: Any) -> None:
        if value is not None:
            self.values.append(float(value))
        if fraction is not None:
            self.fraction = float(fraction)

    def finalize(self) -> float | None:
        if not self.values or self.fraction is None:
            return None
        return linear_quantile(sorted(self.values), self.fraction)


def linear_quantile(ordered: list[float], fraction: float) -> float:
    """numpy's linear interpolation (its ``_lerp``, exact at both ends) on sorted values."""
    position = fraction * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    weight = position - low
    a, b = ordered[low], ordered[high]
    if weight >= 0.5:
        return b - (b - a) * (1 - weight)
    return a + (b - a) * weight


def register(dbapi_connection: sqlite3.Connection) -> None:
    # typeshed describes only one-argument aggregates of integers.
    dbapi_connection.create_aggregate(QUANTILE_CONT, 2, QuantileCont)  # type: ignore[arg-type]
