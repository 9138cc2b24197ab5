"""Lost-deal patterns: a planted pattern is found and said plainly; with no pattern, or too
few deals, nothing is claimed. Expected figures computed by hand in the comments."""

from __future__ import annotations

import math
import random

import pytest

from sqo import i18n
from sqo.analytics.loss_patterns import (
    Outcome,
    compare,
    holm,
    newcombe,
    two_proportion_p,
    weak_keys,
    wilson,
)
from sqo.services.losses import finding

LABELS = {
    "economic_buyer": ("Economic buyer identified", "criterion"),
    "next_steps": ("Next steps defined", "criterion"),
    "group:access": ("Access", "group"),
}


def deals(lost_weak: int, weak: int, lost_met: int, met: int, key: str) -> list[Outcome]:
    everything = frozenset(LABELS)
    out = [Outcome(i < lost_weak, frozenset({key}), everything) for i in range(weak)]
    out += [Outcome(i < lost_met, frozenset(), everything) for i in range(met)]
    return out


def test_the_issue_example_is_found_and_said_plainly():
    # 64 of 90 without an economic buyer lost vs 41 of 150 with one: 71.1% vs 27.3%,
    # ratio 0.7111 / 0.2733 = 2.6; pooled p = 105/240 = 0.4375,
    # z = 0.4378 / sqrt(0.4375 * 0.5625 * (1/90 + 1/150)) = 6.6, p far below 0.001.
    found = compare(deals(64, 90, 41, 150, "economic_buyer"), LABELS)
    buyer = next(c for c in found if c.key == "economic_buyer")
    assert buyer.claimed and buyer.enough_data
    assert (buyer.lost_weak, buyer.weak, buyer.lost_met, buyer.met) == (64, 90, 41, 150)
    assert buyer.ratio == pytest.approx((64 / 90) / (41 / 150))
    assert buyer.difference_low < 64 / 90 - 41 / 150 < buyer.difference_high
    assert finding(buyer) == (
        "Deals promoted without \u201cEconomic buyer identified\u201d were lost 2.6x as often: "
        "64 of 90 vs 41 of 150 (p < 0.001)."
    )
    i18n.set_language("sv")
    try:
        # Written independently: the Swedish sentence with a decimal comma in the threshold.
        assert finding(buyer).endswith("64 av 90 mot 41 av 150 (p < 0,001).")
    finally:
        i18n.set_language(None)
    # The other keys: every deal has them met, so one side is empty: not tested, not claimed.
    others = [c for c in found if c.key != "economic_buyer"]
    assert not any(c.claimed or c.enough_data for c in others)


@pytest.mark.parametrize("seed", range(8))
def test_no_pattern_no_claim(seed):
    # Every deal is lost with the same chance (40%) whatever its criteria: differences are
    # noise, and with Holm's correction over the three comparisons none is claimed.
    rng = random.Random(seed)
    keys = list(LABELS)
    outcomes = [
        Outcome(
            rng.random() < 0.4,
            frozenset(k for k in keys if rng.random() < 0.3),
            frozenset(keys),
        )
        for _ in range(300)
    ]
    found = compare(outcomes, LABELS)
    assert all(c.enough_data for c in found)
    assert not any(c.claimed for c in found)


def test_too_few_deals_claim_nothing_however_large_the_gap():
    # 9 of 9 lost without an economic buyer vs 1 of 19 with one: too few on the weak side.
    found = compare(deals(9, 9, 1, 19, "economic_buyer"), LABELS)
    buyer = next(c for c in found if c.key == "economic_buyer")
    assert not buyer.enough_data and not buyer.claimed and buyer.p_value is None


def test_fewer_losses_is_said_the_other_way_round():
    found = compare(deals(10, 100, 60, 100, "next_steps"), LABELS)
    steps = next(c for c in found if c.key == "next_steps")
    assert steps.claimed
    assert finding(steps).startswith(
        "Deals promoted without \u201cNext steps defined\u201d were lost 6.0x less often: 10 of "
        "100 vs 60 of 100"
    )


def test_statistics_against_textbook_values():
    # Wilson 95% for 0 of 10: (0, 0.2775); for 5 of 10: (0.2366, 0.7634).
    assert wilson(0, 10) == pytest.approx((0.0, 0.2775), abs=1e-4)
    assert wilson(5, 10) == pytest.approx((0.2366, 0.7634), abs=1e-4)
    # Newcombe (1998) example: 56/70 vs 48/80 -> difference 0.2, interval 0.0524 to 0.3339.
    assert newcombe(56, 70, 48, 80) == pytest.approx((0.0524, 0.3339), abs=1e-4)
    # z for 56/70 vs 48/80 pooled: p = 104/150; se = sqrt(p(1-p)(1/70+1/80)); z = 0.2/se.
    pooled = 104 / 150
    z = 0.2 / math.sqrt(pooled * (1 - pooled) * (1 / 70 + 1 / 80))
    assert two_proportion_p(56, 70, 48, 80) == pytest.approx(math.erfc(z / math.sqrt(2)))
    # Holm on (0.01, 0.04, 0.03): sorted 0.01*3 = 0.03, 0.03*2 = 0.06, max(0.06, 0.04) = 0.06.
    assert holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])


def test_weak_keys_from_a_stored_evaluation():
    detail = {
        "criteria": [
            {"key": "economic_buyer", "status": "not_met"},
            {"key": "budget_range", "status": "unknown"},
            {"key": "next_steps", "status": "met"},
            {"key": "champion", "status": "not_applicable"},
        ],
        "groups": [
            {"key": "access", "score": 0.25, "applicable": 3},
            {"key": "timeline", "score": 0.75, "applicable": 4},
            {"key": "empty", "score": 0.0, "applicable": 0},
        ],
    }
    weak, assessed = weak_keys(detail)
    assert weak == {"economic_buyer", "budget_range", "group:access"}
    assert assessed == weak | {"next_steps", "group:timeline"}
