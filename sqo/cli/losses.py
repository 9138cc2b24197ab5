"""`sqo losses`: what lost SQOs had in common, against the won ones."""

from __future__ import annotations

from typing import Annotated

import typer

from sqo.cli import output
from sqo.cli.context import state
from sqo.cli.options import AsOfOption, JsonOption
from sqo.cli.output import days, print_notes
from sqo.i18n import _
from sqo.services.losses import loss_report
from sqo.services.named_periods import period_words
from sqo.services.periods import as_of_moment

PeriodOption = Annotated[
    str,
    typer.Option(
        "--period",
        help="SQOs closed in this year (2026), quarter (2026-Q2) or month (2026-06); default all.",
    ),
]
TeamOption = Annotated[str | None, typer.Option("--team", help="Only this team's deals.")]


def losses_command(
    ctx: typer.Context,
    period: PeriodOption = "all",
    team: TeamOption = None,
    as_of: AsOfOption = None,
    as_json: JsonOption = False,
) -> None:
    """Lost SQOs against won ones: reasons, competitors, stage lost, criteria weak at promotion."""
    st = state(ctx)
    report = loss_report(
        st.workspace(), st.actor(), period=period, team=team, as_of=as_of_moment(as_of)
    )
    if as_json:
        output.print_json(report.to_dict())
        return
    output.console.print(
        _(
            "{lost} SQOs lost and {won} won ({period}); median {loss} days from SQO to loss, "
            "{win} to win.",
            lost=output.number(report.lost),
            won=output.number(report.won),
            period=period_words(report.period),
            loss=days(report.median_days_to_loss),
            win=days(report.median_days_to_win),
        )
    )
    for sentence in report.findings:
        output.console.print("• " + sentence)
    output.table(
        _("Loss reasons"),
        [_("Reason"), _("Lost")],
        [[c.name, output.number(c.count)] for c in report.reasons],
        right=(1,),
    )
    output.table(
        _("Lost from stage"),
        [_("Stage"), _("Lost")],
        [[c.name, output.number(c.count)] for c in report.lost_at_stage],
        right=(1,),
    )
    output.table(
        _("Competitors"),
        [_("Competitor"), _("Lost"), _("Won")],
        [[c.competitor, output.number(c.lost), output.number(c.won)] for c in report.competitors],
        right=(1, 2),
    )
    quarters = sorted({c.quarter for c in report.reasons_by_quarter if c.quarter})
    names = [c.name for c in report.reasons]
    cells = {(c.quarter, c.name): c.count for c in report.reasons_by_quarter}
    output.table(
        _("Loss reasons per quarter"),
        [_("Reason"), *quarters],
        [[n, *[output.number(cells.get((q, n), 0)) for q in quarters]] for n in names],
        right=range(1, 1 + len(quarters)),
    )
    tested = [c for c in report.comparisons if c.enough_data]
    output.table(
        _("Weak at promotion: lost when weak vs when met"),
        [_("Criterion or group"), _("Lost when weak"), _("Lost when met"), _("p (Holm)"), ""],
        [
            [
                c.label,
                f"{c.lost_weak}/{c.weak} ({output.percent(c.loss_rate_weak)})",
                f"{c.lost_met}/{c.met} ({output.percent(c.loss_rate_met)})",
                output.number(c.p_value, 3),
                _("finding") if c.claimed else "",
            ]
            for c in tested
        ],
        right=(1, 2, 3),
    )
    print_notes(report.notes)
