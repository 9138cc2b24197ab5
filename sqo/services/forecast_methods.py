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
from sqo.analytics.forecast.training_rows import deal_rows
from sqo.domain.errors import InvalidValue, list_values
from sqo.i18n import _
from sqo.services.forecast_models import StoredModel, beats, stored_model, too_little
from sqo.services.workspace import Workspace

METHODS = ("model", "stage_rates", "configured")


@dataclass(frozen=True)
class WinProbabilities:
    method: str
    reason: str
    probabilities: dict[int, float]  # deal id -> chance of being won
    stage_rates: list[StageRate] = field(default_factory=list)
    factors: dict[int, list[str]] = field(default_factory=dict)  # deal id -> why, in words


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
    records: Connection | None = None,
) -> WinProbabilities:
    """Each deal's win probability by the method asked or chosen, and why; ``records`` reads
    what only the workspace database holds (the model, activities, promotions) when
    ``connection`` is the analytics copy."""
    check_method(method)
    model = ws.stage_model
    rates = learn_rates(model, closed_reach(connection, model, moment))
    closed = sum(r.reached for r in rates if r.company_wide and r.stage == model.sqo_stage)
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
    records = connection if records is None else records
    stored = stored_model(records) if method in (None, "model") else None
    why_not = _model_refused(stored, moment, method)
    if stored is not None and why_not is None:
        return _scored(ws, records, stored, deals, moment, rates)
    if why_not is not None:
        reason = _(
            "Method: learned stage rates, from {count} closed SQOs (by stage and segment): {why}",
            count=closed,
            why=why_not,
        )
    elif method == "model":
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


def _model_refused(stored: StoredModel | None, moment: datetime, method: str | None) -> str | None:
    """Why the trained model is not used for a forecast made at ``moment`` (None: it is)."""
    if stored is None:
        return None
    info = stored.summary
    if (short := too_little(info.won, info.lost, info.threshold)) is not None:
        return short
    if moment < info.window_end:
        return _(
            "the trained model learned from deals that closed up to {day}, after this "
            "forecast's moment, so it would know the future.",
            day=info.window_end.date().isoformat(),
        )
    if method is None and beats(info.scores) is False:
        return _(
            "the trained model does not beat the configured stage percentages on the later "
            "weeks (Brier score)."
        )
    return None


def _scored(
    ws: Workspace,
    connection: Connection,
    stored: StoredModel,
    deals: Sequence[OpenDeal],
    moment: datetime,
    rates: list[StageRate],
) -> WinProbabilities:
    from sqo.analytics.forecast.explain import explain  # scikit-learn: only with a model

    rows = deal_rows(connection, ws.stage_model, moment, only=[d.id for d in deals])
    chances = stored.fitted.probabilities(rows)
    lookup = rate_lookup(rates)
    scored = {r.deal_id: float(p) for r, p in zip(rows, chances, strict=True)}
    why = explain(stored.fitted, rows)
    info = stored.summary
    reason = _(
        "Method: the win-probability model ({kind}, trained {day} on {won} won and {lost} lost "
        "SQOs).",
        kind=info.kind,
        day=info.trained_at.date().isoformat(),
        won=info.won,
        lost=info.lost,
    )
    return WinProbabilities(
        "model",
        reason,
        {d.id: scored.get(d.id, rate_for(lookup, d.stage, d.segment)) for d in deals},
        rates,
        {r.deal_id: [f.text for f in fs] for r, fs in zip(rows, why, strict=True)},
    )
