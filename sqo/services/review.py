"""The weekly pipeline review (DOMAIN.md section 6): one use case, every section in one result.

The review of a week is computed as the pipeline stood at the end of that week (its Sunday):
history written later is ignored, so last month's review reads the same today. Its figures are
those of the commands a manager would otherwise run one by one: the change reasons reconcile
with ``sqo pipeline-change`` for the same days, the benchmarks are ``sqo benchmarks`` over the
trailing quarter, the coaching table's win rate and cycle are ``sqo funnel --by owner`` over it.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from sqo.analytics.changes import Changes, Span, changes_over
from sqo.analytics.funnel import Conversion
from sqo.analytics.milestone_table import shared
from sqo.analytics.milestones import milestone_ladder
from sqo.analytics.periods import quarter_bounds
from sqo.analytics.qualified_deals import promoted_between, promotions_of
from sqo.domain.actor import Actor
from sqo.i18n import _
from sqo.services.analytics import FunnelReport, benchmark_report, funnel
from sqo.services.analytics_source import analytics_connection, analytics_session
from sqo.services.decisions import follow_up
from sqo.services.directory import list_reps, list_teams
from sqo.services.forecast import forecast_report
from sqo.services.forecast_reports import ForecastReport
from sqo.services.hygiene import HygieneReport, hygiene_report
from sqo.services.periods import moment_so_far
from sqo.services.review_scope import ReviewScope, ReviewWeek, parse_week, review_scope
from sqo.services.review_sections import Headline, RepLine, WeeklyReview
from sqo.services.workspace import Workspace

# Rates over a week's cohort rest on a handful of deals: the benchmarks and the coaching
# table's rates look back over the quarter ending with the reviewed week.
TRAILING_DAYS = 91
DEALS_PER_LIST = 10
# The breakdowns of the milestones the review's sections read: benchmarks and hygiene's cycle by
# segment, the funnel by team and rep.
SHARED_KEYS = ("segment", "team", "owner")


def _span(week: ReviewWeek, end: datetime, limit: int) -> Span:
    """The week from its Monday to ``end`` (its Sunday's end, or earlier), with its quarters'
    close window."""
    lo, hi = quarter_bounds(week.monday)[0], quarter_bounds(week.sunday)[1]
    return Span(week.start, min(week.end, end), lo, hi, limit)


def _changes(
    ws: Workspace, week: ReviewWeek, end: datetime, scope: ReviewScope, limit: int
) -> Changes:
    """The week's change reasons, from its Monday to ``end`` (its Sunday's end, or earlier)."""
    return _weeks_changes(ws, [_span(week, end, limit)], scope)[0]


def _weeks_changes(ws: Workspace, spans: list[Span], scope: ReviewScope) -> list[Changes]:
    with analytics_connection(ws) as connection:
        return changes_over(
            connection,
            ws.stage_model,
            spans,
            currency=ws.default_currency,
            owners=scope.owners,
        )


def _headlines(this: Changes, last: Changes, new: int, new_before: int) -> list[Headline]:
    def pair(key: str, a: int, b: int, money: bool) -> Headline:
        return Headline(key, a, b, money)

    return [
        pair("pipeline_amount", this.end_cents, last.end_cents, True),
        pair("pipeline_deals", this.end_deals, last.end_deals, False),
        pair("new_sqos", new, new_before, False),
        pair(
            "won_amount", -this.reason("won").amount_cents, -last.reason("won").amount_cents, True
        ),
        pair("lost_deals", this.reason("lost").deals, last.reason("lost").deals, False),
        pair(
            "pushed_out_deals",
            this.reason("pushed_out").deals,
            last.reason("pushed_out").deals,
            False,
        ),
    ]


def _reps(
    ws: Workspace,
    actor: Actor,
    scope: ReviewScope,
    this: Changes,
    created: Counter[int],
    report: FunnelReport,
    hygiene: HygieneReport,
) -> list[RepLine]:
    findings = {c.owner_id: c.total for c in hygiene.owner_counts if c.owner_id is not None}
    rates = {r.group.get("owner"): r for r in report.win_rates}
    spans = {c.group.get("owner"): c for c in report.cycles}
    teams = {x.id: x.name for x in list_teams(ws, actor)}
    lines = []
    for rep in sorted(scope.reps, key=lambda r: r.name):
        deals, cents = this.by_owner.get(rep.id, (0, 0))
        rate, span = rates.get(rep.name), spans.get(rep.name)
        if not (deals or created[rep.id] or rate or span or findings.get(rep.id)):
            continue  # no pipeline and nothing in the quarter: not a seller to coach here
        lines.append(
            RepLine(
                rep.id,
                rep.name,
                teams.get(rep.team_id) if rep.team_id else None,
                deals,
                cents,
                created[rep.id],
                rate.won if rate else 0,
                rate.lost if rate else 0,
                rate.rate if rate else None,
                span.median_days if span else None,
                findings.get(rep.id, 0),
            )
        )
    return lines


def _steps(ws: Workspace, cohorts: FunnelReport, scope: ReviewScope) -> list[Conversion]:
    """The funnel's steps from one milestone to the next, for the team, the rep or everyone:
    the sums of their groups (the groups of a step partition the records that entered it)."""
    ladder = milestone_ladder(ws.stage_model)
    sums: dict[tuple[str, str], list[int]] = {}
    for c in cohorts.conversions:
        if ladder.index(c.to_milestone) != ladder.index(c.from_milestone) + 1:
            continue
        if scope.rep is not None and c.group.get("owner") != scope.rep:
            continue
        if scope.team is not None and c.group.get("team") != scope.team:
            continue
        total = sums.setdefault((c.from_milestone, c.to_milestone), [0, 0, 0, 0])
        for i, value in enumerate((c.entered, c.converted, c.open, c.dropped)):
            total[i] += value
    steps = []
    for a, b in zip(ladder.names, ladder.names[1:], strict=False):
        entered, converted, still, dropped = sums.get((a, b), [0, 0, 0, 0])
        rate = converted / entered if entered else 0.0
        steps.append(Conversion(a, b, {}, entered, converted, still, dropped, rate))
    return steps


def weekly_review(
    ws: Workspace,
    actor: Actor,
    *,
    week: str | None = None,
    team: str | None = None,
    rep: str | None = None,
    as_of: datetime | None = None,
) -> WeeklyReview:
    """The review of ``week`` (default: last week) for a team, a rep or everyone."""
    now = moment_so_far(as_of)  # the day typed, not the Sunday of its week, when refused
    chosen = parse_week(week, now.date())
    scope = review_scope(ws, actor, team, rep)
    end = min(chosen.end, now)
    reviewed = chosen
    sqo = ws.stage_model.sqo_stage
    before = reviewed.previous()
    since = datetime.combine(
        reviewed.sunday - timedelta(days=TRAILING_DAYS - 1), datetime.min.time()
    )
    # One analytics session (the copy brought up to date once) and one milestone table as of
    # the week's end for the benchmarks, the funnel and hygiene's cycle: each would build its own.
    # The forecast reads its history on the same session.
    with (
        analytics_session(ws) as connection,
        shared(connection, milestone_ladder(ws.stage_model), end, SHARED_KEYS, kept=True),
    ):
        # The week before: its totals only, for the headlines.
        this, last = _weeks_changes(
            ws, [_span(reviewed, end, DEALS_PER_LIST), _span(before, end, 0)], scope
        )
        with ws.unit_of_work() as uow:
            new = promoted_between(uow.connection, sqo, reviewed.start, end, scope.owners)
            new_before = promoted_between(
                uow.connection, sqo, before.start, before.end, scope.owners
            )
            lost_ids = [d.id for d in this.reason("lost").opportunities]
            lost = promotions_of(uow.connection, sqo, lost_ids)
        bench = benchmark_report(ws, actor, start=since.date(), end=reviewed.sunday, as_of=end)
        # One funnel per team and rep serves the coaching table and, summed, the funnel section.
        cohorts = funnel(
            ws, actor, by=("team", "owner"), start=since.date(), end=reviewed.sunday, as_of=end
        )
        hygiene = hygiene_report(ws, actor, as_of=end, team=scope.team, rep=scope.rep)
        quarter = f"{reviewed.sunday.year}-Q{(reviewed.sunday.month - 1) // 3 + 1}"
        outlook = forecast_report(
            ws, actor, period=quarter, team=scope.team, rep=scope.rep, as_of=end
        )
    created = Counter(p.owner_id for p in new if p.owner_id is not None)
    reps = _reps(ws, actor, scope, this, created, cohorts, hygiene)
    conversions = _steps(ws, cohorts, scope)
    names = {r.id: r.name for r in list_reps(ws, actor)}
    quiet = not new and all(r.deals == 0 for r in this.reasons)
    notes = []
    if quiet:
        notes.append(
            _(
                "Nothing changed in the pipeline in week {week}: no new SQOs, no deal moved, "
                "won or lost.",
                week=reviewed.label,
            )
        )
    if scope.owners is not None:
        notes.append(
            _("Conversion and win rates against the benchmarks are the whole organisation's.")
        )
    notes += bench.notes
    notes += _overdue_note(ws, outlook, reviewed, end)
    sections = [
        "headlines",
        "decisions",  # the meeting starts with what it agreed last time
        "changes",
        "new_sqos",
        "key_deals",
        "hygiene",
        "forecast",
        "funnel",
        "benchmarks",
        "lost_sqos",
        "reps",
    ]
    return WeeklyReview(
        week=reviewed.label,
        start=reviewed.monday,
        end=reviewed.sunday,
        as_of=end,
        team=scope.team,
        rep=scope.rep,
        currency=ws.default_currency,
        headlines=_headlines(this, last, len(new), len(new_before)),
        changes=this,
        new_sqos=new,
        lost_sqos=lost,
        benchmarks=bench.verdicts,
        benchmarks_from=since.date(),
        reps=reps,
        funnel=conversions,
        owners=names,
        forecast=outlook,
        hygiene=hygiene,
        decisions=follow_up(ws, actor, reviewed.start, end, scope.owners, names),
        quiet=quiet,
        notes=notes,
        sections=sections,
    )


def _overdue_note(
    ws: Workspace, outlook: ForecastReport, week: ReviewWeek, end: datetime
) -> list[str]:
    """The open SQOs of the headline pipeline whose close date has passed: the pipeline-change
    definition counts them as closing in the quarter, coverage does not (a passed date is not a
    plan), so the headline and the coverage figures differ by them; say by which deals."""
    model = ws.stage_model
    start, _end = quarter_bounds(week.sunday)
    overdue = [
        d
        for d in outlook.deals
        if model.at_or_after_sqo(d.stage) and start <= d.close_date < end.date()
    ]
    if not overdue:
        return []
    return [
        _(
            "The pipeline counts {count} open SQO(s) whose close date has passed ({deals}): "
            "coverage leaves them out. Update their close dates, or close them.",
            count=len(overdue),
            deals=", ".join(f"#{d.id} {d.name} ({d.close_date.isoformat()})" for d in overdue),
        )
    ]
