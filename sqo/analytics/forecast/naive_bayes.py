"""An Odoo-style naive Bayes win probability, as a method to compare against in the backtest.

Odoo's predictive lead scoring counts, over closed leads, how often each value of a few fields
occurs among the won and among the lost, with additive smoothing 0.1, and multiplies the
frequencies (naive Bayes). Its stage counts "as reached": a won deal counts in every stage, a
lost one in every stage up to the one it was lost in. Fields here: stage, segment and source.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqo.analytics.forecast.training_rows import DealRow

SMOOTHING = 0.1
FIELDS = ("segment", "source")


@dataclass
class NaiveBayes:
    stages: list[str]  # open stages in order
    won: int = 0
    lost: int = 0
    counts: dict[tuple[str, str, bool], int] = field(default_factory=dict)
    values: dict[str, set[str]] = field(default_factory=dict)

    def fit(self, closed: Sequence[DealRow]) -> NaiveBayes:
        """``closed``: one row per closed deal, its last known open state."""
        for row in closed:
            outcome = bool(row.won)
            self.won += outcome
            self.lost += not outcome
            reached = (
                self.stages
                if outcome
                else self.stages[: self.stages.index(row.stage) + 1]
                if row.stage in self.stages
                else []
            )
            keys = [("stage", s) for s in reached]
            keys += [(name, str(getattr(row, name))) for name in FIELDS]
            for name, value in keys:
                self.counts[name, value, outcome] = self.counts.get((name, value, outcome), 0) + 1
                self.values.setdefault(name, set()).add(value)
        self.values.setdefault("stage", set()).update(self.stages)
        return self

    def _frequency(self, name: str, value: str, outcome: bool) -> float:
        total = self.won if outcome else self.lost
        n = self.counts.get((name, value, outcome), 0)
        return (n + SMOOTHING) / (total + SMOOTHING * len(self.values.get(name, {value})))

    def probability(self, row: DealRow) -> float:
        if not self.won or not self.lost:
            return self.won / (self.won + self.lost) if self.won + self.lost else 0.5
        log_won = math.log(self.won / (self.won + self.lost))
        log_lost = math.log(self.lost / (self.won + self.lost))
        for name, value in [("stage", row.stage)] + [(n, str(getattr(row, n))) for n in FIELDS]:
            log_won += math.log(self._frequency(name, value, True))
            log_lost += math.log(self._frequency(name, value, False))
        return 1 / (1 + math.exp(log_lost - log_won))
