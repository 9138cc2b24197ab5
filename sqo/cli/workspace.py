"""`sqo init` and `sqo pipeline`: create a workspace and see its pipeline at a glance."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sqo.cli import output
from sqo.cli.context import state
from sqo.cli.options import JsonOption
from sqo.domain.stages import StageKind
from sqo.i18n import _
from sqo.services.periods import as_of_moment
from sqo.services.pipeline import PipelineReport, pipeline_summary
from sqo.services.workspace import init_workspace


def init_command(
    ctx: typer.Context,
    stages: Annotated[Path | None, typer.Option(help="Your own stage model (YAML).")] = None,
    currency: Annotated[str, typer.Option(help="Default currency, ISO code.")] = "USD",
) -> None:
    """Create a new, empty workspace."""
    st = state(ctx)
    ws = init_workspace(st.db, st.actor(), stage_file=stages, currency=currency)
    output.console.print(_("Created an sqo workspace in {db}.", db=ws.url))
    ws.close()


def render_summary(summary: PipelineReport) -> None:
    cur = summary.currency
    rows = [
        [
            x.stage,
            output.number(x.deals),
            output.money(x.amount_cents, cur),
            output.money(x.weighted_cents, cur),
        ]
        for x in summary.open_lines
    ]
    total = summary.total(StageKind.OPPORTUNITY)
    rows.append(
        [
            _("Open pipeline"),
            output.number(total.deals),
            output.money(total.amount_cents, cur),
            output.money(total.weighted_cents, cur),
        ]
    )
    output.table(
        _("Open pipeline by stage"),
        [_("Stage"), _("Deals"), _("Amount"), _("Weighted")],
        rows,
        right=(1, 2, 3),
    )
    won, lost = summary.total(StageKind.WON), summary.total(StageKind.LOST)
    output.console.print(
        _(
            "Closed: {won} won ({won_amount}), {lost} lost. All-time win rate (won ÷ every "
            "closed deal, SQO or not): {rate}.",
            won=output.number(won.deals),
            won_amount=output.money(won.amount_cents, cur),
            lost=output.number(lost.deals),
            rate=output.percent(summary.win_rate),
        )
    )
    leads = ", ".join(f"{stage} {output.number(n)}" for stage, n in summary.leads_by_stage.items())
    output.console.print(_("Leads: {leads}.", leads=leads))
    for note in summary.notes:
        output.console.print(note, markup=False)


def pipeline_command(
    ctx: typer.Context,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="As the pipeline stood then (a date means its end; UTC)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """The pipeline at a glance: open deals per stage, won and lost."""
    st = state(ctx)
    moment = as_of_moment(as_of)
    summary = pipeline_summary(st.workspace(), st.actor(), moment)
    if as_json:
        output.print_json(summary.to_dict())
        return
    if moment is not None:
        output.console.print(
            _("As of {moment} (UTC).", moment=moment.isoformat(sep=" ", timespec="seconds"))
        )
    render_summary(summary)
