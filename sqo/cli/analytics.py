"""`sqo funnel`, `sqo coverage`, `sqo stages`, `sqo refresh-analytics`, and what every analytics
command shares (`sqo benchmarks` and `sqo pipeline-change` have their own modules)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from sqo.cli import output
from sqo.cli.context import CliState, state
from sqo.cli.options import AsOfOption, JsonOption
from sqo.cli.output import days, print_notes
from sqo.i18n import _
from sqo.services import analytics, analytics_engines, analytics_source
from sqo.services.periods import as_of_moment, day_or_none
from sqo.services.workspace import Workspace

FromOption = Annotated[str | None, typer.Option("--from", help="Cohort window start (YYYY-MM-DD).")]
ToOption = Annotated[str | None, typer.Option("--to", help="Cohort window end (YYYY-MM-DD).")]
EngineOption = Annotated[
    str,
    typer.Option(
        "--engine",
        help="Who computes the figures: auto (the analytics copy where it pays, else the "
        "database), database, copy (the DuckDB analytics copy) or spark (Apache Spark).",
    ),
]
MasterOption = Annotated[
    str | None,
    typer.Option(
        "--master",
        help="Spark only: the master URL (default local[*]; spark://host:7077 for a cluster).",
    ),
]
ParquetOption = Annotated[
    str | None,
    typer.Option(
        "--parquet",
        help="Spark only: read this Parquet export (sqo export --format parquet) instead of "
        "exporting the workspace first.",
    ),
]


@contextmanager
def engine_used(engine: str, master: str | None, parquet: str | None) -> Iterator[None]:
    """The analytics services called in this block compute on the chosen engine."""
    with analytics_engines.using(analytics_engines.engine_choice(engine, master, parquet)):
        yield


def analytics_workspace(st: CliState) -> Workspace:
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
    engine: EngineOption = "auto",
    master: MasterOption = None,
    parquet: ParquetOption = None,
) -> None:
    """Cohort conversion between funnel milestones, SQO-to-win rate and sales cycle."""
    st = state(ctx)
    with engine_used(engine, master, parquet):
        report = analytics.funnel(
            analytics_workspace(st),
            st.actor(),
            by=by,
            start=day_or_none(start, "from"),
            end=day_or_none(end, "to"),
            from_stage=from_stage,
            to_stage=to_stage,
            as_of=as_of_moment(as_of),
        )
    if as_json:
        output.print_json(report.to_dict())
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
                days(c.median_days),
                days(c.p90_days),
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
                    days(c.mean_days),
                    days(c.median_days),
                    days(c.p90_days),
                ]
                for c in report.cycles
            ],
            right=range(len(keys), len(keys) + 4),
        )
    print_notes(report.notes)


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
    engine: EngineOption = "auto",
    master: MasterOption = None,
    parquet: ParquetOption = None,
) -> None:
    """Pipeline coverage: open SQO amount closing in the period over the quota still to close."""
    st = state(ctx)
    with engine_used(engine, master, parquet):
        report = analytics.coverage_report(
            analytics_workspace(st),
            st.actor(),
            period_start=day_or_none(start, "from"),
            period_end=day_or_none(end, "to"),
            as_of=as_of_moment(as_of),
        )
    if as_json:
        output.print_json(report.to_dict())
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
    print_notes(report.notes)


def stages_command(
    ctx: typer.Context,
    stage: Annotated[str | None, typer.Option("--stage", help="Only this stage.")] = None,
    as_of: AsOfOption = None,
    as_json: JsonOption = False,
    engine: EngineOption = "auto",
    master: MasterOption = None,
    parquet: ParquetOption = None,
) -> None:
    """Time in each stage and stage-to-stage drop-off: where deals stall."""
    st = state(ctx)
    with engine_used(engine, master, parquet):
        report = analytics.stage_report(
            analytics_workspace(st), st.actor(), stage=stage, as_of=as_of_moment(as_of)
        )
    if as_json:
        output.print_json(report.to_dict())
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
                days(x.median_days),
                days(x.p90_days),
                output.number(x.current),
                days(x.current_median_days),
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
    report = analytics_source.refresh_copy(st.workspace(), st.actor(), rebuild=rebuild)
    if as_json:
        output.print_json(report.to_dict())
        return
    values = {
        "path": str(report.path),
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
    if report.memberships:
        output.console.print(
            _(
                "{memberships} campaign memberships and contact roles read for attribution.",
                memberships=output.number(report.memberships),
            )
        )
