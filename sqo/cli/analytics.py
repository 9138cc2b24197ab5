"""`sqo funnel`, `sqo benchmarks`, `sqo coverage`, `sqo pipeline-change`, `sqo stages`."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer

from sqo.analytics.benchmarks import sample_text
from sqo.analytics.currency import left_out_notes
from sqo.cli import output
from sqo.cli.context import CliState, as_of_option, state
from sqo.cli.opportunities import JsonOption
from sqo.domain.values import parse_date, utc_now
from sqo.i18n import _
from sqo.services import analytics, analytics_source
from sqo.services.workspace import Workspace
from sqo.store.analytics_copy import copy_path

AsOfOption = Annotated[
    str | None,
    typer.Option("--as-of", help="Compute as of this date (end of day) or time; default now."),
]
FromOption = Annotated[str | None, typer.Option("--from", help="Cohort window start (YYYY-MM-DD).")]
ToOption = Annotated[str | None, typer.Option("--to", help="Cohort window end (YYYY-MM-DD).")]


def _as_of(value: str | None) -> datetime | None:
    moment: datetime | None = as_of_option(value)
    return moment


def _day(value: str | None, field: str) -> date | None:
    return parse_date(value, field=field) if value else None


def _days(value: float | None) -> str:
    return output.number(value, 1)


def _group(group: dict[str, Any]) -> str:
    return " / ".join("—" if v is None else str(v) for v in group.values())


def _workspace(st: CliState) -> Workspace:
    """The workspace, saying so first when its analytics copy is about to be built."""
    ws = st.workspace()
    if analytics_source.copy_to_build(ws):
        output.error_console.print(
            _(
                "Building the analytics copy of this workspace first (once; on a large "
                "workspace this takes a minute)."
            )
        )
    return ws


def _notes(notes: list[str]) -> None:
    for note in notes:
        output.console.print(note)


def funnel_command(
    ctx: typer.Context,
    by: Annotated[
        list[str] | None,
        typer.Option(
            "--by",
            help="Breakdowns: segment, owner, manager, team, source, campaign, week, month, "
            "quarter (comma-separated or repeated).",
        ),
    ] = None,
    start: FromOption = None,
    end: ToOption = None,
    from_stage: Annotated[
        str | None, typer.Option("--from-stage", help="Only from this milestone.")
    ] = None,
    to_stage: Annotated[
        str | None, typer.Option("--to-stage", help="Only to this milestone.")
    ] = None,
    as_of: AsOfOption = None,
    as_json: JsonOption = False,
) -> None:
    """Cohort conversion between funnel milestones, SQO-to-win rate and sales cycle."""
    st = state(ctx)
    report = analytics.funnel(
        _workspace(st),
        st.actor(),
        by=by,
        start=_day(start, "from"),
        end=_day(end, "to"),
        from_stage=from_stage,
        to_stage=to_stage,
        as_of=_as_of(as_of),
    )
    if as_json:
        output.print_json(
            {
                "as_of": report.as_of,
                "group_by": list(report.keys),
                "from": report.start,
                "to": report.end,
                "conversions": [
                    c.as_json() | {"conversion_rate": c.rate, "rate_basis": "entered"}
                    for c in report.conversions
                ],
                "win_rates": [
                    {**w.group, **_without(w, "group"), "sqo_win_rate": w.rate}
                    | {"rate_basis": "closed"}
                    for w in report.win_rates
                ],
                "cycles": [{**c.group, **_without(c, "group")} for c in report.cycles],
                "notes": report.notes,
            }
        )
        return
    keys = [k.capitalize() for k in report.keys]
    output.table(
        _("Cohort conversion"),
        [
            _("From"),
            _("To"),
            *keys,
            _("Entered"),
            _("Converted"),
            _("Open"),
            _("Dropped"),
            _("Conversion (open included)"),
            _("Median days"),
            _("P90 days"),
        ],
        [
            [
                c.from_milestone,
                c.to_milestone,
                *c.group.values(),
                output.number(c.entered),
                output.number(c.converted),
                output.number(c.open),
                output.number(c.dropped),
                output.percent(c.rate),
                _days(c.median_days),
                _days(c.p90_days),
            ]
            for c in report.conversions
        ],
        right=range(2 + len(keys), 9 + len(keys)),
    )
    if report.win_rates:
        output.table(
            _("SQO win rate: won ÷ closed, open SQOs left out (by SQO cohort)"),
            [*keys, _("SQOs"), _("Won"), _("Lost"), _("Open"), _("SQO win rate (won ÷ closed)")],
            [
                [*w.group.values(), w.sqos, w.won, w.lost, w.open, output.percent(w.rate)]
                for w in report.win_rates
            ],
            right=range(len(keys), len(keys) + 5),
        )
    if report.cycles:
        output.table(
            _("Sales cycle: first contact to closed won (days)"),
            [*keys, _("Won"), _("Average"), _("Median"), _("P90")],
            [
                [
                    *c.group.values(),
                    c.won,
                    _days(c.mean_days),
                    _days(c.median_days),
                    _days(c.p90_days),
                ]
                for c in report.cycles
            ],
            right=range(len(keys), len(keys) + 4),
        )
    _notes(report.notes)


def _without(record: Any, name: str) -> dict[str, Any]:
    data = output.plain(record)
    data.pop(name, None)
    return dict(data)


def benchmarks_command(
    ctx: typer.Context,
    start: FromOption = None,
    end: ToOption = None,
    benchmarks: Annotated[
        Path | None, typer.Option("--benchmarks", help="Your own benchmarks file (YAML).")
    ] = None,
    as_of: AsOfOption = None,
    as_json: JsonOption = False,
) -> None:
    """Every funnel metric next to the benchmark for its segment."""
    st = state(ctx)
    report = analytics.benchmark_report(
        _workspace(st),
        st.actor(),
        start=_day(start, "from"),
        end=_day(end, "to"),
        as_of=_as_of(as_of),
        benchmarks_file=benchmarks,
    )
    if as_json:
        output.print_json(
            {
                "as_of": report.as_of,
                "benchmarks": report.benchmarks,
                "metrics": [
                    {**output.plain(v), "status_text": v.status.text() if v.status else None}
                    for v in report.verdicts
                ],
                "notes": report.notes,
            }
        )
        return
    rows = []
    for v in report.verdicts:
        rows.append(
            [
                v.segment or _("all"),
                _(v.label),
                _value(v.value, v.metric),
                "—" if v.sample is None else f"{output.number(v.sample)} {sample_text(v.metric)}",
                f"{_value(v.low, v.metric)}–{_value(v.high, v.metric)}",
                v.status.text() if v.status else "—",
                v.sentence,
            ]
        )
    output.table(
        _("Benchmarks ({name})", name=report.benchmarks),
        [
            _("Segment"),
            _("Metric"),
            _("Value"),
            _("Based on"),
            _("Benchmark"),
            _("Status"),
            _("Gap"),
        ],
        rows,
        right=(2, 3),
    )
    _notes(report.notes)


def _value(value: float | None, metric: str) -> str:
    if metric in ("sql_to_sqo", "sqo_win_rate"):
        return output.percent(value)
    if metric == "sales_cycle":
        return _days(value)
    return "—" if value is None else output.number(value, 2) + "x"


def coverage_command(
    ctx: typer.Context,
    start: Annotated[
        str | None, typer.Option("--from", help="Period start (default: this quarter).")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="Period end (default: this quarter).")
    ] = None,
    as_of: AsOfOption = None,
    as_json: JsonOption = False,
) -> None:
    """Pipeline coverage: open SQO amount closing in the period over the quota still to close."""
    st = state(ctx)
    report = analytics.coverage_report(
        _workspace(st),
        st.actor(),
        period_start=_day(start, "from"),
        period_end=_day(end, "to"),
        as_of=_as_of(as_of),
    )
    if as_json:
        output.print_json(report)
        return
    cur = report.currency
    names = {"rep": _("rep"), "team": _("team"), "company": _("company")}
    output.table(
        _(
            "Pipeline coverage {start} – {end}",
            start=output.day(report.period_start),
            end=output.day(report.period_end),
        ),
        [
            _("Level"),
            _("Name"),
            _("Open SQO"),
            _("Deals"),
            _("Quota"),
            _("Won"),
            _("To close"),
            _("Coverage"),
        ],
        [
            [
                names[x.level],
                x.name or _("Company"),
                output.money(x.open_sqo_cents, cur),
                output.number(x.open_deals),
                output.money(x.quota_cents, cur),
                output.money(x.won_cents, cur),
                output.money(x.remaining_cents, cur),
                "—" if x.coverage is None else output.number(x.coverage, 2) + "x",
            ]
            for x in report.lines
        ],
        right=range(2, 8),
    )
    _notes(report.notes)


BAR_LABELS = {
    "created": "+ created or newly qualified",
    "pulled_in": "+ pulled into the period",
    "amount_changes": "+/- amount changes",
    "pushed_out": "- pushed out of the period",
    "won": "- won",
    "lost": "- lost",
    "demoted": "- moved back below SQO",
}


def pipeline_change_command(
    ctx: typer.Context,
    start: Annotated[
        str | None,
        typer.Option(
            "--from", help="First day (pipeline at its start; default: a week before --to)."
        ),
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="Last day (pipeline at its end; default: today).")
    ] = None,
    close_from: Annotated[
        str | None, typer.Option("--close-from", help="Close window start.")
    ] = None,
    close_to: Annotated[str | None, typer.Option("--close-to", help="Close window end.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=0, help="Deals shown per bar.")] = 5,
    as_json: JsonOption = False,
) -> None:
    """How the pipeline changed between two dates, bar by bar, with the deals behind each."""
    st = state(ctx)
    ws = _workspace(st)
    today = utc_now().date()
    end_day = parse_date(end, field="to") if end else today
    change = analytics.pipeline_change_report(
        ws,
        st.actor(),
        # The weekly pipeline review's question by default: what changed in the last 7 days.
        start=parse_date(start, field="from") if start else end_day - timedelta(days=7),
        end=end_day,
        close_from=_day(close_from, "close-from"),
        close_to=_day(close_to, "close-to"),
        limit=limit,
    )
    if as_json:
        output.print_json({**output.plain(change), "reconciles": change.reconciles})
        return
    cur = change.currency
    rows = [
        [
            _("Pipeline at the start"),
            output.number(change.start_deals),
            output.money(change.start_cents, cur),
            "",
        ]
    ]
    for bar in change.bars:
        deals = ", ".join(
            f"#{d.id} {d.name} ({output.money(d.amount_cents, cur)})" for d in bar.opportunities
        )
        rows.append(
            [
                _(BAR_LABELS[bar.name]),
                output.number(bar.deals),
                output.money(bar.amount_cents, cur),
                deals,
            ]
        )
    rows.append(
        [
            _("Pipeline at the end"),
            output.number(change.end_deals),
            output.money(change.end_cents, cur),
            "",
        ]
    )
    output.table(
        _(
            "Pipeline change {start} – {end} (deals closing {lo} – {hi})",
            start=output.day(change.start),
            end=output.day(change.end),
            lo=output.day(change.close_from),
            hi=output.day(change.close_to),
        ),
        [_("Bar"), _("Deals"), _("Amount"), _("Largest deals")],
        rows,
        right=(1, 2),
    )
    _notes(left_out_notes(change.left_out))


def stages_command(
    ctx: typer.Context,
    stage: Annotated[str | None, typer.Option("--stage", help="Only this stage.")] = None,
    as_of: AsOfOption = None,
    as_json: JsonOption = False,
) -> None:
    """Time in each stage and stage-to-stage drop-off: where deals stall."""
    st = state(ctx)
    report = analytics.stage_report(_workspace(st), st.actor(), stage=stage, as_of=_as_of(as_of))
    if as_json:
        output.print_json(
            {
                "as_of": report.as_of,
                "time_in_stage": report.times,
                "drop_off": [c.as_json() for c in report.drop_off],
            }
        )
        return
    output.table(
        _("Time in stage (days)"),
        [
            _("Stage"),
            _("Completed stays"),
            _("Median"),
            _("P90"),
            _("There now"),
            _("Median so far"),
        ],
        [
            [
                x.stage,
                output.number(x.completed),
                _days(x.median_days),
                _days(x.p90_days),
                output.number(x.current),
                _days(x.current_median_days),
            ]
            for x in report.times
        ],
        right=range(1, 6),
    )
    output.table(
        _("Stage-to-stage drop-off"),
        [
            _("From"),
            _("To"),
            _("Entered"),
            _("Advanced"),
            _("Still there"),
            _("Dropped"),
            _("Advanced (÷ entered)"),
        ],
        [
            [
                c.from_milestone,
                c.to_milestone,
                output.number(c.entered),
                output.number(c.converted),
                output.number(c.open),
                output.number(c.dropped),
                output.percent(c.rate),
            ]
            for c in report.drop_off
        ],
        right=range(2, 7),
    )


def refresh_analytics_command(
    ctx: typer.Context,
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Build the analytics copy again from scratch.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Bring the analytics copy up to date now; analytics commands also do it themselves."""
    st = state(ctx)
    ws = st.workspace()
    report = analytics_source.refresh_copy(ws, st.actor(), rebuild=rebuild)
    path = copy_path(ws.url)
    if as_json:
        output.print_json(
            {
                "path": str(path),
                "rebuilt": report.rebuilt,
                "history_rows": report.history_rows,
                "records": report.records,
                "seconds": round(report.seconds, 3),
            }
        )
        return
    values = {
        "path": str(path),
        "rows": output.number(report.history_rows),
        "records": output.number(report.records),
        "seconds": output.number(report.seconds, 1),
    }
    if report.rebuilt:
        message = _(
            "Analytics copy {path} built: {rows} history rows and {records} records read in "
            "{seconds} s.",
            **values,
        )
    else:
        message = _(
            "Analytics copy {path} brought up to date: {rows} history rows and {records} "
            "records read in {seconds} s.",
            **values,
        )
    output.console.print(message)
