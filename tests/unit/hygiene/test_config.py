"""The hygiene rules file: the shipped defaults are DOMAIN.md's, a bad file names line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from sqo.domain.errors import ConfigurationError
from sqo.domain.hygiene.config import RULE_KEYS, HygieneRules, load_rules, parse_rules_text


def test_the_shipped_rules_are_the_domains_defaults() -> None:
    shipped = load_rules()
    days = shipped.rules.neglected.days
    assert [days.for_segment(s) for s in ("SMB", "mid-market", "enterprise", None, "other")] == [
        7,
        14,
        21,
        14,
        14,
    ]
    assert days.for_segment("smb") == 7  # segments match without regard to case
    assert shipped.enabled() == list(RULE_KEYS)
    # the file says what the model's defaults say: no surprise when a key is left out
    assert shipped.rules == HygieneRules().rules


def test_a_bad_value_is_refused_with_its_line_and_field() -> None:
    text = (
        "name: ours\nrules:\n  neglected:\n    days: {default: 14, SMB: -3}\n"
        "  stale:\n    severity: urgent\n"
    )
    with pytest.raises(ConfigurationError) as caught:
        parse_rules_text(text, source="ours.yaml")
    message = caught.value.message
    assert "ours.yaml, line 4, rules.neglected.days" in message
    assert "ours.yaml, line 6, rules.stale.severity" in message


def test_an_unknown_rule_or_setting_is_refused() -> None:
    with pytest.raises(ConfigurationError, match=r"rules\.neglectd"):
        parse_rules_text("rules:\n  neglectd: {days: {default: 3}}\n")
    with pytest.raises(ConfigurationError, match=r"line 3, rules\.stale\.treshold"):
        parse_rules_text("rules:\n  stale:\n    treshold: 3\n")


def test_yaml_mistakes_and_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match=r"x\.yaml, line 3, YAML"):  # where it ended
        parse_rules_text("rules:\n  stale: [\n", source="x.yaml")
    with pytest.raises(ConfigurationError, match="Cannot read the hygiene rules"):
        load_rules(tmp_path / "missing.yaml")
    partial = tmp_path / "partial.yaml"
    partial.write_text("rules:\n  no_amount: {severity: low}\n", encoding="utf-8")
    loaded = load_rules(partial)
    assert loaded.severity("no_amount").value == "low"
    assert loaded.rules.neglected == HygieneRules().rules.neglected


def test_a_file_that_is_a_list_is_refused_in_words(tmp_path):
    from sqo.domain.errors import ConfigurationError
    from sqo.domain.hygiene.config import load_rules

    path = tmp_path / "rules.yaml"
    path.write_text("- neglected\n- stale\n", encoding="utf-8")
    with pytest.raises(ConfigurationError) as refused:
        load_rules(path)
    assert f"{path}, line 1, rules: the file must hold names with their values" in str(
        refused.value
    )
    assert "dictionary" not in str(refused.value)
