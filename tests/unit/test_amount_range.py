"""An amount beyond what the databases store (cents in a signed 64-bit integer) is one
sentence, not an OverflowError (found by benchmarks/fuzz_imports_run.py)."""

from __future__ import annotations

import pytest

from sqo.domain.errors import InvalidValue
from sqo.domain.values import parse_amount
from sqo.io.values import parse_money


def test_the_largest_amount_is_kept_and_one_cent_more_is_refused() -> None:
    largest = (2**63 - 1) // 100
    assert parse_amount(str(largest)) == largest * 100
    with pytest.raises(InvalidValue) as refused:
        parse_money("99999999999999999999999")
    assert refused.value.message == (
        f"The amount 99999999999999999999999.00 is too large: at most {largest}."
    )
