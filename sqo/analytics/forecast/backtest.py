"""The backtest: history replayed week by week, each method predicting with only what was known
that week, scored against how the deals ended.

Every Monday of the window, each deal open in the SQO pipeline then (and closed by the cut-off)
gets a win probability from each method: the configured stage values; learned stage rates as of
that Monday; Odoo-style naive Bayes over the deals closed by then; and the two models (logistic
regression, gradient boosting), refitted every ``RETRAIN_WEEKS`` weeks on the weekly rows of the
deals closed by then, once at least ``MODEL_MIN`` won and lost deals have closed. Methods are
scored on the same rows: the weeks where every method predicts.

Deal level: Brier score, log loss, AUC and a reliability table. Period level: each Monday, the
quarter's total from the deals open then (amount x win x timing), against what those deals
actually won by the quarter's end; WAPE, signed bias, the share within +-10% and the share of
Mondays whose actual fell inside the P10-P90 range (``sqo.analytics.forecast.montecarlo``). New
deals created and won later in the quarter are in no method's forecast, so they are not in the
actual either: the backtest scores the probabilities, not pipeline creation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import numpy as np
from sqlalchemy import Connection

from sqo.analytics.forecast.fitted import FittedModel
from sqo.analytics.forecast.model import BOOSTED, LOGISTIC, fit_one
from sqo.analytics.forecast.montecarlo import percentiles, simulate_totals
from sqo.analytics.forecast.naive_bayes import NaiveBayes
from sqo.analytics.forecast.period import Period, quarter_of
from sqo.analytics.forecast.replay import history_read_once
from sqo.analytics.forecast.scores import Bin, reliability, score
from sqo.analytics.forecast.stage_rates import closed_reach, learn_rates, rate_for, rate_lookup
from sqo.analytics.forecast.timing import bucket_of, learn_timing, timing_counts, timing_for
from sqo.analytics.forecast.training_rows import DealRow, history_span, rows_at
from sqo.analytics.states import open_sqo_stages
from sqo.domain.stages import StageModel

METHODS = ("configured", "stage_rates", "naive_bayes", LOGISTIC, BOOSTED)
RETRAIN_WEEKS = 4
MODEL_MIN = 50
HIT = 0.10


@dataclass(frozen=True)
class Prediction:
    week: datetime
    deal_id: int
    stage: str
    method: str
    probability: float
    won: bool


@dataclass(frozen=True)
class MethodResult:
    method: str
    rows: int
    brier: float | None
    log_loss: float | None
    auc: float | None
    reliability: list[Bin]
    weeks: int  # Mondays with a period total
    wape: float | None  # sum |expected - actual| / sum actual
    bias: float | None  # sum (expected - actual) / sum actual: positive = too high
    hit_rate: float | None  # share of Mondays within +-10% of the actual
    coverage: float | None  # share of Mondays whose actual fell inside P10-P90


@dataclass
class Backtest:
    start: date
    end: date
    cutoff: datetime
    weeks: int  # Mondays scored (every method predicting)
    results: list[MethodResult]
    predictions: list[Prediction] = field(default_factory=list)


def mondays(start: date, end: date) -> list[datetime]:
    first = start + timedelta(days=(7 - start.weekday()) % 7)
    days = []
    while first <= end:
        days.append(datetime.combine(first, time()))
        first += timedelta(days=7)
    return days


@dataclass
class _Week:
    moment: datetime
    rows: list[DealRow]
    chances: dict[str, list[float]] = field(default_factory=dict)
    timing: list[float] = field(default_factory=list)


def _closed_by(pool: Sequence[DealRow], moment: datetime) -> list[DealRow]:
    return [r for r in pool if r.moment < moment and r.closed_on and r.closed_on < moment.date()]


def _last_rows(rows: Sequence[DealRow]) -> list[DealRow]:
    latest: dict[int, DealRow] = {}
    for r in rows:
        if r.deal_id not in latest or r.moment > latest[r.deal_id].moment:
            latest[r.deal_id] = r
    return list(latest.values())


def _timing(connection: Connection, model: StageModel, week: _Week) -> list[float]:
    period = quarter_of(week.moment.date())
    rates = {
        (t.bucket, t.pushed, t.segment): t.rate
        for t in learn_timing(timing_counts(connection, model, period, week.moment))
    }
    found = []
    for r in week.rows:
        if r.days_to_close is None:
            found.append(0.0)
            continue
        close = week.moment.date() + timedelta(days=round(r.days_to_close))
        bucket = bucket_of(close, period, week.moment)
        found.append(timing_for(rates, bucket, r.pushes > 0, r.segment))
    return found


def _totals(week: _Week, method: str) -> tuple[int, int, int, int]:
    """Expected, P10, P90 and actual (cents) of the quarter, from the deals open that Monday."""
    period: Period = quarter_of(week.moment.date())
    amounts = [r.amount_cents or 0 for r in week.rows]
    chances = [p * t for p, t in zip(week.chances[method], week.timing, strict=True)]
    expected = round(sum(a * c for a, c in zip(amounts, chances, strict=True)))
    spread = percentiles(simulate_totals(amounts, chances))
    actual = sum(
        a
        for a, r in zip(amounts, week.rows, strict=True)
        if r.won and r.closed_on is not None and r.closed_on <= period.end
    )
    return expected, spread.p10_cents, spread.p90_cents, actual


def _result(method: str, weeks: Sequence[_Week]) -> MethodResult:
    p = [c for w in weeks for c in w.chances[method]]
    y = [bool(r.won) for w in weeks for r in w.rows]
    s = score(p, y)
    totals = [_totals(w, method) for w in weeks if w.rows]
    actual = sum(t[3] for t in totals)
    errors = [t[0] - t[3] for t in totals]
    return MethodResult(
        method,
        s.rows,
        s.brier,
        s.log_loss,
        s.auc,
        reliability(p, y),
        len(totals),
        sum(abs(e) for e in errors) / actual if actual else None,
        sum(errors) / actual if actual else None,
        (float(np.mean([abs(t[0] - t[3]) <= HIT * t[3] for t in totals])) if totals else None),
        float(np.mean([t[1] <= t[3] <= t[2] for t in totals])) if totals else None,
    )


def run_backtest(
    connection: Connection,
    model: StageModel,
    start: date,
    end: date,
    cutoff: datetime,
    *,
    keep_predictions: bool = False,
    without: Sequence[str] = (),
) -> Backtest:
    """Every method replayed over the Mondays from ``start`` to ``end`` (outcomes as known at
    ``cutoff``)."""
    configured = {s.name: s.probability for s in model.stages}
    stages = open_sqo_stages(model)
    weeks: list[_Week] = []
    with history_read_once(connection):
        first, _last = history_span(connection)
        history_start = first.date() if first else start
        moments = mondays(history_start, end)
        pool = rows_at(connection, model, moments, outcome_at=cutoff)
        by_moment: dict[datetime, list[DealRow]] = {m: [] for m in moments}
        for row in pool:
            by_moment[row.moment].append(row)
        weeks += [_Week(m, rows) for m, rows in by_moment.items() if m.date() >= start]
        fitted: dict[str, FittedModel] = {}
        since_fit = RETRAIN_WEEKS
        for week in weeks:
            rates = rate_lookup(learn_rates(model, closed_reach(connection, model, week.moment)))
            closed = _closed_by(pool, week.moment)
            deals = _last_rows(closed)
            week.chances["configured"] = [configured.get(r.stage, 0.0) for r in week.rows]
            week.chances["stage_rates"] = [rate_for(rates, r.stage, r.segment) for r in week.rows]
            bayes = NaiveBayes(stages).fit(deals)
            week.chances["naive_bayes"] = [bayes.probability(r) for r in week.rows]
            won = sum(1 for r in deals if r.won)
            if won >= MODEL_MIN and len(deals) - won >= MODEL_MIN:
                if since_fit >= RETRAIN_WEEKS or not fitted:
                    fitted = {kind: fit_one(kind, closed, without) for kind in (LOGISTIC, BOOSTED)}
                    since_fit = 0
                since_fit += 1
                for kind, m in fitted.items():
                    week.chances[kind] = m.probabilities(week.rows).tolist()
            if len(week.chances) == len(METHODS):
                week.timing = _timing(connection, model, week)
    scored = [w for w in weeks if len(w.chances) == len(METHODS)]
    predictions = (
        [
            Prediction(w.moment, r.deal_id, r.stage, method, w.chances[method][i], bool(r.won))
            for w in scored
            for method in METHODS
            for i, r in enumerate(w.rows)
        ]
        if keep_predictions
        else []
    )
    return Backtest(
        start,
        end,
        cutoff,
        len(scored),
        [_result(method, scored) for method in METHODS] if scored else [],
        predictions,
    )
