"""The win-probability model on histories whose true probabilities are known by construction:
calibrated within tolerance and better than fixed stage percentages where there is signal, and
claiming none where there is none."""

from __future__ import annotations

import numpy as np
import pytest

from sqo.analytics.forecast.explain import explain
from sqo.analytics.forecast.fitted import FittedModel
from sqo.analytics.forecast.model import fit
from tests.unit.forecast import synthetic


def brier(p: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean((p - y) ** 2))


@pytest.fixture(scope="module")
def fitted() -> FittedModel:
    train, _truth = synthetic.rows(4000, seed=1)
    return fit(train, synthetic.CONFIGURED)


def test_reliability_is_within_tolerance(fitted: FittedModel) -> None:
    test, truth = synthetic.rows(4000, seed=2)
    p = fitted.probabilities(test)
    y = np.asarray([r.won for r in test], dtype=float)
    for low in np.arange(0, 1, 0.1):
        mine = (p >= low) & (p < low + 0.1)
        if mine.sum() < 80:
            continue
        predicted, observed = p[mine].mean(), y[mine].mean()
        slack = 3 * np.sqrt(predicted * (1 - predicted) / mine.sum()) + 0.02
        assert abs(observed - predicted) <= slack, (low, predicted, observed, mine.sum())
    # and close to the truth deal by deal
    assert np.mean(np.abs(p - truth)) < 0.05


def test_it_beats_fixed_stage_percentages(fitted: FittedModel) -> None:
    test, truth = synthetic.rows(4000, seed=3)
    y = np.asarray([r.won for r in test], dtype=float)
    fixed = np.asarray([synthetic.CONFIGURED[r.stage] for r in test])
    mine = brier(fitted.probabilities(test), y)
    assert mine < brier(fixed, y) - 0.02
    assert mine < brier(truth, y) + 0.01  # near what knowing the truth gives


def test_without_signal_it_claims_none() -> None:
    train, _ = synthetic.rows(3000, seed=4, signal=False)
    model = fit(train, synthetic.CONFIGURED)
    test, _ = synthetic.rows(3000, seed=5, signal=False)
    y = np.asarray([r.won for r in test], dtype=float)
    p = model.probabilities(test)
    base = np.full(len(y), np.mean([r.won for r in train]))
    # A Brier score's noise on 3,000 deals is about 0.004: no better than the base rate's.
    assert brier(p, y) >= brier(base, y) - 0.004
    assert float(np.std(p)) < 0.05


def test_explanations_are_the_models_own(fitted: FittedModel) -> None:
    test, _ = synthetic.rows(50, seed=6)
    pushed = [r for r in test if r.pushes >= 3][:3]
    assert pushed
    for row, factors in zip(pushed, explain(fitted, pushed), strict=True):
        assert 3 <= len(factors) <= 5
        push = next((f for f in factors if f.feature == "pushes"), None)
        if push is None:
            continue
        # the definition, recomputed: the same deal with the typical number of pushes
        x = fitted.encoding.matrix([row])
        column = fitted.encoding.columns.index("pushes")
        typical = x.copy()
        typical[0, column] = fitted.baseline[column]
        gap = (
            fitted.estimator.predict_proba(x)[0, 1] - fitted.estimator.predict_proba(typical)[0, 1]
        )
        assert push.points == pytest.approx(gap * 100)
        times = "1 time" if row.pushes == 1 else f"{row.pushes} times"
        assert push.points < 0 and f"pushed {times}" in push.text
