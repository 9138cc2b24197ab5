"""The same figures on every engine: the SQLite database (the reference), PostgreSQL, the
DuckDB analytics copy and Spark over the Parquet export, for every report of the analytics
commands on the demo and on a workspace of edge cases (tests/conformance/edge_workspace.py).

Counts and text must be equal; rates, quantiles and days equal to 1e-9 (relative, or absolute
near zero: SQLite's julianday differences carry about 1e-10 days of rounding).
"""

from __future__ import annotations

import pytest

from tests.conformance.conftest import ENGINES, Computed
from tests.conformance.figures import differences

REFERENCE = ENGINES[0]


MARKS = {"postgresql database": [pytest.mark.postgres], "spark": [pytest.mark.spark]}


@pytest.mark.parametrize("engine", [pytest.param(e, marks=MARKS.get(e, [])) for e in ENGINES[1:]])
@pytest.mark.parametrize("fixture", ["edge", "demo"])
def test_every_figure_is_the_same_on_every_engine(
    computed: Computed, fixture: str, engine: str
) -> None:
    expected = computed(fixture, REFERENCE)
    found = computed(fixture, engine)
    problems = differences(expected, found)
    assert problems == [], f"{engine} differs from the {REFERENCE} on {fixture}:\n" + "\n".join(
        problems[:40]
    )


def test_the_reference_has_figures_to_compare(computed: Computed) -> None:
    """A conformance suite over empty reports would prove nothing: the fixtures exercise every
    report (conversions, win rates, cycles, stays, coverage lines, bars and verdicts)."""
    for fixture in ("edge", "demo"):
        report = computed(fixture, REFERENCE)
        funnel = report["funnel by segment,quarter"]
        assert funnel["conversions"] and funnel["win_rates"] and funnel["cycles"]
        assert report["stages"]["time_in_stage"] and report["stages"]["drop_off"]
        assert report["coverage"]["lines"]
        assert any(bar["deals"] for bar in report["pipeline change"]["bars"])
        assert report["benchmarks"]["metrics"]
