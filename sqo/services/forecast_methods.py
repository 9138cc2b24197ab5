"""Which win probability a forecast uses, and why: the fallback chain said plainly.

``model`` (the fitted win-probability model, when one is trained on enough history), else
``stage_rates`` (learned from closed deals, ``sqo.analytics.forecast.stage_rates``), else
``configured`` (the stage model's probabilities, when nothing has closed yet). A method asked
for by name is used if it can be; otherwise the report says what was used instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection

from sqo.analytics.forecast.open_deals import OpenDeal
from sqo.analytics.forecast.stage_rates import (
    StageRate,
    closed_reach,
    learn_rates,
    rate_for,
    rate_lookup,
)
from sqo.domain.errors import InvalidValue, list_values
from sqo.i18n import _
from sqo.services.workspace import Workspace

METHODS = ("model", "stage_rates", "configured")


@dataclass(frozen=True)
class WinProbabilities:
    method: str
    reason: str
    probabilities: dict[int, float]  # deal id -> chance of being won
    stage_rates: list[StageRate] = field(default_factory=list)


def check_method(method: str | None) -> None:
    if method is not None and method not in METHODS:
        raise InvalidValue(
            _(
                "Unknown forecast method {value!r}. Methods: {allowed}.",
                value=method,
                allowed=list_values(METHODS),
            ),
            field="method",
            allowed=METHODS,
        )


def win_probabilities(
    ws: Workspace,
    connection: Connection,
    deals: Sequence[OpenDeal],
    moment: datetime,
    method: str | None,
) -> WinProbabilities:
    check_method(method)
    model = ws.stage_model
    rates = learn_rates(model, closed_reach(connection, model, moment))
    closed = sum(r.reached for r in rates if r.segment is None and r.stage == model.sqo_stage)
    if method == "configured" or not closed:
        reason = (
            _("Method: configured stage values, as asked.")
            if method == "configured"
            else _(
                "Method: configured stage values: no SQO has closed yet, so there is nothing "
                "to learn stage rates from."
            )
        )
        return WinProbabilities(
            "configured",
            reason,
            {d.id: model.stage(d.stage).probability for d in deals},
            rates,
        )
    lookup = rate_lookup(rates)
    if method == "model":
        reason = _(
            "Method: learned stage rates: no win-probability model is trained yet (run 'sqo "
            "model train'); the rates come from {count} closed SQOs.",
            count=closed,
        )
    else:
        reason = _(
            "Method: learned stage rates, from {count} closed SQOs (by stage and segment).",
            count=closed,
        )
    return WinProbabilities(
        "stage_rates",
        reason,
        {d.id: rate_for(lookup, d.stage, d.segment) for d in deals},
        rates,
    )
