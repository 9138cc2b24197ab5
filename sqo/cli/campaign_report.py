"""`sqo campaigns`: what each campaign and channel produced, under each attribution model.

(`sqo campaign add|list` in sqo/cli/directory.py creates and lists campaigns.)
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sqo.cli import output
from sqo.cli.analytics import analytics_workspace
from sqo.cli.context import state
from sqo.cli.options import AsOfOption, JsonOption
from sqo.cli.output import print_notes
from sqo.i18n import _
from sqo.services.campaigns import CampaignReport, CreditLine, ModelUsed, campaign_report
from sqo.services.named_periods import period_words
from sqo.services.periods import as_of_moment

ModelOption = Annotated[
    str,
    typer.Option(
        "--model",
        help="An attribution model (first-touch, last-touch, linear, u-shaped, w-shaped, "
        "full-path, time-decay), or all to show them side by side.",
    ),
]
PeriodOption = Annotated[
    str,
    typer.Option(
        "--period",
        help="Credit the milestones reached in this year (2026), quarter (2026-Q2) or month "
        "(2026-06); default all.",
    ),
]


ModelsFileOption = Annotated[
    Path | None,
    typer.Option(
        "--models", help="Attribution models from this YAML file instead of the shipped ones."
    ),
]


def campaigns_command(
    ctx: typer.Context,
    model: ModelOption = "all",
    period: PeriodOption = "all",
    models: ModelsFileOption = None,
    as_of: AsOfOption = None,
    as_json: JsonOption = False,
) -> None:
    """Leads, MQLs, SQOs, pipeline and won revenue per campaign, under each attribution model."""
    st = state(ctx)
    report = campaign_report(
        analytics_workspace(st),
        st.actor(),
        model=model,
        period=period,
        as_of=as_of_moment(as_of),
        models_file=models,
    )
    if as_json:
        output.print_json(report.to_dict())
        return
    if len(report.models) == 1:
        _one_model(report)
    else:
        _side_by_side(report)
    if report.reconciles:
        output.console.print(
            _(
                "Credit adds up: under every model, each milestone's credit over all lines "
                "equals the funnel's count ({sqos} SQOs in this period).",
                sqos=output.number(report.funnel.get(report.milestones[-2], 0)),
            )
        )
    print_notes(report.notes)


def _name(line: CreditLine) -> str:
    if line.campaign is not None:
        return line.campaign
    if line.channel is not None:
        return _("(source, no campaign)")
    return _("(no touch)")


def _credit(value: float) -> str:
    return output.number(value, 1)


def _one_model(report: CampaignReport) -> None:
    sqo, won = report.milestones[-2], report.milestones[-1]
    rows = [
        [
            _name(line),
            line.channel or "—",
            *[_credit(line.credited[m]) for m in report.milestones],
            output.money(line.sqo_pipeline_cents, report.currency),
            output.money(line.won_revenue_cents, report.currency),
            output.money(line.cost_cents, report.currency),
            output.money(line.cost_per_cents[sqo], report.currency),
            output.money(line.cost_per_cents[won], report.currency),
        ]
        for line in report.campaigns
    ]
    width = len(report.milestones)
    output.table(
        _(
            "Campaigns: {model}, {period}",
            model=model_label(report.models[0]),
            period=period_words(report.period),
        ),
        [
            _("Campaign"),
            _("Channel"),
            *report.milestones,
            _("SQO pipeline"),
            _("Won revenue"),
            _("Cost"),
            _("Cost per SQO"),
            _("Cost per won deal"),
        ],
        rows,
        right=range(2, 2 + width + 5),
        nowrap=range(2, 2 + width + 5),
    )
    channel_rows = [
        [
            line.channel or _("(no touch)"),
            *[_credit(line.credited[m]) for m in report.milestones],
            output.money(line.sqo_pipeline_cents, report.currency),
            output.money(line.won_revenue_cents, report.currency),
        ]
        for line in report.channels
    ]
    output.table(
        _("Channels"),
        [_("Channel"), *report.milestones, _("SQO pipeline"), _("Won revenue")],
        channel_rows,
        right=range(1, 1 + width + 2),
    )


def model_label(model: ModelUsed) -> str:
    """A model's label in the reader's language: the shipped models' labels are in the
    catalogue; a team's own model file's label (or its name) shows as written."""
    return _(model.label) if model.label else model.name


def _side_by_side(report: CampaignReport) -> None:
    sqo, won = report.milestones[-2], report.milestones[-1]
    names = [model_label(m) for m in report.models]
    words = period_words(report.period)
    for title, pick in (
        (_("SQOs credited per campaign, by model ({period})", period=words), sqo),
        (_("Won deals credited per campaign, by model ({period})", period=words), won),
    ):
        by_line: dict[tuple[int | None, str | None], list[str]] = {}
        labels: dict[tuple[int | None, str | None], CreditLine] = {}
        for line in report.campaigns:
            key = (line.campaign_id, line.channel)
            by_line.setdefault(key, []).append(_credit(line.credited[pick]))
            labels.setdefault(key, line)
        rows = [[_name(labels[k]), labels[k].channel or "—", *v] for k, v in by_line.items()]
        output.table(
            title,
            [_("Campaign"), _("Channel"), *names],
            rows,
            right=range(2, 2 + len(names)),
        )
    by_channel: dict[str | None, list[str]] = {}
    for line in report.channels:
        by_channel.setdefault(line.channel, []).append(_credit(line.credited[sqo]))
    output.table(
        _("SQOs credited per channel, by model"),
        [_("Channel"), *names],
        [[c or _("(no touch)"), *v] for c, v in by_channel.items()],
        right=range(1, 1 + len(names)),
    )
