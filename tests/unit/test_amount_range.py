"""An amount beyond the documented range (10^13 in any currency, README) is one sentence, not an
OverflowError from the database (found by benchmarks/fuzz_imports_run.py)."""

from __future__ import annotations

import pytest

from sqo.domain.errors import InvalidValue
from sqo.domain.values import parse_amount
from sqo.io.values import parse_money


def test_the_largest_amount_is_kept_and_one_cent_more_is_refused() -> None:
    assert parse_amount("10000000000000") == 10**15
    with pytest.raises(InvalidValue) as refused:
        parse_amount("10000000000000.01")
    assert "10,000,000,000,000" in refused.value.message


def test_an_amount_past_64_bit_cents_is_one_sentence() -> None:
    with pytest.raises(InvalidValue) as refused:
        parse_money("99999999999999999999999")
    assert refused.value.message.startswith("The amount 99999999999999999999999")
    assert refused.value.message.endswith("up to 10,000,000,000,000 in any currency.")
