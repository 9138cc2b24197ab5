"""A model file is refused with its file, line and field; the shipped file is valid."""

from __future__ import annotations

import pytest

from sqo.domain.attribution import choose, load_models, parse_models_text, shipped_models
from sqo.domain.errors import ConfigurationError, UnknownReference


def test_shipped_models_are_the_seven_the_issue_names():
    assert list(shipped_models().models) == [
        "first-touch",
        "last-touch",
        "linear",
        "u-shaped",
        "w-shaped",
        "full-path",
        "time-decay",
    ]
    assert shipped_models().models["time-decay"].half_life_days == 7


def test_weights_that_do_not_add_up_to_one_are_refused_with_file_line_and_field():
    text = "models:\n  mine:\n    label: Mine\n    weights: {first: 0.5, middle: 0.4}\n"
    with pytest.raises(ConfigurationError) as caught:
        parse_models_text(text, source="mine.yaml")
    assert "mine.yaml, line 4, models.mine.weights: the weights add up to 0.9, not 1" in str(
        caught.value.message
    )


def test_decimal_weights_add_up_exactly():
    # W-shaped's 0.3 + 0.3 + 0.3 + 0.1 is 0.9999999999999999 in floats; as decimals exactly 1.
    text = "models:\n  m:\n    weights: {first: 0.3, lead_created: 0.3, sqo_created: 0.3,\n"
    text += "      middle: 0.1}\n"
    assert str(parse_models_text(text).models["m"].weights["first"]) == "0.3"


@pytest.mark.parametrize(
    ("text", "line", "field", "problem"),
    [
        ("models:\n  m:\n    weights: {last: 1}\n", 3, "models.m.weights.last.[key]", "Input"),
        (
            "models:\n  m:\n    weights: {middle: 1}\n    middle: time_decay\n",
            2,
            "models.m",
            "half_life_days",
        ),
        (
            "models:\n  m:\n    weights: {first: 1.5, middle: -0.5}\n",
            3,
            "models.m.weights",
            "between 0 and 1",
        ),
        ("models: {}\n", 1, "models", "at least 1"),
    ],
)
def test_other_bad_files_are_refused_where_they_go_wrong(text, line, field, problem):
    with pytest.raises(ConfigurationError) as caught:
        parse_models_text(text, source="m.yaml")
    message = caught.value.message
    assert f"m.yaml, line {line}, {field}:" in message
    assert problem in message


def test_an_unreadable_file_says_why(tmp_path):
    with pytest.raises(ConfigurationError, match="Cannot read the attribution models"):
        load_models(tmp_path / "missing.yaml")


def test_choosing_an_unknown_model_lists_the_models():
    with pytest.raises(UnknownReference) as caught:
        choose(shipped_models(), "z-shaped")
    assert "first-touch" in caught.value.message and "all" in caught.value.message
    assert list(choose(shipped_models(), "W-Shaped")) == ["w-shaped"]
    assert len(choose(shipped_models(), "all")) == 7
