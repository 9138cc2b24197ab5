"""The SQO gate as a pure decision, on hand-built evaluations: no database, no settings."""

from datetime import datetime

import pytest

from sqo.domain.errors import GateRefused
from sqo.domain.gate import GateRules, QualificationRefused, Reason, Verdict, decide
from sqo.domain.playbooks.evaluation import CriterionResult, Evaluation, Status

RULES = GateRules(min_justification_length=30)


def criterion(key: str, status: Status, *, required: bool = True) -> CriterionResult:
    return CriterionResult(
        key=key,
        group="fit",
        label=key.replace("_", " ").capitalize(),
        description="",
        required=required,
        weight=2.0,
        status=status,
        reason="no evidence recorded" if status is not Status.MET else "recorded",
    )


def evaluation(*results: CriterionResult, record_id: int = 7) -> Evaluation:
    return Evaluation(
        playbook="sqo-default",
        playbook_version="1",
        record_type="opportunity",
        record_id=record_id,
        record_name="Acme – 20 seats",
        as_of=datetime(2026, 1, 7, 9, 0),
        segment="SMB",
        results=results,
        groups=(),
        score=0.5,
    )


PASSED = evaluation(
    criterion("budget_range", Status.MET),
    criterion("key_stakeholders", Status.NOT_MET, required=False),
    criterion("champion", Status.NOT_APPLICABLE),
)
FAILED = evaluation(
    criterion("budget_range", Status.NOT_MET),
    criterion("economic_buyer", Status.UNKNOWN),
    criterion("solution_fit", Status.MET),
)


def test_a_deal_meeting_every_required_criterion_is_allowed_without_a_justification():
    decision = decide(PASSED, None, RULES)
    assert (decision.verdict, decision.reason) == (Verdict.ALLOWED, Reason.CRITERIA_MET)
    assert decision.allowed and not decision.overridden
    assert decision.missing == () and decision.message is None
    decision.raise_if_refused()  # does not raise


def test_a_justification_on_a_passed_deal_changes_nothing():
    decision = decide(PASSED, "a" * 40, RULES)
    assert decision.verdict is Verdict.ALLOWED and not decision.overridden


def test_missing_criteria_without_a_justification_are_refused_with_the_list():
    decision = decide(FAILED, None, RULES)
    assert (decision.verdict, decision.reason) == (Verdict.REFUSED, Reason.JUSTIFICATION_ABSENT)
    assert not decision.allowed
    assert [r.key for r in decision.missing] == ["budget_range", "economic_buyer"]
    assert decision.message == (
        "Opportunity 7 cannot become an SQO: 2 required criteria of the playbook sqo-default "
        "are not met: budget_range (Budget range: no evidence recorded); economic_buyer "
        "(Economic buyer: no evidence recorded). Record evidence with 'sqo evidence add', or "
        "give a written justification of at least 30 characters (--justify) to override the "
        "gate."
    )
    with pytest.raises(QualificationRefused) as caught:
        decision.raise_if_refused()
    assert isinstance(caught.value, GateRefused)
    assert caught.value.message == decision.message
    assert caught.value.field == "justification"
    assert caught.value.allowed == ["budget_range", "economic_buyer"]
    assert [r.key for r in caught.value.missing] == ["budget_range", "economic_buyer"]
    assert caught.value.evaluation is FAILED


def test_a_whitespace_only_justification_counts_as_none():
    decision = decide(FAILED, " \n\t " * 20, RULES)
    assert decision.reason is Reason.JUSTIFICATION_ABSENT
    assert decision.justification is None


def test_a_justification_one_character_short_of_the_minimum_is_refused():
    decision = decide(FAILED, "  " + "x" * 29 + "  ", RULES)  # surrounding spaces do not count
    assert (decision.verdict, decision.reason) == (
        Verdict.REFUSED,
        Reason.JUSTIFICATION_TOO_SHORT,
    )
    assert decision.message == (
        "Opportunity 7 cannot become an SQO: the justification is 29 characters long; "
        "overriding the gate needs at least 30. Say why this deal is qualified although these "
        "criteria are not met: budget_range (Budget range: no evidence recorded); "
        "economic_buyer (Economic buyer: no evidence recorded)."
    )
    with pytest.raises(QualificationRefused):
        decision.raise_if_refused()


def test_a_justification_of_exactly_the_minimum_overrides_the_gate():
    decision = decide(FAILED, "  " + "x" * 30 + "  ", RULES)
    assert (decision.verdict, decision.reason) == (Verdict.OVERRIDDEN, Reason.CRITERIA_MISSING)
    assert decision.allowed and decision.overridden
    assert decision.justification == "x" * 30
    assert [r.key for r in decision.missing] == ["budget_range", "economic_buyer"]


def test_a_long_justification_overrides_and_keeps_the_missing_criteria():
    text = "CFO confirmed budget on the call; paperwork follows next week"
    decision = decide(FAILED, text, RULES)
    assert decision.verdict is Verdict.OVERRIDDEN
    assert decision.justification == text and decision.minimum == 30
    decision.raise_if_refused()  # does not raise


def test_the_minimum_comes_from_the_rules():
    assert decide(FAILED, "Budget confirmed", GateRules(10)).verdict is Verdict.OVERRIDDEN
    assert decide(FAILED, "", GateRules(0)).verdict is Verdict.REFUSED  # something must be said


def test_an_unsaved_deal_is_named_in_the_refusal():
    decision = decide(evaluation(*FAILED.results, record_id=0), None, RULES)
    assert decision.message is not None
    assert decision.message.startswith("The opportunity 'Acme – 20 seats' cannot become an SQO:")
