"""Learned stage rates on their own (`sqo forecast rates`): by segment or by team, each shrunk
towards the company's rate, with the closed deals behind it and the thin ones flagged.

The forecast uses the segment rates; team rates are shown, not used, so that the teams'
forecasts add up to the company's (docs/forecast.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqo.analytics.forecast.stage_rates import PRIOR_DEALS, StageRate, closed_reach, learn_rates
from sqo.domain.actor import Actor
from sqo.domain.errors import InvalidValue, list_values
from sqo.i18n import _
from sqo.services.analytics_source import analytics_connection
from sqo.services.periods import moment_so_far
from sqo.services.public import public_dict
from sqo.services.workspace import Workspace

__all__ = ["BREAKDOWNS", "StageRate", "StageRatesReport", "stage_rates_report"]

BREAKDOWNS = ("segment", "team")


@dataclass(frozen=True)
class StageRatesReport:
    as_of: datetime
    by: str  # segment or team
    closed_sqos: int  # closed deals that reached the SQO stage
    prior_deals: int  # the shrinkage strength: as if this many more deals closed at the wider rate
    rates: list[StageRate] = field(default_factory=list)  # per stage: company, then each group
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return public_dict(self)


def stage_rates_report(
    ws: Workspace, actor: Actor, *, by: str = "segment", as_of: datetime | None = None
) -> StageRatesReport:
    """Every open stage's learned rate for the company and per segment or team, as of then."""
    key = by.strip().casefold()
    if key not in BREAKDOWNS:
        raise InvalidValue(
            _(
                "Unknown breakdown {key!r}. Valid breakdowns: {allowed}.",
                key=by,
                allowed=list_values(BREAKDOWNS),
            ),
            field="by",
            allowed=BREAKDOWNS,
        )
    moment = moment_so_far(as_of)
    model = ws.stage_model
    with analytics_connection(ws) as connection:
        reach = closed_reach(connection, model, moment)
    rates = learn_rates(model, reach, by_team=key == "team")
    company = [r for r in rates if r.company_wide]
    shown = [r for r in rates if r.company_wide or (r.team if key == "team" else r.segment)]
    closed = next((r.reached for r in company if r.stage == model.sqo_stage), 0)
    notes = [
        _(
            "Counted as reached from {count} closed SQOs; each team's rate is pulled towards the "
            "company's as if {prior} more deals had closed at it.",
            count=closed,
            prior=PRIOR_DEALS,
        )
        if key == "team"
        else _(
            "Counted as reached from {count} closed SQOs; each segment's rate is pulled towards "
            "the company's as if {prior} more deals had closed at it.",
            count=closed,
            prior=PRIOR_DEALS,
        )
    ]
    if any(r.small for r in shown):
        notes.append(
            _(
                "Rates marked * rest on fewer than {prior} closed deals: the company's rate "
                "weighs at least as much as their own.",
                prior=PRIOR_DEALS,
            )
        )
    if key == "team":
        notes.append(
            _(
                "The forecast uses the segment rates, not the team rates, so that the teams' "
                "forecasts add up to the company's."
            )
        )
    if not closed:
        notes.append(_("No SQO has closed yet: every rate is the stage model's configured value."))
    return StageRatesReport(moment, key, closed, PRIOR_DEALS, shown, notes)
