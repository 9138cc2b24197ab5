"""Attribution credit by hand: every shipped model on one five-touch path, worked out in the
comments, and the invariants (exact sums, nothing after the milestone) as properties."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sqo.analytics.attribution.credit import MICRO, Touch, largest_remainder, shares
from sqo.domain.attribution import ANCHORS, shipped_models

MODELS = shipped_models().models
D = datetime(2026, 1, 1)


def day(n: int) -> datetime:
    return D + timedelta(days=n)


# Five touches on days 0, 7, 14, 21 and 31 (campaigns 1-5). The lead was created on day 8,
# the SQO on day 19, the deal won on day 31.
PATH = [Touch(day(n), c, "x") for n, c in ((0, 1), (7, 2), (14, 3), (21, 4), (31, 5))]
ANCHOR_DAYS = {"lead_created": day(8), "sqo_created": day(19), "closed_won": day(31)}


def won(model: str) -> list[int]:
    return shares(MODELS[model], PATH, day(31), ANCHOR_DAYS)


def sqo(model: str) -> list[int]:
    return shares(MODELS[model], PATH, day(19), ANCHOR_DAYS)


def test_first_touch_gives_everything_to_the_first_touch():
    assert won("first-touch") == [MICRO, 0, 0, 0, 0]
    assert sqo("first-touch") == [MICRO, 0, 0, 0, 0]


def test_last_touch_is_the_last_touch_before_the_milestone():
    # Won on day 31: touch 5 (day 31, same moment counts). SQO on day 19: touch 3 (day 14).
    assert won("last-touch") == [0, 0, 0, 0, MICRO]
    assert sqo("last-touch") == [0, 0, MICRO, 0, 0]


def test_linear_splits_equally_among_the_touches_before_the_milestone():
    assert won("linear") == [200_000] * 5
    # Three touches before day 19: 333,333.33 each; the one left-over unit to the earliest.
    assert sqo("linear") == [333_334, 333_333, 333_333, 0, 0]


def test_u_shaped_is_40_first_40_lead_creation_20_between():
    # first = touch 1, lead creation (day 8) = touch 2 (day 7); middle = touches 3, 4, 5:
    # 0.2 / 3 = 66,666.67 each, left-over unit to the earliest largest remainder (touch 3, 4).
    assert won("u-shaped") == [400_000, 400_000, 66_667, 66_667, 66_666]
    # At the SQO (day 19) the middle is touch 3 alone: 0.2.
    assert sqo("u-shaped") == [400_000, 400_000, 200_000, 0, 0]


def test_w_shaped_is_30_30_30_and_10_between():
    # first = 1, lead = 2, SQO (day 19) = 3 (day 14); middle = 4, 5: 0.05 each.
    assert won("w-shaped") == [300_000, 300_000, 300_000, 50_000, 50_000]
    # At the SQO there is no middle: its 0.1 goes to the three anchors pro rata: 1/3 each.
    assert sqo("w-shaped") == [333_334, 333_333, 333_333, 0, 0]


def test_full_path_is_22_5_per_milestone_touch_and_10_between():
    # first 1, lead 2, SQO 3, won 5 take 0.225 each; middle = touch 4 alone: 0.1.
    assert won("full-path") == [225_000, 225_000, 225_000, 100_000, 225_000]
    # At the SQO the won anchor is the last touch before day 19 (touch 3): 0.45; no middle,
    # so 0.225 / 0.9 = 0.25, 0.25 and 0.45 / 0.9 = 0.5.
    assert sqo("full-path") == [250_000, 250_000, 500_000, 0, 0]


def test_time_decay_halves_a_touch_every_seven_days_before_the_milestone():
    # Ages on day 31: 31, 24, 17, 10, 0 days; weights 2^(-age/7); total
    # 2^(-31/7) + 2^(-24/7) + 2^(-17/7) + 2^(-10/7) + 1 = 0.04648 + 0.09296 + 0.18593 + 0.37185 + 1
    weights = [2 ** (-a / 7) for a in (31, 24, 17, 10, 0)]
    expected = [w / sum(weights) * MICRO for w in weights]
    got = won("time-decay")
    assert got == pytest.approx(expected, abs=1)
    assert got[-1] == 589_428  # 1 / 1.69656 of a million, rounded by the largest remainder
    # At the SQO (day 19): ages 19, 12, 5 -> 2^(-19/7) : 2^(-12/7) : 2^(-5/7) = 1 : 2 : 4
    # exactly (steps of 7 days): 1/7, 2/7, 4/7.
    assert sqo("time-decay") == [142_857, 285_714, 571_429, 0, 0]


def test_a_touch_after_the_milestone_never_counts():
    late = [Touch(day(5), 9, "x")]
    assert shares(MODELS["linear"], late, day(4), {}) == []
    path = [Touch(day(0), 1, "x"), Touch(day(10), 2, "x")]
    assert shares(MODELS["last-touch"], path, day(9), {}) == [MICRO, 0]


def test_one_touch_takes_everything_under_every_model():
    for model in MODELS.values():
        assert shares(model, [Touch(day(0), 1, "x")], day(3), ANCHOR_DAYS) == [MICRO]


def test_lead_anchor_before_any_touch_falls_back_to_the_first_touch():
    # Lead created on day 0, touches on days 2 and 4: the lead anchor is touch 1 (the first),
    # which also takes the first-touch 0.4; the middle (touch 2) keeps 0.2.
    path = [Touch(day(2), 1, "x"), Touch(day(4), 2, "x")]
    assert shares(MODELS["u-shaped"], path, day(5), {"lead_created": day(0)}) == [
        800_000,
        200_000,
    ]


touch_days = st.lists(st.integers(min_value=0, max_value=60), min_size=0, max_size=8)


@given(
    days=touch_days,
    milestone=st.integers(min_value=0, max_value=60),
    lead=st.integers(min_value=0, max_value=60),
    sqo_at=st.one_of(st.none(), st.integers(min_value=0, max_value=60)),
    won_at=st.one_of(st.none(), st.integers(min_value=0, max_value=60)),
)
def test_credit_sums_to_exactly_one_and_never_goes_after_the_milestone(
    days, milestone, lead, sqo_at, won_at
):
    path = [Touch(day(n), i, "x") for i, n in enumerate(sorted(days))]
    anchors = {
        "lead_created": day(lead),
        "sqo_created": None if sqo_at is None else day(sqo_at),
        "closed_won": None if won_at is None else day(won_at),
    }
    before = [t for t in path if t.at <= day(milestone)]
    for model in MODELS.values():
        got = shares(model, path, day(milestone), anchors)
        if not before:
            assert got == []
            continue
        assert sum(got) == MICRO  # exact: integer micro-shares
        assert all(part >= 0 for part in got)
        assert all(part == 0 for t, part in zip(path, got, strict=True) if t.at > day(milestone))


@given(st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=20))
def test_largest_remainder_is_exact(weights):
    from fractions import Fraction

    if not any(weights):
        return
    got = largest_remainder([Fraction(w) for w in weights], MICRO)
    assert sum(got) == MICRO
    total = sum(weights)
    assert all(abs(g - w * MICRO / total) < 1 for g, w in zip(got, weights, strict=True))


def test_every_shipped_model_names_only_known_anchors():
    for model in MODELS.values():
        assert set(model.weights) <= {*ANCHORS, "middle"}
