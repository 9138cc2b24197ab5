"""Every figure the analytics commands show, through the services, as plain data to compare."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqo.domain.actor import Actor
from sqo.services import analytics
from sqo.services.workspace import open_workspace

ACTOR = Actor("tester")
TOLERANCE = 1e-9  # rates, quantiles and days: relative, and absolute near zero


@dataclass(frozen=True)
class Scenario:
    """The moments and periods a fixture workspace is read at."""

    as_of: datetime
    coverage: tuple[date, date]
    change: tuple[date, date]
    close: tuple[date, date]
    more_breakdowns: tuple[str, ...] = ()  # funnels besides by segment,quarter


def figures(db: str, scenario: Scenario) -> dict[str, Any]:
    """The reports of funnel (by segment and quarter, and the scenario's other breakdowns),
    stages, coverage, pipeline change and benchmarks, each as its JSON document (what --json
    prints)."""
    ws = open_workspace(db)
    try:
        at = scenario.as_of
        return {
            "funnel by segment,quarter": analytics.funnel(
                ws, ACTOR, by="segment,quarter", as_of=at
            ).to_dict(),
            **(
                {
                    f"funnel by {by}": analytics.funnel(ws, ACTOR, by=by, as_of=at).to_dict()
                    for by in scenario.more_breakdowns
                }
            ),
            "stages": analytics.stage_report(ws, ACTOR, as_of=at).to_dict(),
            "coverage": analytics.coverage_report(
                ws,
                ACTOR,
                period_start=scenario.coverage[0],
                period_end=scenario.coverage[1],
                as_of=at,
            ).to_dict(),
            "pipeline change": analytics.pipeline_change_report(
                ws,
                ACTOR,
                start=scenario.change[0],
                end=scenario.change[1],
                close_from=scenario.close[0],
                close_to=scenario.close[1],
                limit=10,
            ).to_dict(),
            "benchmarks": analytics.benchmark_report(ws, ACTOR, as_of=at).to_dict(),
        }
    finally:
        ws.close()


def differences(expected: Any, found: Any, where: str = "") -> list[str]:
    """Where ``found`` differs from ``expected``: counts and text exactly, floats to 1e-9."""
    if isinstance(expected, dict) and isinstance(found, dict):
        out = []
        for key in sorted(set(expected) | set(found), key=str):
            if key not in found or key not in expected:
                out.append(f"{where}/{key}: only in {'expected' if key in expected else 'found'}")
                continue
            out += differences(expected[key], found[key], f"{where}/{key}")
        return out
    if isinstance(expected, list) and isinstance(found, list):
        if len(expected) != len(found):
            return [f"{where}: {len(expected)} items expected, {len(found)} found"]
        return [
            d
            for i, (e, f) in enumerate(zip(expected, found, strict=True))
            for d in differences(e, f, f"{where}[{i}]")
        ]
    if isinstance(expected, float) or isinstance(found, float):
        if (
            isinstance(expected, int | float)
            and isinstance(found, int | float)
            and not isinstance(expected, bool)
            and math.isclose(expected, found, rel_tol=TOLERANCE, abs_tol=TOLERANCE)
        ):
            return []
        return [f"{where}: expected {expected!r}, found {found!r}"]
    if expected != found or type(expected) is not type(found):
        return [f"{where}: expected {expected!r}, found {found!r}"]
    return []
