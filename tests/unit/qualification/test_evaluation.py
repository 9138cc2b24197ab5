from dataclasses import replace
from datetime import date, timedelta

import pytest

from sqo.domain.playbooks import (
    ActivityFact,
    ContactFact,
    CriterionOverride,
    Status,
    apply_overrides,
    evaluate,
    parse_playbook_text,
    shipped_playbook,
)
from tests.unit.qualification.facts import NOW, empty, evidence, strong

# Per shipped playbook: the evidence a strong deal still needs (criteria no rule can meet), and
# what an empty, standard deal misses (the required criteria that apply to it).
CASES = {
    "sqo-default": (
        ["problem_identified", "solution_fit", "budget_range"],
        [
            "problem_identified",
            "solution_fit",
            "deal_size_estimated",
            "budget_range",
            "economic_buyer",
            "buying_timeline",
            "next_steps",
            "prospect_responsive",
            "meetings_happening",
        ],
    ),
    "sqo-essentials": (["budget", "fit"], ["engagement", "budget", "timing", "fit"]),
    "startup": (
        ["has_budget", "target_market_fit"],
        ["strong_interest", "has_budget", "target_market_fit"],
    ),
    "consulting-firm": (
        ["specific_project"],
        ["consultation_requested", "specific_project", "implementation_timeframe"],
    ),
    "digital-agency": (
        ["specific_goals", "marketing_budget"],
        ["expressed_interest", "specific_goals", "marketing_budget"],
    ),
    "bant": (["budget", "need"], ["budget", "authority", "need", "timeline"]),
    "champ": (["challenges", "money"], ["challenges", "authority", "money", "prioritization"]),
    "meddpicc": (
        ["metrics", "identify_pain", "decision_criteria", "decision_process"],
        ["metrics", "identify_pain", "economic_buyer", "decision_criteria", "decision_process"],
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_qualified_deal_passes_every_shipped_playbook(name):
    needs_evidence, _missing = CASES[name]
    result = evaluate(shipped_playbook(name), strong(*needs_evidence), NOW)
    assert result.passed, [(r.key, r.reason) for r in result.missing]
    assert result.missing == []


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_strong_deal_without_its_evidence_misses_exactly_that(name):
    needs_evidence, _missing = CASES[name]
    result = evaluate(shipped_playbook(name), strong(), NOW)
    assert [r.key for r in result.missing] == needs_evidence
    assert {result.result(k).status for k in needs_evidence} == {Status.UNKNOWN}


@pytest.mark.parametrize("name", sorted(CASES))
def test_an_unqualified_deal_fails_every_shipped_playbook(name):
    _evidence, missing = CASES[name]
    result = evaluate(shipped_playbook(name), empty(), NOW)
    assert not result.passed
    assert [r.key for r in result.missing] == missing
    assert result.score == 0.0


def test_champion_is_required_only_for_complex_deals():
    playbook = shipped_playbook("sqo-default")
    keys = ["problem_identified", "solution_fit", "budget_range"]
    no_champion = replace(
        strong(*keys),
        contacts=(ContactFact("Eva Buyer", "economic_buyer"), ContactFact("Bo", None)),
    )
    standard = evaluate(playbook, no_champion, NOW)
    assert standard.passed
    assert standard.result("champion").status is Status.NOT_APPLICABLE
    complex_deal = replace(no_champion, values={**no_champion.values, "complexity": "complex"})
    refused = evaluate(playbook, complex_deal, NOW)
    assert [r.key for r in refused.missing] == ["champion"]
    assert refused.result("champion").status is Status.NOT_MET
    assert refused.result("champion").reason == "no contact with the role champion"
    with_champion = replace(
        complex_deal, contacts=(*complex_deal.contacts, ContactFact("Carl", "champion"))
    )
    assert evaluate(playbook, with_champion, NOW).passed


def test_rules_follow_activities_and_the_evaluation_time():
    playbook = shipped_playbook("sqo-default")
    meeting_day = NOW - timedelta(days=10)
    facts = replace(empty(), activities=(ActivityFact("meeting", "outbound", meeting_day),))
    assert evaluate(playbook, facts, NOW).result("meetings_happening").status is Status.MET
    later = evaluate(playbook, facts, meeting_day + timedelta(days=31))
    assert later.result("meetings_happening").status is Status.NOT_MET
    assert later.result("meetings_happening").reason == "no demo/meeting in the last 30 days"
    before = evaluate(playbook, facts, meeting_day - timedelta(minutes=1))
    assert before.result("meetings_happening").status is Status.NOT_MET
    # an outbound email is not the prospect being responsive; an inbound one is
    outbound = replace(facts, activities=(ActivityFact("email", "outbound", NOW),))
    assert evaluate(playbook, outbound, NOW).result("prospect_responsive").status is Status.NOT_MET
    inbound = replace(
        facts, activities=(ActivityFact("email", "inbound", NOW - timedelta(days=14)),)
    )
    assert evaluate(playbook, inbound, NOW).result("prospect_responsive").status is Status.MET


def test_a_next_step_counts_until_its_due_date_passes():
    playbook = shipped_playbook("sqo-default")
    facts = empty(next_step="Call CFO", next_step_due=date(2026, 3, 2))
    assert evaluate(playbook, facts, NOW).result("next_steps").status is Status.MET
    overdue = evaluate(playbook, facts, NOW + timedelta(days=1)).result("next_steps")
    assert overdue.status is Status.NOT_MET
    assert overdue.reason == "next step 'Call CFO' was due 2026-03-02"
    undated = evaluate(playbook, empty(next_step="Call CFO"), NOW).result("next_steps")
    assert undated.reason == "next step 'Call CFO' has no due date"


def test_evidence_counts_from_when_it_was_recorded():
    playbook = shipped_playbook("bant")
    facts = replace(empty(), evidence=evidence("need", at=NOW))
    assert evaluate(playbook, facts, NOW).result("need").status is Status.MET
    earlier = evaluate(playbook, facts, NOW - timedelta(seconds=1)).result("need")
    assert earlier.status is Status.UNKNOWN
    met = evaluate(playbook, facts, NOW).result("need")
    assert (met.met_by, met.evidence_by, met.reason) == ("evidence", "Ann Lee", "note for need")


TINY = """name: tiny
version: 2
label: Tiny
groups:
  - key: first
    label: First
    criteria:
      - {key: a, label: A, weight: 3, required: true}
      - {key: b, label: B, weight: 1, rule: {type: field_present, field: amount}}
  - key: second
    label: Second
    criteria:
      - {key: c, label: C, weight: 2, condition: 'complexity == "complex"'}
"""


def test_scores_are_weighted_per_group_and_overall():
    playbook = parse_playbook_text(TINY)
    facts = replace(empty(), evidence=evidence("a"))
    result = evaluate(playbook, facts, NOW)
    first, second = result.groups
    assert (first.score, first.met, first.applicable) == (0.75, 1, 2)  # 3 of 3+1
    assert (second.score, second.applicable) == (None, 0)  # c does not apply
    assert result.score == 0.75
    assert result.passed
    complex_deal = replace(facts, values={**facts.values, "complexity": "complex"})
    result = evaluate(playbook, complex_deal, NOW)
    assert result.groups[1].score == 0.0
    assert result.score == 0.5  # 3 of 3+1+2


def test_segment_overrides_change_requirements_and_weights():
    playbook = parse_playbook_text(TINY)
    overrides = {
        "*": {"b": CriterionOverride(weight=3)},
        "enterprise": {"b": CriterionOverride(required=True)},
    }
    facts = replace(empty(segment="enterprise"), evidence=evidence("a"))
    enterprise = evaluate(apply_overrides(playbook, overrides, "enterprise"), facts, NOW)
    assert [r.key for r in enterprise.missing] == ["b"]
    assert enterprise.score == 0.5  # 3 of 3+3
    smb = evaluate(apply_overrides(playbook, overrides, "SMB"), facts, NOW)
    assert smb.passed and smb.score == 0.5
    assert evaluate(playbook, facts, NOW).score == 0.75  # the playbook itself is unchanged


def test_a_lead_has_no_amount_so_the_rule_cannot_decide():
    from sqo.domain.playbooks import Facts

    lead = Facts("lead", 7, "Ada", {"segment": "SMB"})
    result = evaluate(shipped_playbook("sqo-default"), lead, NOW).result("deal_size_estimated")
    assert result.status is Status.UNKNOWN
    assert result.reason == "a lead has no amount; record evidence"


def test_the_evaluation_as_data():
    playbook = parse_playbook_text(TINY)
    data = evaluate(playbook, empty(), NOW).to_dict()
    assert data["playbook"] == "tiny" and data["playbook_version"] == "2"
    assert data["passed"] is False and data["missing"] == ["a"]
    assert [(c["key"], c["status"]) for c in data["criteria"]] == [
        ("a", "unknown"),
        ("b", "not_met"),
        ("c", "not_applicable"),
    ]
    assert data["groups"][0] == {
        "key": "first",
        "label": "First",
        "score": 0.0,
        "met": 0,
        "applicable": 2,
    }
