"""Near misses: SQLs and open opportunities that fail the SQO gate but score high.

The seeds warn that rigid criteria miss good deals; this list puts those deals in front of the
team. Ranking is a pure function of evaluations; the evaluations come from a few set-based
queries (see :class:`~sqo.store.repositories.qualification.QualificationRepository`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqo.domain.playbooks.evaluation import Evaluation

DEFAULT_MIN_SCORE = 0.6


@dataclass(frozen=True)
class NearMiss:
    record_type: str
    record_id: int
    name: str
    stage: str
    score: float
    missing: tuple[str, ...]
    evaluation: Evaluation
    # An opportunity's learned stage rate (sqo.analytics.forecast.stage_rates); None for a lead.
    win_probability: float | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "record_type": self.record_type,
            "record_id": self.record_id,
            "name": self.name,
            "stage": self.stage,
            "score": round(self.score, 4),
            "missing": list(self.missing),
            "win_probability": (
                None if self.win_probability is None else round(self.win_probability, 4)
            ),
        }


def rank(
    evaluations: Iterable[tuple[str, Evaluation]],
    *,
    min_score: float = DEFAULT_MIN_SCORE,
    limit: int | None = None,
) -> list[NearMiss]:
    """Records (with their stage) that fail the gate with ``score >= min_score``: highest score
    first, then fewest missing criteria, then by record type and id for a stable order."""
    found = [
        NearMiss(
            record_type=e.record_type,
            record_id=e.record_id,
            name=e.record_name,
            stage=stage,
            score=e.score,
            missing=tuple(r.key for r in e.missing),
            evaluation=e,
        )
        for stage, e in evaluations
        if not e.passed and e.score >= min_score
    ]
    found.sort(key=lambda m: (-m.score, len(m.missing), m.record_type, m.record_id))
    return found if limit is None else found[:limit]
