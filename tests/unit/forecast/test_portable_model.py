"""The trained model as NumPy arrays gives the estimator's own probabilities: both kinds, on
deals it never saw and with missing values, and refuses what it cannot reproduce."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import RandomForestClassifier

from sqo.analytics.forecast.model import BOOSTED, LOGISTIC, fit_one
from sqo.analytics.forecast.portable import PortableModel, portable
from tests.unit.forecast import synthetic


@pytest.mark.parametrize("kind", [LOGISTIC, BOOSTED])
def test_the_arrays_give_the_estimators_probabilities(kind: str) -> None:
    train, _ = synthetic.rows(1500, seed=11)
    fitted = fit_one(kind, train)
    arrays = portable(fitted.estimator, fitted.encoding.matrix(train[:300]))
    assert isinstance(arrays, PortableModel)
    unseen, _ = synthetic.rows(800, seed=12)
    x = fitted.encoding.matrix(unseen)
    if kind == BOOSTED:  # the trees send a missing value where training sent them
        x[::4, 0] = np.nan
    expected = fitted.estimator.predict_proba(x)
    got = pickle.loads(pickle.dumps(arrays)).predict_proba(x)
    assert got.shape == expected.shape
    assert np.max(np.abs(got - expected)) < 1e-12
    # and they differ between deals: not a constant that happens to match
    assert np.std(got[:, 1]) > 0.05


def test_a_shape_it_does_not_know_is_left_to_the_estimator() -> None:
    train, _ = synthetic.rows(600, seed=13)
    fitted = fit_one(LOGISTIC, train)
    x = fitted.encoding.matrix(train)
    y = np.asarray([r.won for r in train], dtype=int)
    forest = CalibratedClassifierCV(RandomForestClassifier(n_estimators=5, random_state=0))
    assert portable(forest.fit(x, y), x) is None
