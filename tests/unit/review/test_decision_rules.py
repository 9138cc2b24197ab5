"""Each decision's rule: a case that holds, one that breaks, and the near case that waits."""

from __future__ import annotations

from datetime import date

import pytest

from sqo.domain.decisions import DealState, DecisionKind, Outcome, decision_kind, outcome
from sqo.domain.errors import InvalidValue
from sqo.domain.stages import load_stage_model

MODEL = load_stage_model()
BEFORE = DealState("Solution", date(2026, 5, 20))
SAME = DealState("Solution", date(2026, 5, 20))
FORWARD = DealState("Proposal", date(2026, 5, 20))
BACK = DealState("Qualification", date(2026, 5, 20))
SLIPPED = DealState("Solution", date(2026, 6, 20))
EARLIER = DealState("Solution", date(2026, 5, 10))
WON = DealState("Won", date(2026, 5, 18))
LOST = DealState("Lost", date(2026, 5, 18))

A, M, P, C = (
    DecisionKind.ADVANCE,
    DecisionKind.MOVE_BACK,
    DecisionKind.PARK,
    DecisionKind.CLOSE_OUT,
)
CASES = [
    (A, FORWARD, False, Outcome.HELD),
    (A, WON, False, Outcome.HELD),
    (A, LOST, False, Outcome.BROKEN),
    (A, BACK, False, Outcome.BROKEN),
    (A, SLIPPED, False, Outcome.BROKEN),
    (A, EARLIER, False, Outcome.PENDING),  # pulled in is no slip, and no advance either
    (A, SAME, False, Outcome.PENDING),
    (A, SAME, True, Outcome.BROKEN),
    (M, BACK, False, Outcome.HELD),
    (M, LOST, False, Outcome.HELD),
    (M, FORWARD, True, Outcome.BROKEN),
    (M, SAME, False, Outcome.PENDING),
    (M, SAME, True, Outcome.BROKEN),
    (P, SAME, True, Outcome.HELD),
    (P, EARLIER, False, Outcome.HELD),
    (P, WON, False, Outcome.HELD),
    (P, SLIPPED, False, Outcome.BROKEN),
    (P, BACK, False, Outcome.BROKEN),
    (P, LOST, False, Outcome.BROKEN),
    (C, WON, False, Outcome.HELD),
    (C, LOST, False, Outcome.HELD),
    (C, FORWARD, False, Outcome.PENDING),
    (C, SAME, True, Outcome.BROKEN),
]


@pytest.mark.parametrize(("kind", "after", "due_passed", "expected"), CASES)
def test_outcome(kind: DecisionKind, after: DealState, due_passed: bool, expected: Outcome) -> None:
    result, why = outcome(MODEL, kind, BEFORE, after, due_passed=due_passed)
    assert result is expected
    assert why


def test_a_deal_without_a_close_date_never_slips() -> None:
    before = DealState("Solution", None)
    after = DealState("Solution", date(2026, 9, 1))
    assert outcome(MODEL, P, before, after, due_passed=True)[0] is Outcome.HELD


def test_decision_names() -> None:
    assert decision_kind(" Move-Back ") is DecisionKind.MOVE_BACK
    with pytest.raises(InvalidValue, match="advance, move-back, park, close-out"):
        decision_kind("sideways")
