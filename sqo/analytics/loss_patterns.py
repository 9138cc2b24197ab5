"""Which qualification criteria, weak at promotion, go with more losses: pure statistics.

For each criterion (and group) of the evaluation stored at promotion, closed SQOs split into
those promoted with it *weak* (a criterion not met or unknown; a group with under half its
weight met) and those with it *met*; the loss rates of the two are compared with a pooled
two-proportion z-test, and the difference gets a 95% Newcombe (hybrid Wilson score) interval.
A finding is claimed only when both sides hold at least ``min_group`` deals and the p-value,
Holm-adjusted over every comparison made, is below ``alpha``: with many criteria, some would
look different by chance alone.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

Z95 = 1.959963984540054


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval for a proportion."""
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def newcombe(a: int, n: int, b: int, m: int) -> tuple[float, float]:
    """95% interval for a/n - b/m (Newcombe's method 10, from the two Wilson intervals)."""
    p1, p2 = a / n, b / m
    l1, u1 = wilson(a, n)
    l2, u2 = wilson(b, m)
    d = p1 - p2
    return (
        d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2),
        d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2),
    )


def two_proportion_p(a: int, n: int, b: int, m: int) -> float:
    """Two-sided p-value of the pooled z-test that a/n and b/m are equal."""
    pooled = (a + b) / (n + m)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / n + 1 / m))
    if spread == 0:
        return 1.0
    z = (a / n - b / m) / spread
    return math.erfc(abs(z) / math.sqrt(2))


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm-Bonferroni adjusted p-values, in the order given."""
    order = sorted(range(len(p_values)), key=lambda i: p_values[i])
    adjusted = [1.0] * len(p_values)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (len(p_values) - rank) * p_values[i]))
        adjusted[i] = running
    return adjusted


@dataclass(frozen=True)
class Outcome:
    """One closed SQO: whether it was lost, and which criteria and groups were weak at its
    promotion (keys), of those that applied (``assessed``)."""

    lost: bool
    weak: frozenset[str]
    assessed: frozenset[str]


@dataclass(frozen=True)
class Comparison:
    key: str
    label: str
    kind: str  # criterion or group
    lost_weak: int
    weak: int  # deals promoted with it weak
    lost_met: int
    met: int
    loss_rate_weak: float | None
    loss_rate_met: float | None
    ratio: float | None  # loss_rate_weak / loss_rate_met
    difference_low: float | None  # 95% interval of the difference in loss rate
    difference_high: float | None
    p_value: float | None  # Holm-adjusted
    claimed: bool
    enough_data: bool


def compare(
    outcomes: Sequence[Outcome],
    labels: dict[str, tuple[str, str]],
    *,
    min_group: int = 20,
    alpha: float = 0.05,
) -> list[Comparison]:
    """One comparison per key of ``labels`` (key -> (label, kind)); those with enough data on
    both sides are tested, the rest are listed with ``enough_data`` False and never claimed."""
    counts = []
    for key in labels:
        weak = [o for o in outcomes if key in o.assessed and key in o.weak]
        met = [o for o in outcomes if key in o.assessed and key not in o.weak]
        counts.append(
            (key, sum(o.lost for o in weak), len(weak), sum(o.lost for o in met), len(met))
        )
    tested = [c for c in counts if c[2] >= min_group and c[4] >= min_group]
    adjusted = dict(
        zip(
            [c[0] for c in tested],
            holm([two_proportion_p(a, n, b, m) for _k, a, n, b, m in tested]),
            strict=True,
        )
    )
    out = []
    for key, a, n, b, m in counts:
        label, kind = labels[key]
        rate_weak = a / n if n else None
        rate_met = b / m if m else None
        ratio = rate_weak / rate_met if rate_weak is not None and rate_met else None
        p = adjusted.get(key)
        low, high = newcombe(a, n, b, m) if key in adjusted else (None, None)
        out.append(
            Comparison(
                key,
                label,
                kind,
                a,
                n,
                b,
                m,
                rate_weak,
                rate_met,
                ratio,
                low,
                high,
                p,
                p is not None and p < alpha,
                key in adjusted,
            )
        )
    return out


def weak_keys(detail: dict[str, object], group_threshold: float = 0.5) -> tuple[set[str], set[str]]:
    """From a stored evaluation: the weak criteria and groups (prefixed ``group:``), and every
    one that applied."""
    weak: set[str] = set()
    assessed: set[str] = set()
    for item in _items(detail.get("criteria")):
        status = item.get("status")
        if status == "not_applicable" or not item.get("key"):
            continue
        key = str(item["key"])
        assessed.add(key)
        if status != "met":
            weak.add(key)
    for item in _items(detail.get("groups")):
        if not item.get("applicable") or not item.get("key"):
            continue
        key = "group:" + str(item["key"])
        assessed.add(key)
        score = item.get("score")
        if isinstance(score, int | float) and score < group_threshold:
            weak.add(key)
    return weak, assessed


def _items(value: object) -> Iterable[dict[str, object]]:
    if isinstance(value, list):
        return [v for v in value if isinstance(v, dict)]
    return []
