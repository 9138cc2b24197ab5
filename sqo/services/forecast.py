"""The period forecast: won so far, commit and best case, the expected value and its range.

Each open SQO deal gets a chance of being won inside the period: its win probability (the
model's, else the learned stage rate for its stage and segment, else the stage model's configured
value; ``sqo.services.forecast_methods`` chooses and says why) times its timing probability
(``sqo.analytics.forecast.timing``). The expected value adds those chances times the amounts to
what was already won; P10 / P50 / P90 come from 10,000 seeded Monte Carlo draws over the same
chances. A past period is forecast as it would have been made at its start, and says so.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from datetime import datetime, time

from sqo.analytics.coverage import CoverageLine, coverage
from sqo.analytics.forecast.montecarlo import DRAWS, SEED, percentiles, simulate_totals
from sqo.analytics.forecast.open_deals import OpenDeal, open_deals
from sqo.analytics.forecast.period import Period, parse_period, quarter_of
from sqo.analytics.forecast.replay import history_read_once
from sqo.analytics.forecast.stage_rates import closed_reach, learn_rates
from sqo.analytics.forecast.timing import bucket_of, learn_timing, timing_counts, timing_for
from sqo.domain.actor import Actor
from sqo.domain.stages import ForecastCategory
from sqo.i18n import _
from sqo.services import lookups
from sqo.services.analytics_source import analytics_connection, workspace_reads
from sqo.services.forecast_methods import win_probabilities
from sqo.services.forecast_reports import DealForecast, ForecastReport, LeftOutDeal, Mover
from sqo.services.periods import moment_so_far
from sqo.services.workspace import Workspace

__all__ = ["ForecastReport", "forecast_report"]

MOVERS = 10


def _scope(
    ws: Workspace, team: str | None, rep: str | None
) -> tuple[str | None, str | None, Collection[int] | None]:
    """The team's and rep's names as stored, and the owners whose deals count (None: all)."""
    if team is None and rep is None:
        return None, None, None
    with ws.unit_of_work() as uow:
        everyone = uow.people.reps()
        owners = {r.id for r in everyone}
        team_name = rep_name = None
        if team is not None:
            found = lookups.team(uow, team)
            team_name = found.name
            owners &= {r.id for r in everyone if r.team_id == found.id}
        if rep is not None:
            person = lookups.rep(uow, rep, field="rep")
            rep_name = person.name
            owners &= {person.id}
    return team_name, rep_name, owners


def _line(lines: list[CoverageLine], team: str | None, rep: str | None) -> CoverageLine | None:
    if rep is not None:
        return next((x for x in lines if x.level == "rep" and x.name == rep), None)
    if team is not None:
        return next((x for x in lines if x.level == "team" and x.name == team), None)
    return lines[-1] if lines else None


def _left_out(deal: OpenDeal) -> LeftOutDeal | None:
    if deal.unrated_currency is not None:
        return LeftOutDeal(deal.id, deal.name, deal.owner, "exchange_rate")
    if deal.amount_cents is None:
        return LeftOutDeal(deal.id, deal.name, deal.owner, "amount")
    if deal.close_date is None:
        return LeftOutDeal(deal.id, deal.name, deal.owner, "close_date")
    return None


def _category_sum(deals: list[DealForecast], period: Period, as_of: datetime, *names: str) -> int:
    """Open deals of these forecast categories closing in what is left of the period."""
    first = max(period.start, as_of.date())
    return sum(
        d.amount_cents
        for d in deals
        if d.forecast_category in names and first <= d.close_date <= period.end
    )


def forecast_report(
    ws: Workspace,
    actor: Actor,
    *,
    period: str | None = None,
    team: str | None = None,
    rep: str | None = None,
    as_of: datetime | None = None,
    method: str | None = None,
) -> ForecastReport:
    """The forecast for a period (default: the quarter of ``as_of``), a team or a rep."""
    now = moment_so_far(as_of)
    chosen = parse_period(period) if period else quarter_of(now.date())
    historical = chosen.end < now.date()
    moment = datetime.combine(chosen.start, time()) if historical else now
    team_name, rep_name, owners = _scope(ws, team, rep)
    currency = ws.default_currency
    # Every question below reads opportunity intervals (the open deals, the stage rates, eight
    # past periods' timing snapshots, the coverage): on the analytics copy where it pays (at 1M
    # deals SQLite spent two minutes on them), else computed once for them all. The model reads
    # what only the workspace holds (activities, promotions, the model itself).
    with (
        analytics_connection(ws) as connection,
        workspace_reads(ws, connection) as records,
        history_read_once(connection),
    ):
        deals = open_deals(
            connection, ws.stage_model, moment, currency=currency, owners=owners, records=records
        )
        usable = [d for d in deals if _left_out(d) is None]
        wins = win_probabilities(ws, connection, usable, moment, method, records)
        team_rates = (
            [
                r
                for r in learn_rates(
                    ws.stage_model, closed_reach(connection, ws.stage_model, moment), by_team=True
                )
                if r.team == team_name
            ]
            if team_name is not None
            else []
        )
        counts = timing_counts(connection, ws.stage_model, chosen, moment)
        timing = {(r.bucket, r.pushed, r.segment): r.rate for r in learn_timing(counts)}
        lines = coverage(
            connection, ws.stage_model, chosen.start, chosen.end, moment, currency=currency
        )
        actual = (
            coverage(connection, ws.stage_model, chosen.start, chosen.end, now, currency=currency)
            if historical
            else None
        )
    line = _line(lines, team_name, rep_name)
    won = line.won_cents if line else 0
    quota = line.quota_cents if line else None
    weighed: list[DealForecast] = []
    for deal in usable:
        assert deal.amount_cents is not None and deal.close_date is not None
        p = wins.probabilities[deal.id]
        bucket = bucket_of(deal.close_date, chosen, moment)
        tp = timing_for(timing, bucket, deal.pushes > 0, deal.segment)
        weighed.append(
            DealForecast(
                deal.id,
                deal.name,
                deal.owner,
                deal.stage,
                deal.segment,
                deal.forecast_category,
                deal.amount_cents,
                deal.close_date,
                p,
                tp,
                p * tp,
                wins.factors.get(deal.id, []),
            )
        )
    expected = won + round(sum(d.amount_cents * d.chance for d in weighed))
    spread = percentiles(
        simulate_totals([d.amount_cents for d in weighed], [d.chance for d in weighed]), won
    )
    commit = won + _category_sum(weighed, chosen, moment, ForecastCategory.COMMIT.value)
    best = commit + _category_sum(weighed, chosen, moment, ForecastCategory.BEST_CASE.value)
    movers = sorted(
        (
            Mover(
                d.id,
                d.name,
                d.owner,
                d.amount_cents,
                d.probability,
                d.timing_probability,
                round(d.amount_cents * math.sqrt(d.chance * (1 - d.chance))),
                d.factors,
            )
            for d in weighed
        ),
        key=lambda m: (-m.swing_cents, m.id),
    )[:MOVERS]
    left_out = [x for d in deals if (x := _left_out(d)) is not None]
    actual_line = _line(actual, team_name, rep_name) if actual is not None else None
    notes = [wins.reason]
    if historical:
        notes.append(
            _(
                "{period} is over: this is the forecast as it would have been made on {day}, "
                "from what was known then.",
                period=chosen.label,
                day=chosen.start.isoformat(),
            )
        )
    if left_out:
        notes.append(
            _(
                "{count} open deal(s) have no amount, no close date or no exchange rate: they are "
                "left out of every sum and listed under 'left out'.",
                count=len(left_out),
            )
        )
    overdue = [d for d in weighed if chosen.start <= d.close_date < moment.date()]
    if overdue:
        # As in coverage, a close date already past is not "closing": such a deal is in the
        # range with its chance of still closing in the period, but not in commit or best case.
        notes.append(
            _(
                "{count} open deal(s) in the period have a close date that has passed ({deals}): "
                "they count in the expected value and the range with their chance of still "
                "closing, not in commit or best case; give them a new close date.",
                count=len(overdue),
                deals=", ".join(f"#{d.id} {d.name} ({d.close_date.isoformat()})" for d in overdue),
            )
        )
    if quota is None:
        notes.append(_("No quota covers this period: there is no gap to show."))
    if not weighed:
        notes.append(_("No open SQOs to forecast: the forecast is what was already won."))
    return ForecastReport(
        period=chosen.label,
        period_start=chosen.start,
        period_end=chosen.end,
        currency=currency,
        as_of=moment,
        historical=historical,
        team=team_name,
        rep=rep_name,
        method=wins.method,
        method_reason=wins.reason,
        won_cents=won,
        commit_cents=commit,
        best_case_cents=best,
        expected_cents=expected,
        p10_cents=spread.p10_cents,
        p50_cents=spread.p50_cents,
        p90_cents=spread.p90_cents,
        quota_cents=quota,
        gap_cents=None if quota is None else quota - spread.p50_cents,
        actual_won_cents=(actual_line.won_cents if actual_line else 0) if historical else None,
        draws=DRAWS,
        seed=SEED,
        movers=movers,
        left_out=left_out,
        deals=weighed,
        stage_rates=wins.stage_rates,
        team_rates=team_rates,
        notes=notes,
    )
