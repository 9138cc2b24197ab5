"""Crediting one milestone of one deal to its touches: pure functions, exact sums.

Credit is counted in integer *micro-shares*: every credited milestone hands out exactly
``MICRO`` (1,000,000) of them, by the largest-remainder method over exact fractions, so a deal's
credit for a milestone adds up to exactly one and campaign totals add up to exactly the number
of milestones (no float drift). Time-decay weights are powers of two, made exact fractions of
their float values before the split.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import Any

from sqo.domain.attribution import ANCHORS, Anchor, AttributionModel

MICRO = 1_000_000
SECONDS_PER_DAY = 86_400


@dataclass(frozen=True, order=True)
class Touch:
    """A marketing touch on a funnel record: when, which campaign (None: a source without a
    campaign) and its channel."""

    at: datetime
    campaign_id: int | None
    channel: str | None


def _last_at_or_before(touches: Sequence[Touch], moment: datetime) -> int:
    found = 0  # no touch by then: the first touch stands in
    for index, touch in enumerate(touches):
        if touch.at <= moment:
            found = index
    return found


def _middle_weights(
    model: AttributionModel, touches: Sequence[Touch], indices: Sequence[int], at: datetime
) -> list[Fraction]:
    if model.middle == "equal":
        return [Fraction(1)] * len(indices)
    if model.middle == "position":
        return [Fraction(k + 1) for k in range(len(indices))]
    half_life = (model.half_life_days or 1.0) * SECONDS_PER_DAY
    return [Fraction(2.0 ** (-(at - touches[i].at).total_seconds() / half_life)) for i in indices]


def shares(
    model: AttributionModel,
    touches: Sequence[Touch],
    milestone_at: datetime,
    anchors: Mapping[Anchor, datetime | None],
) -> list[int]:
    """Micro-shares per touch (in the order given, which must be time order) for a milestone
    reached at ``milestone_at``; touches after it get 0. Empty when no touch precedes it.
    ``anchors`` holds when the deal reached each anchor milestone (None: not reached)."""
    counted = [t for t in touches if t.at <= milestone_at]
    if not counted:
        return []
    positions: list[int] = []
    for anchor in ANCHORS:
        if not model.weight(anchor):
            positions.append(-1)
        elif anchor == "first":
            positions.append(0)
        else:
            reached = anchors.get(anchor)
            limit = milestone_at if reached is None else min(reached, milestone_at)
            positions.append(_last_at_or_before(counted, limit))
    if model.middle == "time_decay":
        micro = _split(model, counted, positions, milestone_at)
    else:
        # Without time decay the split depends only on how many touches there are and where
        # the anchors fall: the same shape gives the same shares, so it is worked out once.
        key = (_model_key(model), len(counted), tuple(positions))
        found = _SHAPES.get(key)
        if found is None:
            found = _SHAPES[key] = _split(model, counted, positions, milestone_at)
        micro = found
    return micro + [0] * (len(touches) - len(counted))


_SHAPES: dict[tuple[Any, ...], list[int]] = {}


def _model_key(model: AttributionModel) -> tuple[Any, ...]:
    return (tuple(sorted(model.weights.items())), model.middle, model.half_life_days)


def _split(
    model: AttributionModel, counted: Sequence[Touch], positions: Sequence[int], at: datetime
) -> list[int]:
    weights = [Fraction(0)] * len(counted)
    taken: set[int] = set()
    for anchor, index in zip(ANCHORS, positions, strict=True):
        if index >= 0:
            weights[index] += Fraction(model.weight(anchor))
            taken.add(index)
    middle = [i for i in range(len(counted)) if i not in taken]
    share = Fraction(model.weight("middle"))
    if share and middle:
        split = _middle_weights(model, counted, middle, at)
        total = sum(split, Fraction(0))
        for index, part in zip(middle, split, strict=True):
            weights[index] += share * part / total
    elif share:  # nothing in between: the anchors share the middle's part pro rata
        anchored = sum(weights, Fraction(0))
        weights = [w / anchored for w in weights]
    return largest_remainder(weights, MICRO)


def largest_remainder(weights: Sequence[Fraction], total: int) -> list[int]:
    """Whole numbers proportional to ``weights`` adding up to exactly ``total``: each gets the
    floor of its share, the left-over units go to the largest remainders (the earlier touch on
    a tie)."""
    whole = sum(weights, Fraction(0))
    exact = [w * total / whole for w in weights]
    floors = [int(x) for x in exact]  # exact >= 0: int() is the floor
    left = total - sum(floors)
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return floors


def pure_decay(model: AttributionModel) -> bool:
    """Time decay over every touch (no anchor weight): the database can compute it."""
    return model.middle == "time_decay" and not any(model.weight(a) for a in ANCHORS)


def shape_shares(model: AttributionModel, n: int, lead: int, sqo: int, won: int) -> list[int]:
    """Micro-shares of the ``n`` touches before a milestone when ``lead``, ``sqo`` and ``won``
    touches came before each anchor (as in :func:`shares`, for a model without time decay)."""
    counts = {"lead_created": lead, "sqo_created": sqo, "closed_won": won}
    positions = [
        -1 if not model.weight(a) else 0 if a == "first" else max(counts[a], 1) - 1 for a in ANCHORS
    ]
    key = (_model_key(model), n, tuple(positions))
    found = _SHAPES.get(key)
    if found is None:
        placeholder = [Touch(datetime.min, None, None)] * n  # only time decay reads them
        found = _SHAPES[key] = _split(model, placeholder, positions, datetime.min)
    return found
