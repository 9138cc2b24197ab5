"""`sqo benchmarks`: every funnel metric next to its benchmark; keeping the workspace's own."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sqo.cli import output
from sqo.cli.analytics import (
    EngineOption,
    FromOption,
    MasterOption,
    ParquetOption,
    ToOption,
    analytics_workspace,
    engine_used,
)
from sqo.cli.context import state
from sqo.cli.options import AsOfOption, JsonOption
from sqo.cli.output import days, print_notes
from sqo.i18n import _
from sqo.services import analytics
from sqo.services import benchmarks as chosen
from sqo.services.analytics_reports import sample_text
from sqo.services.benchmarks import BenchmarksInUse
from sqo.services.periods import as_of_moment, day_or_none


def benchmarks_command(
    ctx: typer.Context,
    start: FromOption = None,
    end: ToOption = None,
    benchmarks: Annotated[
        Path | None,
        typer.Option("--benchmarks", help="Compare with this benchmarks file (YAML) this once."),
    ] = None,
    save: Annotated[
        Path | None,
        typer.Option(
            "--save",
            help="Keep this benchmarks file (YAML) as the workspace's benchmarks, then compare.",
        ),
    ] = None,
    reset: Annotated[
        bool,
        typer.Option("--reset", help="Go back to the shipped benchmarks, then compare."),
    ] = False,
    as_of: AsOfOption = None,
    as_json: JsonOption = False,
    engine: EngineOption = "auto",
    master: MasterOption = None,
    parquet: ParquetOption = None,
) -> None:
    """Every funnel metric next to the benchmark for its segment."""
    if sum((benchmarks is not None, save is not None, reset)) > 1:
        raise typer.BadParameter(
            _("Give one of --benchmarks (this once), --save (keep a file) and --reset.")
        )
    st = state(ctx)
    first, last, moment = day_or_none(start, "from"), day_or_none(end, "to"), as_of_moment(as_of)
    with engine_used(engine, master, parquet):
        ws = analytics_workspace(st)
        if save is not None:
            _confirm(chosen.save_benchmarks(ws, st.actor(), save), as_json)
        elif reset:
            _confirm(chosen.use_shipped_benchmarks(ws, st.actor()), as_json)
        report = analytics.benchmark_report(
            ws, st.actor(), start=first, end=last, as_of=moment, benchmarks_file=benchmarks
        )
    if as_json:
        output.print_json(report.to_dict())
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
    print_notes(report.notes)


def _value(value: float | None, metric: str) -> str:
    if metric in ("sql_to_sqo", "sqo_win_rate"):
        return output.percent(value)
    if metric == "sales_cycle":
        return days(value)
    return "—" if value is None else output.number(value, 2) + "x"


def _confirm(in_use: BenchmarksInUse, as_json: bool) -> None:
    """Say which benchmarks the workspace keeps now (on stderr under --json: stdout is JSON)."""
    if in_use.shipped:
        message = _(
            "This workspace compares with the shipped benchmarks ({name}) again.",
            name=in_use.name,
        )
    else:
        message = _(
            "Saved {file} as this workspace's benchmarks ({name}): every 'sqo benchmarks' "
            "compares with them until you save others or --reset.",
            file=in_use.file,
            name=in_use.name,
        )
    (output.error_console if as_json else output.console).print(message)
