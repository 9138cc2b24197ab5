from pathlib import Path

import pytest

from sqo.domain.errors import ConfigurationError, UnknownReference
from sqo.domain.playbooks import load_playbook, parse_playbook_text, shipped_playbook
from sqo.domain.playbooks.loader import SHIPPED_DIR, shipped_playbooks
from sqo.domain.playbooks.rules import ActivityRule, ContactCount, ContactRole, FieldPresent

HEADER = """name: tiny
version: 1
label: Tiny
groups:
  - key: only
    label: Only
    criteria:
"""


def refusal(text: str) -> str:
    with pytest.raises(ConfigurationError) as caught:
        parse_playbook_text(HEADER + text, source="tiny.yaml")
    return caught.value.message


def test_the_default_playbook_has_the_twenty_criteria_in_five_groups():
    playbook = shipped_playbook("sqo-default")
    assert [(g.key, [c.key for c in g.criteria]) for g in playbook.groups] == [
        (
            "clear_opportunity",
            ["problem_identified", "solution_fit", "value_proposition", "competitive_position"],
        ),
        (
            "economics",
            ["deal_size_estimated", "budget_range", "pricing_parameters", "procurement_process"],
        ),
        ("access", ["economic_buyer", "key_stakeholders", "access_confirmed", "champion"]),
        ("timeline", ["buying_timeline", "decision_process", "key_milestones", "next_steps"]),
        (
            "engagement",
            [
                "prospect_responsive",
                "meetings_happening",
                "information_flowing",
                "mutual_commitment",
            ],
        ),
    ]
    champion = playbook.criterion("champion")
    assert champion is not None and champion.required
    assert champion.condition == 'complexity == "complex"'
    assert playbook.criterion("deal_size_estimated").rule == FieldPresent(  # type: ignore[union-attr]
        type="field_present", field="amount"
    )
    meetings = playbook.criterion("meetings_happening").rule  # type: ignore[union-attr]
    assert isinstance(meetings, ActivityRule) and meetings.within_days == 30
    assert {k.value for k in meetings.kinds} == {"meeting", "demo"}
    assert isinstance(playbook.criterion("economic_buyer").rule, ContactRole)  # type: ignore[union-attr]
    assert playbook.criterion("key_stakeholders").rule == ContactCount(  # type: ignore[union-attr]
        type="contacts", min_count=2
    )


def test_every_shipped_playbook_loads():
    assert sorted(shipped_playbooks()) == [
        "bant",
        "champ",
        "consulting-firm",
        "digital-agency",
        "meddpicc",
        "sqo-default",
        "sqo-essentials",
        "startup",
    ]
    assert len(list(SHIPPED_DIR.glob("*.yaml"))) == 8


def test_a_duplicate_criterion_key_is_refused_with_its_line():
    message = refusal("""      - key: budget
        label: Budget
      - key: need
        label: Need
      - key: budget
        label: Budget again
""")
    assert (
        "tiny.yaml, line 12, groups.0.criteria.2.key: duplicate criterion key 'budget'" in message
    )


def test_a_rule_on_an_unknown_field_is_refused_with_its_line():
    message = refusal("""      - key: budget
        label: Budget
        rule: {type: field_present, field: budjet}
""")
    assert "tiny.yaml, line 10, groups.0.criteria.0.rule.field: unknown field 'budjet'" in message


@pytest.mark.parametrize("weight", ["0", "-2", "heavy", "true"])
def test_a_weight_that_is_not_a_positive_number_is_refused(weight):
    message = refusal(f"""      - key: budget
        label: Budget
        weight: {weight}
""")
    assert "tiny.yaml, line 10, groups.0.criteria.0.weight:" in message


def test_a_condition_that_does_not_parse_is_refused_with_its_line():
    message = refusal("""      - key: champion
        label: Champion
        condition: complexity = "complex"
""")
    assert "tiny.yaml, line 10, groups.0.criteria.0.condition:" in message
    assert "does not parse" in message


def test_a_condition_on_an_unknown_field_is_refused():
    message = refusal("""      - key: champion
        label: Champion
        condition: size == "big"
""")
    assert "line 10" in message and "unknown field 'size'" in message


def test_a_key_written_twice_in_yaml_is_refused():
    with pytest.raises(ConfigurationError) as caught:
        parse_playbook_text("name: a\nlabel: A\nname: b\n", source="twice.yaml")
    assert "twice.yaml, line 3, name: the key 'name' appears twice" in caught.value.message


def test_a_criterion_met_by_nothing_is_refused():
    message = refusal("""      - key: budget
        label: Budget
        evidence: false
""")
    assert "line 8" in message and "must be met by evidence, by a rule, or both" in message


def test_several_problems_are_listed_together():
    message = refusal("""      - key: a
        label: A
        weight: 0
      - key: b
        label: B
        rule: {type: activity, within_days: -1}
""")
    assert "line 10" in message and "line 13" in message


def test_a_missing_file_is_a_clear_error(tmp_path: Path):
    with pytest.raises(ConfigurationError) as caught:
        load_playbook(tmp_path / "nope.yaml")
    assert "Cannot read the playbook" in caught.value.message


def test_an_unknown_shipped_name_lists_the_playbooks():
    with pytest.raises(UnknownReference) as caught:
        shipped_playbook("spin")
    assert "Unknown playbook 'spin'" in caught.value.message
    assert "bant" in caught.value.allowed  # type: ignore[operator]


def test_swedish_labels_are_used_in_swedish():
    criterion = shipped_playbook("sqo-default").criterion("champion")
    assert criterion is not None
    assert criterion.text("sv")[0] == "Champion identifierad"
    assert criterion.text("en")[0] == "Champion identified"
