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


FIXTURES = ("edge", "demo")


def _differences(computed: Computed, fixture: str, engine: str) -> list[str]:
    expected, found = computed(fixture, REFERENCE), computed(fixture, engine)
    return [f"{fixture}: {d}" for d in differences(expected, found)]


@pytest.mark.parametrize(
    "engine", [pytest.param("postgresql database", marks=pytest.mark.postgres), "duckdb copy"]
)
@pytest.mark.parametrize("fixture", FIXTURES)
def test_every_figure_is_the_same_on_every_engine(
    computed: Computed, fixture: str, engine: str
) -> None:
    problems = _differences(computed, fixture, engine)
    assert problems == [], f"{engine} differs from the {REFERENCE}:\n" + "\n".join(problems[:40])


@pytest.mark.spark
def test_every_figure_is_the_same_on_spark(computed: Computed) -> None:
    """Both fixtures in one test: one test process starts Spark, not both (two JVMs on two
    cores would each run at half speed)."""
    problems = [d for fixture in FIXTURES for d in _differences(computed, fixture, "spark")]
    assert problems == [], f"spark differs from the {REFERENCE}:\n" + "\n".join(problems[:40])


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
