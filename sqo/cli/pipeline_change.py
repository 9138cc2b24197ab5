"""`sqo pipeline-change`: how the pipeline changed between two dates, bar by bar."""

from __future__ import annotations

from typing import Annotated

import typer

from sqo.cli import output
from sqo.cli.analytics import (
    EngineOption,
    MasterOption,
    ParquetOption,
    analytics_workspace,
    engine_used,
)
from sqo.cli.context import state
from sqo.cli.options import JsonOption
from sqo.cli.output import print_notes
from sqo.i18n import _
from sqo.services import analytics
from sqo.services.periods import day_or_none

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
    engine: EngineOption = "auto",
    master: MasterOption = None,
    parquet: ParquetOption = None,
) -> None:
    """How the pipeline changed between two dates, bar by bar, with the deals behind each."""
    st = state(ctx)
    with engine_used(engine, master, parquet):
        change = analytics.pipeline_change_report(
            analytics_workspace(st),
            st.actor(),
            start=day_or_none(start, "from"),
            end=day_or_none(end, "to"),
            close_from=day_or_none(close_from, "close-from"),
            close_to=day_or_none(close_to, "close-to"),
            limit=limit,
        )
    if as_json:
        output.print_json(change.to_dict())
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
    print_notes(change.notes)
