"""The calibrated models of :mod:`sqo.analytics.forecast.model` scored with NumPy alone.

Fitting needs scikit-learn; scoring a trained model need not. Unpickling the estimator imports
scikit-learn, and with it SciPy's statistics and pandas: 1.5-2 s before ``sqo forecast`` or
``sqo review`` computes anything. What the estimator computes is small: each of the calibrated
classifiers (one per time-ordered fold) maps a deal's features to a score (a linear one for the
logistic regression, a sum of tree leaves for gradient boosting), the score to a probability
with its sigmoid (``1 / (1 + exp(a * score + b))``), and the probabilities are averaged.

:func:`portable` reads those numbers off a fitted estimator and keeps them only if they
reproduce the estimator's own probabilities on the training rows (to 1e-9): an estimator of
another shape, or a scikit-learn whose internals moved, gives None, and the forecast reads the
estimator itself, slower but the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

# Probabilities from the arrays equal the estimator's to this (the same operations in another
# order differ in the last bits).
AGREEMENT = 1e-9


@dataclass(frozen=True)
class Linear:
    """StandardScaler then LogisticRegression: the score is the decision function."""

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    def scores(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(((x - self.mean) / self.scale) @ self.coef + self.intercept)


@dataclass(frozen=True)
class Trees:
    """HistGradientBoostingClassifier's trees, all in one set of arrays: ``roots`` are each
    tree's first node; a leaf's children are itself, so every row walks ``depth`` steps."""

    roots: np.ndarray
    feature: np.ndarray
    threshold: np.ndarray
    missing_left: np.ndarray
    left: np.ndarray
    right: np.ndarray
    value: np.ndarray
    depth: int
    baseline: float

    def scores(self, x: np.ndarray) -> np.ndarray:
        flat = np.ascontiguousarray(x, dtype=float).ravel()
        starts = (np.arange(len(x)) * x.shape[1])[np.newaxis, :]
        node = np.repeat(self.roots[:, np.newaxis], len(x), axis=1)
        for _step in range(self.depth):
            seen = flat.take(starts + self.feature.take(node))
            # A missing value goes where training sent them; others left when at most the
            # threshold, as scikit-learn's predictor does.
            go_left = np.where(
                np.isnan(seen), self.missing_left.take(node), seen <= self.threshold.take(node)
            )
            node = np.where(go_left, self.left.take(node), self.right.take(node))
        return np.asarray(self.value.take(node).sum(axis=0) + self.baseline)


@dataclass(frozen=True)
class Fold:
    """One calibrated classifier: its base model's score and the sigmoid fitted on it."""

    base: Linear | Trees
    a: float
    b: float

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(1.0 / (1.0 + np.exp(self.a * self.base.scores(x) + self.b)))


@dataclass(frozen=True)
class PortableModel:
    """A calibrated estimator's probabilities without scikit-learn, with its ``predict_proba``."""

    folds: tuple[Fold, ...]

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        matrix = np.asarray(x, dtype=float)
        won = np.mean([fold.probabilities(matrix) for fold in self.folds], axis=0)
        won[(won > 1.0) & (won <= 1.0 + 1e-5)] = 1.0  # as scikit-learn rounds them
        return np.column_stack([1.0 - won, won])


def _linear(pipeline: Any) -> Linear | None:
    steps = [step for _name, step in getattr(pipeline, "steps", [])]
    if [type(s).__name__ for s in steps] != ["StandardScaler", "LogisticRegression"]:
        return None
    scaler, regression = steps
    if regression.coef_.shape[0] != 1:
        return None
    width = regression.coef_.shape[1]
    mean = scaler.mean_ if scaler.mean_ is not None else np.zeros(width)
    scale = scaler.scale_ if scaler.scale_ is not None else np.ones(width)
    return Linear(
        np.asarray(mean, dtype=float),
        np.asarray(scale, dtype=float),
        np.asarray(regression.coef_[0], dtype=float),
        float(regression.intercept_[0]),
    )


def _trees(booster: Any) -> Trees | None:
    if type(booster).__name__ != "HistGradientBoostingClassifier":
        return None
    predictors = getattr(booster, "_predictors", None)
    if not predictors or any(len(p) != 1 for p in predictors):
        return None  # more than two classes
    nodes = [p[0].nodes for p in predictors]
    if any(n["is_categorical"].any() for n in nodes):
        return None
    sizes = np.asarray([len(n) for n in nodes])
    roots = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    offset = np.repeat(roots, sizes)
    every = np.concatenate(nodes)
    here = np.arange(len(every), dtype=np.int64)
    leaf = every["is_leaf"].astype(bool)
    left = np.where(leaf, here, every["left"].astype(np.int64) + offset)
    right = np.where(leaf, here, every["right"].astype(np.int64) + offset)
    return Trees(
        roots=roots,
        feature=np.where(leaf, 0, every["feature_idx"]).astype(np.int64),
        threshold=every["num_threshold"].astype(float),
        missing_left=every["missing_go_to_left"].astype(bool),
        left=left,
        right=right,
        value=every["value"].astype(float),
        depth=int(every["depth"].max()),
        baseline=float(np.asarray(booster._baseline_prediction).ravel()[0]),
    )


def _fold(calibrated: Any) -> Fold | None:
    calibrators = getattr(calibrated, "calibrators", [])
    if getattr(calibrated, "method", None) != "sigmoid" or len(calibrators) != 1:
        return None
    base = _linear(calibrated.estimator) or _trees(calibrated.estimator)
    if base is None:
        return None
    return Fold(base, float(calibrators[0].a_), float(calibrators[0].b_))


def portable(estimator: Any, x: np.ndarray) -> PortableModel | None:
    """The estimator as arrays, if they give its probabilities on ``x`` (see the module)."""
    folds = [_fold(c) for c in getattr(estimator, "calibrated_classifiers_", [])]
    if not folds or any(f is None for f in folds):
        return None
    model = PortableModel(tuple(f for f in folds if f is not None))
    if len(x):
        expected = estimator.predict_proba(x)[:, 1]
        if not np.allclose(model.predict_proba(x)[:, 1], expected, rtol=0.0, atol=AGREEMENT):
            return None
    return model
