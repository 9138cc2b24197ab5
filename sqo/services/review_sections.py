"""What the weekly review returns, section by section, with its public schema (``to_dict()``).

One shape for every face: ``sqo review --format json`` prints it, the Markdown and HTML
renderings (``sqo.reports``) read it, and a web page will too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqo.analytics.benchmarks import Verdict
from sqo.analytics.changes import MOVEMENTS, TAGS, Changes, DealChange, Reason
from sqo.analytics.funnel import Conversion
from sqo.analytics.qualified_deals import Promotion
from sqo.services.decisions import FollowUp
from sqo.services.forecast_reports import ForecastReport
from sqo.services.hygiene import HygieneReport
from sqo.services.public import public, public_dict

__all__ = [
    "MOVEMENTS",
    "TAGS",
    "Conversion",
    "DealChange",
    "FollowUp",
    "Headline",
    "Promotion",
    "Reason",
    "RepLine",
    "WeeklyReview",
]


@dataclass(frozen=True)
class Headline:
    """A number this week next to the same number last week."""

    key: str  # pipeline_amount, pipeline_deals, new_sqos, won_amount, lost_deals, pushed_out_deals
    this_week: int  # cents for amounts
    last_week: int
    money: bool

    @property
    def change(self) -> int:
        return self.this_week - self.last_week


@dataclass(frozen=True)
class RepLine:
    """One rep's coaching line."""

    rep_id: int
    rep: str
    team: str | None
    pipeline_deals: int
    pipeline_cents: int
    sqos_created: int  # promoted to SQO in the week
    won: int  # of the SQOs of the trailing quarter since closed
    lost: int
    win_rate: float | None
    cycle_days: float | None  # median days to won, deals won in the trailing quarter
    hygiene_findings: int  # as of the week's end (sqo hygiene)


@dataclass
class WeeklyReview:
    week: str
    start: date
    end: date
    as_of: datetime
    team: str | None
    rep: str | None
    currency: str
    headlines: list[Headline]
    changes: Changes
    new_sqos: list[Promotion]
    lost_sqos: list[Promotion]
    benchmarks: list[Verdict]
    benchmarks_from: date
    reps: list[RepLine]
    funnel: list[Conversion]  # the trailing quarter's cohorts, of the team or rep reviewed
    owners: dict[int, str]  # rep names by id, for the deals' owners
    decisions: list[FollowUp]  # taken in the week or still due in it, and whether they held
    forecast: ForecastReport  # the quarter of the week's Sunday, as of the week's end
    hygiene: HygieneReport  # the findings as of the week's end
    quiet: bool  # nothing changed this week
    notes: list[str] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)  # the sections this review holds

    def headline(self, key: str) -> Headline:
        return next(h for h in self.headlines if h.key == key)

    def waterfall(self) -> list[tuple[str, int, int]]:
        """(bar, deals, signed amount) in the waterfall's order, amount up and down together."""
        c = self.changes
        bars = [(c.reason(n).name, c.reason(n).deals, c.reason(n).amount_cents) for n in MOVEMENTS]
        up, down = c.reason("amount_up"), c.reason("amount_down")
        bars.insert(
            2, ("amount_changes", up.deals + down.deals, up.amount_cents + down.amount_cents)
        )
        return bars

    def to_dict(self) -> dict[str, Any]:
        c = self.changes
        data = public_dict(
            {
                "week": self.week,
                "from": self.start,
                "to": self.end,
                "as_of": self.as_of,
                "team": self.team,
                "rep": self.rep,
                "currency": self.currency,
                "quiet": self.quiet,
                "sections": self.sections,
                "headlines": [_headline(h) for h in self.headlines],
                "changes": {
                    "close_from": c.close_from,
                    "close_to": c.close_to,
                    "start_amount": c.start_cents / 100,
                    "start_deals": c.start_deals,
                    "end_amount": c.end_cents / 100,
                    "end_deals": c.end_deals,
                    "reconciles": c.start_cents + sum(b[2] for b in self.waterfall())
                    == c.end_cents,
                    "waterfall": [
                        {"bar": bar, "deals": deals, "amount": cents / 100}
                        for bar, deals, cents in self.waterfall()
                    ],
                    "reasons": c.reasons,
                },
                "key_deals": {
                    "largest": c.largest,
                    "movers": c.movers,
                    "at_risk": c.at_risk,
                },
                "new_sqos": self.new_sqos,
                "lost_sqos": self.lost_sqos,
                "benchmarks": {
                    "from": self.benchmarks_from,
                    "to": self.end,
                    "metrics": [
                        {**public(v), "status_text": v.status.text() if v.status else None}
                        for v in self.benchmarks
                    ],
                },
                "funnel": {
                    "from": self.benchmarks_from,
                    "to": self.end,
                    "conversions": [c.as_json() for c in self.funnel],
                },
                "decisions": self.decisions,
                "forecast": None,  # JSON-ready already: set below, in this place
                "hygiene": None,
                "reps": self.reps,
                "owners": self.owners,
                "notes": self.notes,
            }
        )
        # Their to_dict() is the public form: walking it again cost seconds at a million deals
        # (91,000 hygiene findings).
        data["forecast"] = _forecast(self.forecast)
        data["hygiene"] = self.hygiene.to_dict()
        return data


def _headline(h: Headline) -> dict[str, Any]:
    unit = 100 if h.money else 1
    return {
        "key": h.key,
        "this_week": h.this_week / unit if h.money else h.this_week,
        "last_week": h.last_week / unit if h.money else h.last_week,
        "change": h.change / unit if h.money else h.change,
        "money": h.money,
    }


def _forecast(f: ForecastReport) -> dict[str, Any]:
    """The forecast's figures and movers; its per-deal lines stay with `sqo forecast --json`."""
    data = f.to_dict()
    for key in ("deals", "stage_rates"):
        data.pop(key, None)
    return data
