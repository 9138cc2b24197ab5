"""Scores of probabilities against outcomes: Brier score, log loss, AUC and a reliability table
(scikit-learn's definitions; pure functions over small arrays)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score

BINS = 10


@dataclass(frozen=True)
class Bin:
    low: float
    high: float
    deals: int
    predicted: float | None  # mean probability in the bin
    observed: float | None  # share won


@dataclass(frozen=True)
class Scores:
    rows: int
    brier: float | None
    log_loss: float | None
    auc: float | None  # None when only one outcome occurs


def score(probabilities: Sequence[float] | np.ndarray, won: Sequence[bool] | np.ndarray) -> Scores:
    p = np.clip(np.asarray(probabilities, dtype=float), 1e-6, 1 - 1e-6)
    y = np.asarray(won, dtype=int)
    if len(y) == 0:
        return Scores(0, None, None, None)
    both = len(set(y.tolist())) == 2
    return Scores(
        len(y),
        float(brier_score_loss(y, p)),
        float(log_loss(y, p, labels=[0, 1])),
        float(roc_auc_score(y, p)) if both else None,
    )


def reliability(
    probabilities: Sequence[float] | np.ndarray, won: Sequence[bool] | np.ndarray
) -> list[Bin]:
    """Predicted against observed in ten equal-width bins of the predicted probability."""
    p = np.asarray(probabilities, dtype=float)
    y = np.asarray(won, dtype=float)
    index = np.minimum((p * BINS).astype(int), BINS - 1)
    bins = []
    for b in range(BINS):
        mine = index == b
        n = int(mine.sum())
        bins.append(
            Bin(
                b / BINS,
                (b + 1) / BINS,
                n,
                float(p[mine].mean()) if n else None,
                float(y[mine].mean()) if n else None,
            )
        )
    return bins
