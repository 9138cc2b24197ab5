"""Invariants of the decision rules over any deal before and after (hypothesis)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from sqo.domain.decisions import DealState, DecisionKind, Outcome, outcome
from sqo.domain.stages import StageKind, load_stage_model

MODEL = load_stage_model()
OPEN = [s.name for s in MODEL.stages if s.kind is StageKind.OPPORTUNITY]
STAGES = [*OPEN, "Won", "Lost"]
DAYS = st.one_of(st.none(), st.integers(0, 120).map(lambda n: date(2026, 5, 1) + timedelta(n)))
BEFORE = st.builds(DealState, st.sampled_from(OPEN), DAYS)
AFTER = st.builds(DealState, st.sampled_from(STAGES), DAYS)
KINDS = st.sampled_from(list(DecisionKind))


@given(KINDS, BEFORE, AFTER)
def test_a_decided_outcome_stays_decided_once_the_due_date_passes(
    kind: DecisionKind, before: DealState, after: DealState
) -> None:
    early, _ = outcome(MODEL, kind, before, after, due_passed=False)
    late, _ = outcome(MODEL, kind, before, after, due_passed=True)
    assert late is not Outcome.PENDING
    if early is not Outcome.PENDING:
        assert late is early


@given(KINDS, BEFORE, DAYS)
def test_closing_decides_every_decision(
    kind: DecisionKind, before: DealState, day: date | None
) -> None:
    won, _ = outcome(MODEL, kind, before, DealState("Won", day), due_passed=False)
    lost, _ = outcome(MODEL, kind, before, DealState("Lost", day), due_passed=False)
    assert won is (Outcome.BROKEN if kind is DecisionKind.MOVE_BACK else Outcome.HELD) or (
        kind is DecisionKind.MOVE_BACK and won is Outcome.PENDING
    )
    assert lost is (
        Outcome.BROKEN if kind in (DecisionKind.ADVANCE, DecisionKind.PARK) else Outcome.HELD
    )


@given(BEFORE)
def test_nothing_changed_never_breaks_before_the_due_date(before: DealState) -> None:
    for kind in DecisionKind:
        result, _ = outcome(MODEL, kind, before, before, due_passed=False)
        assert result is (Outcome.HELD if kind is DecisionKind.PARK else Outcome.PENDING)
