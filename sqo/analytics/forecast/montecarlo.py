"""The range of a period's total by Monte Carlo: each open deal is won inside the period with its
own chance (win x timing), independently, ``DRAWS`` times, with a fixed seed so that the same
inputs give the same range."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

DRAWS = 10_000
SEED = 20_260_101
# Draws are made in blocks so that 10,000 draws over 50,000 deals never hold 500 million
# booleans at once.
_BLOCK_CELLS = 20_000_000


@dataclass(frozen=True)
class Range:
    p10_cents: int
    p50_cents: int
    p90_cents: int


def simulate_totals(
    amounts_cents: Sequence[int],
    chances: Sequence[float],
    *,
    draws: int = DRAWS,
    seed: int = SEED,
) -> np.ndarray:
    """``draws`` totals (cents) of the deals won in each draw."""
    # Single precision for the draws and their sums: a float32 matrix product is 15 times faster
    # than summing booleans in double precision, and its rounding (a ten-millionth of a total)
    # is far below what 10,000 draws can resolve.
    amounts = np.asarray(amounts_cents, dtype=np.float32)
    p = np.asarray(chances, dtype=np.float32)
    rng = np.random.Generator(np.random.PCG64(seed))
    # A deal that cannot be won in the period draws nothing; one that is certain always counts.
    certain = float(amounts[p >= 1].sum(dtype=np.float64))
    uncertain = (p > 0) & (p < 1)
    amounts, p = amounts[uncertain], p[uncertain]
    totals = np.full(draws, certain, dtype=np.float64)
    if len(amounts) == 0:
        return totals
    rows = max(1, _BLOCK_CELLS // len(amounts))
    for first in range(0, draws, rows):
        last = min(draws, first + rows)
        won = rng.random((last - first, len(amounts)), dtype=np.float32) < p
        totals[first:last] += won.astype(np.float32) @ amounts
    return totals


def percentiles(totals: np.ndarray, base_cents: int = 0) -> Range:
    """P10 / P50 / P90 of ``base_cents`` plus the simulated totals, in whole cents."""
    if len(totals) == 0:
        return Range(base_cents, base_cents, base_cents)
    p10, p50, p90 = (base_cents + round(float(x)) for x in np.quantile(totals, [0.1, 0.5, 0.9]))
    return Range(p10, p50, p90)
