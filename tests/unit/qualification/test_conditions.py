import pytest

from sqo.domain.playbooks.conditions import ConditionError, parse_condition


@pytest.mark.parametrize(
    ("source", "values", "expected"),
    [
        ('complexity == "complex"', {"complexity": "complex"}, True),
        ('complexity == "complex"', {"complexity": "standard"}, False),
        ('complexity == "COMPLEX"', {"complexity": "complex"}, True),  # text ignores case
        ('segment in ["enterprise", "mid-market"]', {"segment": "mid-market"}, True),
        ('segment in ["enterprise", "mid-market"]', {"segment": "SMB"}, False),
        ('segment in ["enterprise", "mid-market"]', {"segment": None}, False),
        ('segment not in ["SMB"]', {"segment": None}, True),
        ("amount >= 50000", {"amount": 50000.0}, True),
        ("amount >= 50000", {"amount": 49999.99}, False),
        ("amount >= 50000", {"amount": None}, False),  # unknown amount: not big
        ('amount > 10 and not segment == "SMB"', {"amount": 20, "segment": "SMB"}, False),
        ('amount > 10 or segment == "SMB"', {"amount": 5, "segment": "smb"}, True),
        ("10 < amount <= 20", {"amount": 20}, True),
        ("10 < amount <= 20", {"amount": 21}, False),
        ("industry", {"industry": "Retail"}, True),
        ("industry", {"industry": None}, False),
    ],
)
def test_conditions_evaluate_against_record_values(source, values, expected):
    assert parse_condition(source).holds(values) is expected


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("__import__('os').system('true')", "is not a condition"),
        ("complexity.upper() == 'X'", "unsupported expression"),
        ("colour == 'red'", "unknown field 'colour'"),
        ("complexity === 'complex'", "does not parse"),
        ("complexity == ", "does not parse"),
        ("amount + 1 > 2", "unsupported expression"),
        ("segment in [industry]", "only plain values"),
        ("", "empty"),
        ("amount is None", "unsupported comparison"),
    ],
)
def test_anything_but_plain_comparisons_is_refused(source, fragment):
    with pytest.raises(ConditionError) as caught:
        parse_condition(source)
    assert fragment in str(caught.value)
