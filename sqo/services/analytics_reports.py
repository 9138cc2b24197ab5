"""What the analytics use cases return, each with its public schema (``to_dict()``).

The schema is what ``--json`` prints and what a route will return: one shape, defined here,
so no face rebuilds it. Amounts are in major units, dates in ISO 8601 (``sqo.services.public``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any

from sqo.analytics.benchmarks import Verdict, sample_text
from sqo.analytics.coverage import CoverageLine
from sqo.analytics.currency import LeftOut, left_out_notes
from sqo.analytics.funnel import Conversion, Cycle, WinRate
from sqo.analytics.stage_time import StageTime
from sqo.analytics.waterfall import Bar, BarDeal, PipelineChange
from sqo.services.public import public, public_dict

__all__ = [
    "Bar",
    "BarDeal",
    "BenchmarkReport",
    "CoverageReport",
    "FunnelReport",
    "PipelineChangeReport",
    "StageReport",
    "sample_text",
]


def _without(record: Any, name: str) -> dict[str, Any]:
    data = public(record)
    data.pop(name, None)
    return dict(data)


@dataclass
class FunnelReport:
    as_of: datetime
    keys: tuple[str, ...]
    start: date | None
    end: date | None
    conversions: list[Conversion]
    win_rates: list[WinRate]
    cycles: list[Cycle]
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return public_dict(
            {
                "as_of": self.as_of,
                "group_by": list(self.keys),
                "from": self.start,
                "to": self.end,
                "conversions": [
                    c.as_json() | {"conversion_rate": c.rate, "rate_basis": "entered"}
                    for c in self.conversions
                ],
                "win_rates": [
                    {**w.group, **_without(w, "group"), "sqo_win_rate": w.rate}
                    | {"rate_basis": "closed"}
                    for w in self.win_rates
                ],
                "cycles": [{**c.group, **_without(c, "group")} for c in self.cycles],
                "notes": self.notes,
            }
        )


@dataclass
class BenchmarkReport:
    as_of: datetime
    benchmarks: str
    verdicts: list[Verdict]
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return public_dict(
            {
                "as_of": self.as_of,
                "benchmarks": self.benchmarks,
                "metrics": [
                    {**public(v), "status_text": v.status.text() if v.status else None}
                    for v in self.verdicts
                ],
                "notes": self.notes,
            }
        )


@dataclass
class CoverageReport:
    as_of: datetime
    period_start: date
    period_end: date
    currency: str
    lines: list[CoverageLine]
    notes: list[str] = field(default_factory=list)
    left_out: list[LeftOut] = field(default_factory=list)  # deals not converted: no rate
    quotas_left_out: list[LeftOut] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return public_dict(self)


class PipelineChangeReport(PipelineChange):
    """The pipeline change (``sqo.analytics.waterfall``) with its public schema and notes."""

    @classmethod
    def of(cls, change: PipelineChange) -> PipelineChangeReport:
        return cls(**{f.name: getattr(change, f.name) for f in fields(change)})

    @property
    def notes(self) -> list[str]:
        """What the amounts leave out (deals in a currency without an exchange rate)."""
        return left_out_notes(self.left_out)

    def to_dict(self) -> dict[str, Any]:
        return {**public(self), "reconciles": self.reconciles}


@dataclass
class StageReport:
    as_of: datetime
    times: list[StageTime]
    drop_off: list[Conversion]

    def to_dict(self) -> dict[str, Any]:
        return public_dict(
            {
                "as_of": self.as_of,
                "time_in_stage": self.times,
                "drop_off": [c.as_json() for c in self.drop_off],
            }
        )
