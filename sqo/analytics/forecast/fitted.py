"""A fitted win-probability model as the forecast uses it: the estimator, the encoding of a
deal into its features, and the typical deal explanations compare with.

Apart from :mod:`sqo.analytics.forecast.model`, which fits it: reading a model to score open
deals must not cost scikit-learn's import (over a second, SciPy and pandas included) when the
estimator is a :class:`sqo.analytics.forecast.portable.PortableModel`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sqo.analytics.forecast.features import Encoding
from sqo.analytics.forecast.training_rows import DealRow


def one_thread() -> Any:
    """Fit and predict on one thread: gradient boosting's OpenMP threads spin against each other
    and everything else on a small shared machine (2 cores: 20 times slower than one thread)."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(1)


@dataclass
class FittedModel:
    """The chosen, calibrated estimator with what it needs to score and explain a deal."""

    kind: str
    estimator: Any  # anything with scikit-learn's predict_proba
    encoding: Encoding
    baseline: np.ndarray  # the typical deal: medians, and each category's most common value
    validation: dict[str, Any] = field(default_factory=dict)  # kind -> Scores, from training
    train_rows: int = 0
    validation_rows: int = 0

    def probabilities(self, rows: Sequence[DealRow]) -> np.ndarray:
        if not rows:
            return np.zeros(0)
        with one_thread():
            return np.asarray(self.estimator.predict_proba(self.encoding.matrix(rows))[:, 1])
