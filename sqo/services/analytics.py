"""Use cases for funnel analytics: conversion, win rate, cycle, coverage, pipeline change, stages.

Each takes the workspace, the acting person (for row-level rules later) and ``as_of``: history
after ``as_of`` is ignored, so "the funnel as it was last Monday" is the same code path.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from pathlib import Path

from babel.numbers import format_decimal

from sqo import i18n
from sqo.analytics import stage_time
from sqo.analytics.benchmarks import Verdict, assess
from sqo.analytics.breakdowns import parse_breakdown
from sqo.analytics.coverage import coverage, coverage_left_out, quotas_left_out
from sqo.analytics.currency import LeftOut, left_out_notes
from sqo.analytics.funnel import (
    Conversion,
    Window,
    conversions,
    cycles,
    default_pairs,
    direct_opportunities,
    win_rates,
)
from sqo.analytics.history_gaps import cycle_withheld, history_gaps, win_rate_withheld
from sqo.analytics.milestone_table import materialized
from sqo.analytics.milestones import Ladder, milestone_ladder
from sqo.analytics.periods import quarter_bounds
from sqo.analytics.waterfall import pipeline_change
from sqo.domain.actor import Actor
from sqo.domain.errors import InvalidValue, list_values
from sqo.domain.values import utc_now
from sqo.i18n import _
from sqo.services.analytics_reports import (
    BenchmarkReport,
    CoverageReport,
    FunnelReport,
    PipelineChangeReport,
    StageReport,
)
from sqo.services.analytics_source import analytics_connection
from sqo.services.benchmarks import benchmarks_config
from sqo.services.periods import check_range, review_week
from sqo.services.workspace import Workspace

__all__ = [
    "BenchmarkReport",
    "CoverageReport",
    "FunnelReport",
    "PipelineChangeReport",
    "StageReport",
    "benchmark_report",
    "benchmarks_config",
    "coverage_report",
    "funnel",
    "pipeline_change_report",
    "stage_report",
]


def window_of(start: date | None, end: date | None) -> Window:
    """Whole days: from the start of ``start`` to the end of ``end``."""
    return Window(
        None if start is None else datetime.combine(start, time()),
        None if end is None else datetime.combine(end + timedelta(days=1), time()),
    )


def _pair(
    ladder: Ladder, ws: Workspace, from_stage: str | None, to_stage: str | None
) -> list[tuple[int, int]] | None:
    if from_stage is None and to_stage is None:
        return None
    chosen: list[int | None] = []
    for value in (from_stage, to_stage):
        if value is None:
            chosen.append(None)
            continue
        name = ws.stage_model.stage(value).name
        if name not in ladder.names:
            raise InvalidValue(
                _(
                    "{stage} is not a funnel milestone. Milestones: {allowed}.",
                    stage=name,
                    allowed=list_values(ladder.names),
                ),
                field="stage",
                allowed=ladder.names,
            )
        chosen.append(ladder.index(name))
    a, b = chosen
    pairs = [
        p for p in default_pairs(ladder) if (a is None or p[0] == a) and (b is None or p[1] == b)
    ]
    if a is not None and b is not None:
        if a >= b:
            raise InvalidValue(
                _(
                    "{first} comes after {second} in the funnel; milestones: {allowed}.",
                    first=ladder.names[a],
                    second=ladder.names[b],
                    allowed=list_values(ladder.names),
                ),
                field="stage",
                allowed=ladder.names,
            )
        pairs = [(a, b)]
    return pairs


def funnel(
    ws: Workspace,
    actor: Actor,
    *,
    by: Sequence[str] | str | None = None,
    start: date | None = None,
    end: date | None = None,
    from_stage: str | None = None,
    to_stage: str | None = None,
    as_of: datetime | None = None,
) -> FunnelReport:
    """Cohort conversion between milestones (and to Won), SQO-to-win rate and sales cycle."""
    as_of = as_of or utc_now()
    keys = parse_breakdown(by)
    check_range(start, end, names=("--from", "--to"))
    ladder = milestone_ladder(ws.stage_model)
    pairs = _pair(ladder, ws, from_stage, to_stage)
    window = window_of(start, end)
    with (
        analytics_connection(ws) as connection,
        materialized(connection, ladder, as_of, keys, kept=True) as times,
    ):
        rows = conversions(
            connection, ladder, as_of, keys=keys, window=window, pairs=pairs, milestones=times
        )
        rates = win_rates(
            connection,
            ladder,
            ladder.index(ws.stage_model.sqo_stage),
            as_of,
            keys=keys,
            window=window,
            milestones=times,
        )
        spans = cycles(connection, ladder, as_of, keys=keys, window=window, milestones=times)
        gaps = history_gaps(connection, ladder, ladder.index(ws.stage_model.sqo_stage), times)
        direct = direct_opportunities(connection, times, window)
    notes = []
    first = ladder.names[0]
    to = next((r.to_milestone for r in rows if r.from_milestone == first), None)
    if direct and to is not None:
        # The groups of one pair partition the records that entered: their sum is the whole.
        entered = sum(r.entered for r in rows if (r.from_milestone, r.to_milestone) == (first, to))
        notes.append(
            _(
                "{first} entered counts {direct} opportunities created without a lead (they "
                "skipped the lead stages, which count as passed) and {leads} leads.",
                first=first,
                direct=format_decimal(direct, locale=i18n.locale()),
                leads=format_decimal(entered - direct, locale=i18n.locale()),
            )
        )
    if gaps.losses_missing and any(r.won and not r.lost for r in rates):
        rates = [replace(r, rate=None) if r.won and not r.lost else r for r in rates]
        notes.append(win_rate_withheld(gaps, ws.stage_model.sqo_stage))
    if gaps.wins_missing and spans:
        spans = [replace(c, mean_days=None, median_days=None, p90_days=None) for c in spans]
        notes.append(cycle_withheld(gaps))
    if not rows:
        notes.append(_("No records entered the funnel in this period: every figure is zero."))
        empty = dict.fromkeys(keys)
        rows = [
            Conversion(ladder.names[a], ladder.names[b], dict(empty), 0, 0, 0, 0, 0.0)
            for a, b in (pairs or default_pairs(ladder))
        ]
    if not rates:
        notes.append(_("No SQOs in this period: there is no win rate yet."))
    return FunnelReport(as_of, keys, start, end, rows, rates, spans, notes)


def benchmark_report(
    ws: Workspace,
    actor: Actor,
    *,
    start: date | None = None,
    end: date | None = None,
    as_of: datetime | None = None,
    benchmarks_file: Path | None = None,
) -> BenchmarkReport:
    """Every benchmarked metric per segment (and overall) next to its benchmark."""
    as_of = as_of or utc_now()
    check_range(start, end, names=("--from", "--to"))
    config = benchmarks_config(ws, benchmarks_file)
    ladder = milestone_ladder(ws.stage_model)
    sqo = ladder.index(ws.stage_model.sqo_stage)
    sql = sqo - 1 if sqo > 0 else None  # the last lead milestone before SQO (SQL by default)
    window = window_of(start, end)
    verdicts: list[Verdict] = []
    missing: list[LeftOut] = []
    withheld: dict[tuple[str | None, str], str] = {}  # (segment, metric): why
    with (
        analytics_connection(ws) as connection,
        materialized(connection, ladder, as_of, ("segment",), kept=True) as times,
    ):
        gaps = history_gaps(connection, ladder, sqo, times)
        for keys in ((), ("segment",)):
            values: dict[str | None, dict[str, float | None]] = {}
            samples: dict[tuple[str | None, str], int] = {}  # (segment, metric): records
            if sql is not None:
                for row in conversions(
                    connection,
                    ladder,
                    as_of,
                    keys=keys,
                    window=window,
                    pairs=[(sql, sqo)],
                    durations=False,
                    milestones=times,
                ):
                    values.setdefault(row.group.get("segment"), {})["sql_to_sqo"] = row.rate
                    samples[row.group.get("segment"), "sql_to_sqo"] = row.entered
            rates = win_rates(
                connection, ladder, sqo, as_of, keys=keys, window=window, milestones=times
            )
            for rate in rates:
                values.setdefault(rate.group.get("segment"), {})["sqo_win_rate"] = rate.rate
                samples[rate.group.get("segment"), "sqo_win_rate"] = rate.won + rate.lost
                if gaps.losses_missing and rate.won and not rate.lost:
                    reason = win_rate_withheld(gaps, ws.stage_model.sqo_stage)
                    withheld[rate.group.get("segment"), "sqo_win_rate"] = reason
            spans = cycles(connection, ladder, as_of, keys=keys, window=window, milestones=times)
            for cycle in spans:
                values.setdefault(cycle.group.get("segment"), {})["sales_cycle"] = cycle.median_days
                samples[cycle.group.get("segment"), "sales_cycle"] = cycle.won
                if gaps.wins_missing:
                    withheld[cycle.group.get("segment"), "sales_cycle"] = cycle_withheld(gaps)
            if not keys:
                values.setdefault(None, {})
                lo, hi = quarter_bounds(as_of.date())
                company = coverage(
                    connection, ws.stage_model, lo, hi, as_of, currency=ws.default_currency
                )[-1]
                values[None]["pipeline_coverage"] = company.coverage
                samples[None, "pipeline_coverage"] = company.open_deals
                missing = coverage_left_out(
                    connection, ws.stage_model, lo, hi, as_of, currency=ws.default_currency
                )
            for segment in sorted(values, key=lambda s: (s is not None, str(s))):
                if keys and segment is None:
                    continue
                for metric in ("sql_to_sqo", "sqo_win_rate", "sales_cycle", "pipeline_coverage"):
                    if metric == "pipeline_coverage" and keys:
                        continue
                    verdict = assess(
                        config,
                        metric,
                        segment,
                        values[segment].get(metric),
                        samples.get((segment, metric), 0),
                    )
                    if verdict is not None:
                        verdicts.append(verdict)
    notes = []
    if all(v.value is None for v in verdicts):
        notes.append(_("No data in this period: nothing to compare with the benchmarks yet."))
    notes += left_out_notes(missing)  # the coverage figure leaves these amounts out
    # A figure computed without the deals the missing history hides gets no verdict.
    verdicts = [
        replace(v, value=None, status=None, gap=None, sentence=why)
        if (why := withheld.get((v.segment, v.metric)))
        else v
        for v in verdicts
    ]
    notes += list(dict.fromkeys(withheld.values()))
    return BenchmarkReport(as_of, config.name, verdicts, notes)


def coverage_report(
    ws: Workspace,
    actor: Actor,
    *,
    period_start: date | None = None,
    period_end: date | None = None,
    as_of: datetime | None = None,
) -> CoverageReport:
    """Coverage per rep, team and company for a period (default: the quarter of ``as_of``)."""
    as_of = as_of or utc_now()
    lo, hi = quarter_bounds(as_of.date())
    start, end = period_start or lo, period_end or hi
    check_range(start, end, names=("--from", "--to"))
    currency = ws.default_currency
    with analytics_connection(ws) as connection:
        lines = coverage(connection, ws.stage_model, start, end, as_of, currency=currency)
        missing = coverage_left_out(
            connection, ws.stage_model, start, end, as_of, currency=currency
        )
        missing_quotas = quotas_left_out(connection, start, end, as_of, currency=currency)
    notes = []
    if all(line.quota_cents is None for line in lines):
        notes.append(_("No quotas cover this period: set them with 'sqo quota set'."))
    if any(line.remaining_cents is not None and line.remaining_cents <= 0 for line in lines):
        notes.append(_("Where the quota is already met, coverage is not shown."))
    overdue = lines[-1].overdue_deals if lines else 0
    if overdue:
        notes.append(
            _(
                "{count} open SQO(s) have a close date in the period that has already passed: "
                "they are not counted as closing in it. Update their close dates (or close "
                "them).",
                count=overdue,
            )
        )
    notes += left_out_notes(missing)
    notes += [
        _(
            "Quotas leave out {count} quota(s) in {currency}: there is no exchange rate for "
            "{currency}.",
            count=x.deals,
            currency=x.currency,
        )
        for x in missing_quotas
    ]
    return CoverageReport(as_of, start, end, currency, lines, notes, missing, missing_quotas)


def pipeline_change_report(
    ws: Workspace,
    actor: Actor,
    *,
    start: date | None = None,
    end: date | None = None,
    close_from: date | None = None,
    close_to: date | None = None,
    limit: int = 10,
) -> PipelineChangeReport:
    """The pipeline at the start of ``start`` and at the end of ``end``, and every change between.
    The days default to the review week (``sqo.services.periods``); the close window to the
    quarters spanned by the two dates."""
    start, end = review_week(start, end)
    check_range(start, end, names=("--from", "--to"))
    lo = close_from or quarter_bounds(start)[0]
    hi = close_to or quarter_bounds(end)[1]
    check_range(lo, hi, names=("--close-from", "--close-to"))
    first = datetime.combine(start, time())
    last = datetime.combine(end, time.max)
    with analytics_connection(ws) as connection:
        change = pipeline_change(
            connection,
            ws.stage_model,
            first,
            last,
            lo,
            hi,
            currency=ws.default_currency,
            limit=limit,
        )
    return PipelineChangeReport.of(change)


def stage_report(
    ws: Workspace, actor: Actor, *, stage: str | None = None, as_of: datetime | None = None
) -> StageReport:
    """Time in each stage (median, p90) and stage-to-stage drop-off."""
    as_of = as_of or utc_now()
    name = ws.stage_model.stage(stage).name if stage else None
    with analytics_connection(ws) as connection:
        times = stage_time.time_in_stage(connection, ws.stage_model, as_of)
        drops = stage_time.drop_off(connection, ws.stage_model, as_of)
    if name is not None:
        times = [x for x in times if x.stage == name]
        drops = [x for x in drops if name in (x.from_milestone, x.to_milestone)]
    return StageReport(as_of, times, drops)
