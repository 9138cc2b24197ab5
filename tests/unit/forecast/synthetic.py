"""Deal rows whose true win probabilities are known by construction."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import numpy as np

from sqo.analytics.forecast.training_rows import DealRow

STAGES = ("SQO", "Solution", "Proposal", "Negotiation", "Commit")
CONFIGURED = {"SQO": 0.15, "Solution": 0.3, "Proposal": 0.5, "Negotiation": 0.7, "Commit": 0.9}
# The truth: stage matters less than configured values say, pushes and silence hurt.
STAGE_LOGIT = {"SQO": -1.2, "Solution": -0.7, "Proposal": -0.2, "Negotiation": 0.3, "Commit": 0.8}
T0 = datetime(2024, 1, 1)


def true_probability(stage: str, pushes: int, recent: int, segment: str) -> float:
    logit = STAGE_LOGIT[stage] - 0.6 * pushes + 0.35 * (recent - 3)
    logit += {"SMB": 0.4, "mid-market": 0.0, "enterprise": -0.4}[segment]
    return 1 / (1 + math.exp(-logit))


def rows(count: int, seed: int, *, signal: bool = True) -> tuple[list[DealRow], np.ndarray]:
    """``count`` deals, one row each at moments spread over 60 weeks, and their true
    probabilities (without signal: 0.3 for every deal, whatever its features)."""
    rng = np.random.default_rng(seed)
    made, truth = [], []
    for i in range(count):
        stage = STAGES[int(rng.integers(len(STAGES)))]
        segment = ("SMB", "mid-market", "enterprise")[int(rng.integers(3))]
        pushes = int(rng.poisson(1.0))
        recent = int(rng.poisson(3.0))
        p = true_probability(stage, pushes, recent, segment) if signal else 0.3
        truth.append(p)
        made.append(
            DealRow(
                deal_id=i + 1,
                moment=T0 + timedelta(weeks=int(i * 60 / count)),
                stage=stage,
                segment=segment,
                source=("Website", "Referral")[int(rng.integers(2))],
                age_days=float(rng.uniform(5, 120)),
                days_in_stage=float(rng.uniform(1, 40)),
                amount_cents=int(rng.integers(1_000, 200_000)) * 100,
                days_to_close=float(rng.uniform(-10, 90)),
                pushes=pushes,
                amount_changes=int(rng.poisson(0.5)),
                qualification_score=float(rng.uniform(0.4, 1.0)),
                overridden=bool(rng.random() < 0.1),
                activities=recent + int(rng.poisson(5)),
                recent_activities=recent,
                days_since_activity=float(rng.uniform(0, 30)),
                inbound_share=float(rng.uniform(0, 1)),
                won=bool(rng.random() < p),
            )
        )
    return made, np.asarray(truth)
