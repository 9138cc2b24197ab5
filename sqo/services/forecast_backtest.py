"""`sqo forecast backtest`: every forecast method replayed week by week over a window of the
workspace's history (``sqo.analytics.forecast.backtest``), and which one won."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqo.domain.actor import Actor
from sqo.domain.values import utc_now
from sqo.i18n import _
from sqo.services.forecast_models import check_features
from sqo.services.periods import check_range
from sqo.services.public import public_dict
from sqo.services.workspace import Workspace

if TYPE_CHECKING:  # the backtest fits models: scikit-learn is imported when it runs
    from sqo.analytics.forecast.backtest import MethodResult, Prediction

DEFAULT_WEEKS = 52


@dataclass
class BacktestReport:
    start: date
    end: date
    cutoff: datetime
    weeks: int
    results: list[MethodResult]
    without: list[str]  # features the models left out
    winner: str | None  # the lowest Brier score
    model_beats_fixed: bool | None  # the better model against the configured stage values
    notes: list[str] = field(default_factory=list)
    predictions: list[Prediction] = field(default_factory=list)  # kept only when asked

    def to_dict(self) -> dict[str, Any]:
        data = public_dict(self)
        data.pop("predictions")
        return data


def backtest_report(
    ws: Workspace,
    actor: Actor,
    *,
    start: date | None = None,
    end: date | None = None,
    as_of: datetime | None = None,
    keep_predictions: bool = False,
    without: Sequence[str] = (),
) -> BacktestReport:
    """Replay the Mondays from ``start`` (default: a year before ``end``) to ``end`` (default:
    the as-of day), outcomes as known at ``as_of``."""
    left_out = check_features(without)
    cutoff = as_of or utc_now()
    last = end or cutoff.date()
    first = start or last - timedelta(weeks=DEFAULT_WEEKS)
    check_range(first, last, names=("--from", "--to"))
    from sqo.analytics.forecast.backtest import run_backtest

    with ws.unit_of_work() as uow:
        result = run_backtest(
            uow.connection,
            ws.stage_model,
            first,
            last,
            cutoff,
            keep_predictions=keep_predictions,
            without=left_out,
        )
    scores = {r.method: r.brier for r in result.results if r.brier is not None}
    winner = min(scores, key=lambda m: scores[m]) if scores else None
    models = [scores[m] for m in ("logistic_regression", "gradient_boosting") if m in scores]
    fixed = scores.get("configured")
    beats = None if not models or fixed is None else min(models) < fixed
    notes = []
    if not result.weeks:
        notes.append(
            _(
                "No Monday in the window had every method predicting: the models need at least "
                "50 won and 50 lost closed SQOs before a Monday to be replayed. Widen the window "
                "or wait for more history."
            )
        )
    if winner is not None:
        notes.append(_("Lowest Brier score: {method}.", method=winner))
    if beats is False:
        notes.append(
            _(
                "The model does not beat the fixed stage percentages here: its Brier score is "
                "no better than the configured stage values'."
            )
        )
    return BacktestReport(
        result.start,
        result.end,
        cutoff,
        result.weeks,
        result.results,
        list(left_out),
        winner,
        beats,
        notes,
        result.predictions,
    )
