"""The ISO fast path of parse_moment must decide every input exactly as the general reading."""

from __future__ import annotations

import re
from datetime import datetime
from unittest import mock

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sqo.domain.errors import InvalidValue
from sqo.io import values
from sqo.io.values import parse_moment


def _digits(n: int) -> st.SearchStrategy[str]:
    return st.text(st.sampled_from("0123456789"), min_size=n, max_size=n)


def _part(low: int, high: int) -> st.SearchStrategy[str]:
    # Mostly valid two-digit parts, sometimes out of range or one digit long.
    return st.one_of(st.integers(low, high).map(lambda v: f"{v:02d}"), _digits(1), _digits(2))


_ZONE = st.one_of(
    st.just(""),
    st.just("Z"),
    st.tuples(st.sampled_from("+-"), _part(0, 14), st.sampled_from(["", ":"]), _part(0, 59)).map(
        "".join
    ),
)
_TIME = st.one_of(
    st.just(""),
    st.tuples(
        st.sampled_from("T "),
        _part(0, 23),
        st.just(":"),
        _part(0, 59),
        st.one_of(
            st.just(""),
            st.tuples(
                st.just(":"),
                _part(0, 59),
                st.one_of(st.just(""), st.integers(1, 9).flatmap(_digits).map(lambda f: "." + f)),
            ).map("".join),
        ),
    ).map("".join),
)
ISO_ISH = st.tuples(
    st.one_of(st.integers(1, 9999).map(lambda v: f"{v:04d}"), _digits(4), _digits(3)),
    st.just("-"),
    _part(1, 12),
    st.just("-"),
    _part(1, 31),
    _TIME,
    _ZONE,
).map("".join)


def _outcome(text: str) -> object:
    try:
        return parse_moment(text, field="closed_at")
    except InvalidValue as exc:
        return ("refused", exc.message)
    except OverflowError:
        return ("overflow",)


def _general(text: str) -> object:
    with mock.patch.object(values, "_ISO_FAST", re.compile(r"(?!)")):
        return _outcome(text)


@settings(max_examples=1500, deadline=None)
@given(ISO_ISH)
@example("2024-03-05 14:22:31")
@example("2024-03-05T14:22:31.123456789+0530")
@example("2024-02-30 10:00")
@example("0001-01-01T00:30:00+01:00")
@example("9999-12-31 23:59:59-0100")
def test_fast_path_decides_as_the_general_reading(text: str) -> None:
    assert _outcome(text) == _general(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-05 14:22:31", datetime(2024, 3, 5, 14, 22, 31)),
        ("2024-03-05T14:22", datetime(2024, 3, 5, 14, 22)),
        ("2024-03-05T14:22:31.999Z", datetime(2024, 3, 5, 14, 22, 31)),
        ("2024-03-05T01:22:31+0200", datetime(2024, 3, 4, 23, 22, 31)),
        ("2024-03-05 23:00:00-05:30", datetime(2024, 3, 6, 4, 30)),
    ],
)
def test_iso_shapes_with_space_offsets_and_fractions(text: str, expected: datetime) -> None:
    assert parse_moment(text, field="closed_at") == expected


class _Unused:
    def match(self, text: str) -> None:
        raise AssertionError(f"{text!r} took the general reading")


@pytest.mark.parametrize(
    "text",
    ["2024-03-05 14:22:31", "2024-03-05T14:22:31+01:00", "2024-03-05 14:22:31.250+0100"],
)
def test_export_shapes_take_the_fast_path(text: str) -> None:
    with mock.patch.object(values, "_DATE", _Unused()):
        parse_moment(text, field="closed_at")
