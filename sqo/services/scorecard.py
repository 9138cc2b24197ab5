"""`scorecard`: each rep's figures against their team's median and the benchmarks, with the
capacity they need to reach quota this quarter.

Figures over the period (default: the 12 months before ``as_of``): SQOs created, SQL-to-SQO and
SQO-to-win rates with their cohort sizes, sales cycle, average won deal, override rate at
promotion and activity volume; hygiene findings on the deals open at ``as_of``
(:func:`sqo.services.hygiene.hygiene_report`); coverage and capacity for the quarter of
``as_of``. A figure computed from fewer deals than the benchmarks' ``min_sample`` is flagged: it
gets no verdict, does not count in the team median, and no one is ranked on it.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqo.analytics.benchmarks import assess
from sqo.analytics.capacity import Capacity, capacity
from sqo.analytics.coverage import coverage
from sqo.analytics.funnel import Window, conversions, cycles, win_rates
from sqo.analytics.milestone_table import materialized
from sqo.analytics.milestones import milestone_ladder
from sqo.analytics.periods import quarter_bounds
from sqo.analytics.scorecard import activity_volume, promotions, won_amounts
from sqo.domain.actor import Actor
from sqo.domain.values import utc_now
from sqo.i18n import _
from sqo.services import lookups
from sqo.services.benchmarks import benchmarks_config
from sqo.services.hygiene import hygiene_report
from sqo.services.named_periods import LAST_12_MONTHS, Period, parse_period
from sqo.services.public import public_dict
from sqo.services.workspace import Workspace

# The figures compared with the team median: (metric, higher is better).
COMPARED = (
    ("sqos_created", True),
    ("sql_to_sqo", True),
    ("sqo_win_rate", True),
    ("sales_cycle", False),
    ("average_deal", True),
    ("override_rate", False),
    ("activities", True),
    ("hygiene_findings", False),
)


@dataclass(frozen=True)
class Figure:
    """One figure of a rep: the value, what it is computed from (``sample``), the team median
    (over the reps with enough data), the benchmark status, and whether the sample is too small
    to judge (then it has no verdict and no comparison)."""

    value: float | None
    sample: int | None
    team_median: float | None
    benchmark: str | None
    too_few: bool


@dataclass(frozen=True)
class RepCard:
    rep: str
    team: str | None
    figures: dict[str, Figure]
    coverage: float | None
    quota_cents: int | None
    open_sqo_cents: int
    capacity: Capacity | None


@dataclass
class ScorecardReport:
    as_of: datetime
    period: str
    start: datetime
    end: datetime
    quarter_start: str
    quarter_end: str
    currency: str
    min_sample: int
    cards: list[RepCard]
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return public_dict(self)


# With less than this left of the quarter, capacity looks at the next one: what to create now
# can no longer change this quarter.
LAST_DAYS = 14


def capacity_quarter(as_of: datetime) -> tuple[date, date]:
    """The quarter coverage and capacity are for: the one of ``as_of``, or the next one in its
    last two weeks."""
    start, end = quarter_bounds(as_of.date())
    if (end - as_of.date()).days < LAST_DAYS:
        return quarter_bounds(end + timedelta(days=1))
    return start, end


def _window(period: str | None, as_of: datetime) -> Period:
    if period is None or period.strip().casefold() in ("", LAST_12_MONTHS):
        # Whole days, as `sqo funnel --from` counts them: the 365 days ending with the as-of day
        # (a start at the as-of time of day gave one rep a different win rate than the funnel).
        first = as_of.date() - timedelta(days=364)
        return Period(LAST_12_MONTHS, datetime.combine(first, time()), as_of)
    found = parse_period(period, as_of)
    if found.start is None or found.end is None:  # all time: from the first record on
        return Period(found.label, datetime(1970, 1, 1), as_of)
    return Period(found.label, found.start, min(found.end, as_of))


def scorecard(
    ws: Workspace,
    actor: Actor,
    *,
    team: str | None = None,
    rep: str | None = None,
    period: str | None = None,
    as_of: datetime | None = None,
) -> ScorecardReport:
    as_of = as_of or utc_now()
    window = _window(period, as_of)
    assert window.start is not None and window.end is not None
    config = benchmarks_config(ws)
    minimum = config.min_sample
    model = ws.stage_model
    ladder = milestone_ladder(model)
    sqo = ladder.index(model.sqo_stage)
    won_step = len(ladder.names) - 1
    cohort = Window(window.start, window.end)
    q_start, q_end = capacity_quarter(as_of)
    keys = ("owner", "team")
    with ws.unit_of_work() as uow, materialized(uow.connection, ladder, as_of, keys) as times:
        connection = uow.connection
        team_name = lookups.team(uow, team).name if team else None
        rep_name = lookups.rep(uow, rep, field="rep").name if rep else None
        pairs = [(sqo - 1, sqo), (sqo, won_step)] if sqo > 0 else [(sqo, won_step)]
        converted = conversions(
            connection, ladder, as_of, keys=keys, window=cohort, pairs=pairs, milestones=times
        )
        company_converted = conversions(
            connection, ladder, as_of, window=cohort, pairs=pairs, milestones=times
        )
        rates = win_rates(
            connection, ladder, sqo, as_of, keys=keys, window=cohort, milestones=times
        )
        company_rate = win_rates(connection, ladder, sqo, as_of, window=cohort, milestones=times)
        spans = cycles(connection, ladder, as_of, keys=keys, window=cohort, milestones=times)
        won = won_amounts(
            connection, model, times, won_step, window.start, window.end, as_of, ws.default_currency
        )
        promoted = promotions(connection, model.sqo_stage, window.start, window.end)
        activity = activity_volume(connection, window.start, window.end)
        lines = coverage(connection, model, q_start, q_end, as_of, currency=ws.default_currency)
    # The hygiene report's own rules and thresholds, over the deals open at as_of.
    hygiene = hygiene_report(ws, actor, as_of=as_of, team=team_name, rep=rep_name)
    findings = Counter(f.owner_name for f in hygiene.findings if f.owner_name is not None)
    reps: dict[str, str | None] = {}
    groups: list[dict[str, Any]] = [r.group for r in rates] + [c.group for c in spans]
    for group in groups + [c.group for c in converted]:
        owner = group.get("owner")
        if owner is not None:
            reps.setdefault(str(owner), group.get("team"))
    for quota_line in lines:
        if quota_line.level == "rep" and quota_line.name is not None:
            reps.setdefault(quota_line.name, quota_line.team)
    for name in [*activity, *promoted, *won]:
        reps.setdefault(name, None)
    if team_name is not None:
        reps = {n: tm for n, tm in reps.items() if tm == team_name}
    if rep_name is not None:
        reps = {n: tm for n, tm in reps.items() if n == rep_name}
    raw: dict[str, dict[str, tuple[float | None, int | None]]] = {}
    months = max((window.end - window.start).days, 1) / (365.25 / 12)
    for name, rep_team in reps.items():
        mine = {"owner": name, "team": rep_team}
        rate = next((r for r in rates if r.group == mine), None)
        span = next((c for c in spans if c.group == mine), None)
        sql = next(
            (c for c in converted if c.group == mine and c.to_milestone == model.sqo_stage), None
        )
        deals = won.get(name)
        promo = promoted.get(name, (0, 0))
        raw[name] = {
            "sqos_created": (float(rate.sqos) if rate else 0.0, rate.sqos if rate else 0),
            "sql_to_sqo": (sql.rate if sql else None, sql.entered if sql else 0),
            "sqo_win_rate": (rate.rate if rate else None, (rate.won + rate.lost) if rate else 0),
            "sales_cycle": (span.median_days if span else None, span.won if span else 0),
            # In currency units, as every amount of the JSON is (quota, open SQOs, remaining).
            "average_deal": (
                deals.cents / deals.deals / 100 if deals and deals.deals else None,
                deals.deals if deals else 0,
            ),
            "override_rate": (promo[1] / promo[0] if promo[0] else None, promo[0]),
            "activities": (float(activity.get(name, 0)), None),
            "hygiene_findings": (float(findings.get(name, 0)), None),
        }
    cards = []
    for name, rep_team in sorted(reps.items(), key=lambda x: (str(x[1]), x[0])):
        figures = {}
        for metric, _better in COMPARED:
            value, sample = raw[name][metric]
            too_few = sample is not None and metric != "sqos_created" and sample < minimum
            peers = [
                v
                for other, other_team in reps.items()
                if other_team == rep_team
                for v, s in [raw[other][metric]]
                if v is not None
                and not (s is not None and metric != "sqos_created" and s < minimum)
            ]
            median = statistics.median(peers) if peers else None
            verdict = None
            if metric in ("sql_to_sqo", "sqo_win_rate", "sales_cycle") and not too_few:
                found = assess(config, metric, None, value, sample)
                verdict = found.status.text() if found and found.status else None
            figures[metric] = Figure(value, sample, median, verdict, too_few)
        line = next((x for x in lines if x.level == "rep" and x.name == name), None)
        cards.append(
            RepCard(
                name,
                rep_team,
                figures,
                line.coverage if line else None,
                line.quota_cents if line else None,
                line.open_sqo_cents if line else 0,
                _capacity(
                    name,
                    rep_team,
                    line,
                    figures,
                    company_rate[0].rate if company_rate else None,
                    company_converted,
                    converted,
                    won,
                    months,
                    as_of,
                    q_start,
                    q_end,
                    model.sqo_stage,
                    ladder.names[won_step],
                ),
            )
        )
    notes = _notes(cards, minimum)
    return ScorecardReport(
        as_of,
        window.label,
        window.start,
        window.end,
        q_start.isoformat(),
        q_end.isoformat(),
        ws.default_currency,
        minimum,
        cards,
        notes,
    )


def _capacity(
    name: str,
    rep_team: str | None,
    line: Any,
    figures: dict[str, Figure],
    company_win_rate: float | None,
    company_converted: list[Any],
    converted: list[Any],
    won: dict[str, Any],
    months: float,
    as_of: datetime,
    q_start: date,
    q_end: date,
    sqo_stage: str,
    won_stage: str,
) -> Capacity | None:
    """The rep's own rates where they rest on enough deals, else the company's."""
    if line is None or line.remaining_cents is None:
        return None
    rate = figures["sqo_win_rate"]
    win_rate = rate.value if rate.value is not None and not rate.too_few else company_win_rate
    deal = figures["average_deal"]
    average = deal.value * 100 if deal.value is not None and not deal.too_few else None
    if average is None:
        totals = [w for w in won.values()]
        count = sum(w.deals for w in totals)
        average = sum(w.cents for w in totals) / count if count else None
    mine = {"owner": name, "team": rep_team}
    to_win = next(
        (
            c
            for c in converted
            if c.group == mine and (c.from_milestone, c.to_milestone) == (sqo_stage, won_stage)
        ),
        None,
    )
    company_to_win = next(
        (
            c
            for c in company_converted
            if (c.from_milestone, c.to_milestone) == (sqo_stage, won_stage)
        ),
        None,
    )
    days = to_win.median_days if to_win and to_win.converted >= 10 else None
    if days is None and company_to_win is not None:
        days = company_to_win.median_days
    end_of_quarter = datetime.combine(q_end, time.max)
    start_of_quarter = datetime.combine(q_start, time())
    return capacity(
        remaining_cents=line.remaining_cents,
        open_sqo_cents=line.open_sqo_cents,
        win_rate=win_rate,
        average_deal_cents=round(average) if average else None,
        sqos_per_month_now=(figures["sqos_created"].value or 0.0) / months,
        days_left=(end_of_quarter - max(as_of, start_of_quarter)).days,
        sqo_to_win_days=days,
    )


def _notes(cards: list[RepCard], minimum: int) -> list[str]:
    notes = [
        _(
            "Figures from fewer than {minimum} deals are flagged: no verdict, not in the team "
            "median, not compared.",
            minimum=minimum,
        ),
        _(
            "Hygiene findings are those of 'sqo hygiene' on the deals open at the as-of moment, "
            "per owner."
        ),
    ]
    if not cards:
        notes.insert(0, _("No rep has deals, activities or a quota in this period."))
    return notes
