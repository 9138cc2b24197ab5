"""The win-probability model: a regularised logistic regression and a gradient-boosted model,
each calibrated (``CalibratedClassifierCV``, sigmoid, on time-ordered folds), the one with the
lower Brier score on later weeks chosen and refitted on every row.

Validation is time-ordered: the last quarter of the snapshot moments is held out, and of those
rows only deals the training rows never saw, so the score is that of a model meeting new deals
later in time (a deal's own earlier weeks would flatter it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import TimeSeriesSplit
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sqo.analytics.forecast.features import Encoding, fit_encoding
from sqo.analytics.forecast.fitted import FittedModel as FittedModel  # old pickles name it here
from sqo.analytics.forecast.fitted import one_thread
from sqo.analytics.forecast.scores import Scores, score
from sqo.analytics.forecast.training_rows import DealRow

LOGISTIC = "logistic_regression"
BOOSTED = "gradient_boosting"
HELD_OUT = 0.25
# Beyond this many deal-weeks a fit learns little more and costs minutes: a seeded sample of
# rows is kept (spread over all moments and deals), so 100,000 closed deals train in a minute.
MAX_ROWS = 100_000


def candidates() -> dict[str, Any]:
    return {
        # A stronger pull than scikit-learn's default (C=1): some forty correlated columns and a
        # few hundred closed deals is the usual workspace.
        LOGISTIC: make_pipeline(StandardScaler(), LogisticRegression(C=0.1, max_iter=2000)),
        BOOSTED: HistGradientBoostingClassifier(
            max_iter=150,
            learning_rate=0.05,
            max_leaf_nodes=15,
            min_samples_leaf=40,
            l2_regularization=1.0,
            random_state=0,
        ),
    }


def calibrated(estimator: Any) -> CalibratedClassifierCV:
    return CalibratedClassifierCV(clone(estimator), method="sigmoid", cv=TimeSeriesSplit(3))


def _baseline(encoding: Encoding, matrix: np.ndarray) -> np.ndarray:
    base = np.median(matrix, axis=0) if len(matrix) else np.zeros(len(encoding.columns))
    groups = encoding.groups()
    for name in encoding.categorical:
        columns = groups.get(name, [])
        if columns:
            base[columns] = 0.0
            base[columns[int(np.argmax(matrix[:, columns].sum(axis=0)))]] = 1.0
    return np.asarray(base)


def sample(rows: Sequence[DealRow], limit: int = MAX_ROWS) -> Sequence[DealRow]:
    if len(rows) <= limit:
        return rows
    keep = np.random.default_rng(0).choice(len(rows), size=limit, replace=False)
    return [rows[i] for i in sorted(keep)]


def split(rows: Sequence[DealRow]) -> tuple[list[int], list[int]]:
    """Row indices for training (earlier moments) and validation (later moments, new deals)."""
    moments = sorted({r.moment for r in rows})
    if len(moments) < 4:
        return list(range(len(rows))), []
    first_held = moments[int(len(moments) * (1 - HELD_OUT))]
    train = [i for i, r in enumerate(rows) if r.moment < first_held]
    seen = {rows[i].deal_id for i in train}
    valid = [i for i, r in enumerate(rows) if r.moment >= first_held and r.deal_id not in seen]
    return train, valid


def fit(
    rows: Sequence[DealRow], configured: Mapping[str, float], without: Sequence[str] = ()
) -> FittedModel:
    """Both candidates scored on the later weeks, the better (Brier) refitted on every row."""
    with one_thread():
        return _fit(rows, configured, without)


def _fit(
    rows: Sequence[DealRow], configured: Mapping[str, float], without: Sequence[str]
) -> FittedModel:
    ordered = sorted(sample(rows), key=lambda r: (r.moment, r.deal_id))
    y = np.asarray([bool(r.won) for r in ordered], dtype=int)
    train, valid = split(ordered)
    encoding = fit_encoding([ordered[i] for i in train] or ordered, without=without)
    x = encoding.matrix(ordered)
    scores: dict[str, Scores] = {}
    if valid and len(set(y[train].tolist())) == 2:
        for kind, estimator in candidates().items():
            model = calibrated(estimator).fit(x[train], y[train])
            scores[kind] = score(model.predict_proba(x[valid])[:, 1], y[valid])
        scores["configured_stage"] = score(
            [configured.get(ordered[i].stage, 0.0) for i in valid], y[valid]
        )
        scores["base_rate"] = score(np.full(len(valid), y[train].mean()), y[valid])
    fitted = {k: v for k, v in scores.items() if k in (LOGISTIC, BOOSTED) and v.brier is not None}
    kind = min(fitted, key=lambda k: fitted[k].brier or 1.0) if fitted else LOGISTIC
    final_encoding = fit_encoding(ordered, without=without)
    final_x = final_encoding.matrix(ordered)
    estimator = calibrated(candidates()[kind]).fit(final_x, y)
    return FittedModel(
        kind,
        estimator,
        final_encoding,
        _baseline(final_encoding, final_x),
        scores,
        len(train),
        len(valid),
    )


def fit_one(kind: str, rows: Sequence[DealRow], without: Sequence[str] = ()) -> FittedModel:
    """One kind, calibrated, on every row (the backtest's weekly refits: no validation)."""
    with one_thread():
        ordered = sorted(sample(rows), key=lambda r: (r.moment, r.deal_id))
        y = np.asarray([bool(r.won) for r in ordered], dtype=int)
        encoding = fit_encoding(ordered, without=without)
        x = encoding.matrix(ordered)
        estimator = calibrated(candidates()[kind]).fit(x, y)
        return FittedModel(kind, estimator, encoding, _baseline(encoding, x))
