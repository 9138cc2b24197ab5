"""`sqo forecast` (and its `accuracy` and `backtest` commands): the period forecast, a thin shell
over ``sqo.services.forecast``."""

from __future__ import annotations

from typing import Annotated

import typer

from sqo.cli import output
from sqo.cli.context import SqoGroup, state
from sqo.cli.opportunities import JsonOption
from sqo.i18n import _
from sqo.services import forecast
from sqo.services.forecast_reports import ForecastReport
from sqo.services.periods import as_of_moment

app = typer.Typer(
    cls=SqoGroup,
    invoke_without_command=True,
    help="The forecast for a period, team or rep: won, commit, best case, expected and range.",
)

PeriodOption = Annotated[
    str | None,
    typer.Option(
        "--period", help="A quarter (2026-Q1) or a month (2026-03); default: this quarter."
    ),
]
TeamOption = Annotated[str | None, typer.Option("--team", help="Only this team's deals.")]
RepOption = Annotated[
    str | None, typer.Option("--rep", help="Only this rep's deals (name, email or id).")
]
AsOfOption = Annotated[
    str | None,
    typer.Option("--as-of", help="Forecast as of this date (end of day) or time; default now."),
]
MethodOption = Annotated[
    str | None,
    typer.Option(
        "--method",
        help="model, stage_rates or configured (default: the best one the history allows).",
    ),
]


def _show(report: ForecastReport) -> None:
    cur = report.currency
    scope = report.rep or report.team or _("Company")
    title = _(
        "Forecast {period} ({start} – {end}), {scope}, as of {as_of}",
        period=report.period,
        start=output.day(report.period_start),
        end=output.day(report.period_end),
        scope=scope,
        as_of=output.day(report.as_of),
    )
    output.table(
        title,
        [_("Figure"), _("Amount")],
        [
            [_("Won so far"), output.money(report.won_cents, cur)],
            [_("Commit (won + Commit deals)"), output.money(report.commit_cents, cur)],
            [_("Best case (commit + Best Case deals)"), output.money(report.best_case_cents, cur)],
            [_("Expected value"), output.money(report.expected_cents, cur)],
            [_("P10 (9 in 10 above)"), output.money(report.p10_cents, cur)],
            [_("P50 (median)"), output.money(report.p50_cents, cur)],
            [_("P90 (1 in 10 above)"), output.money(report.p90_cents, cur)],
            [_("Quota"), output.money(report.quota_cents, cur)],
            [_("Gap to quota (quota - P50)"), output.money(report.gap_cents, cur)],
            *(
                [[_("Actually won"), output.money(report.actual_won_cents, cur)]]
                if report.actual_won_cents is not None
                else []
            ),
        ],
        right=[1],
    )
    if report.movers:
        output.table(
            _("The deals that move the number most"),
            [_("Id"), _("Deal"), _("Owner"), _("Amount"), _("Win"), _("In period"), _("Swing")],
            [
                [
                    m.id,
                    m.name,
                    m.owner or "—",
                    output.money(m.amount_cents, cur),
                    output.percent(m.probability),
                    output.percent(m.timing_probability),
                    output.money(m.swing_cents, cur),
                ]
                for m in report.movers
            ],
            right=range(3, 7),
        )
    if report.left_out:
        reasons = {
            "amount": _("no amount"),
            "close_date": _("no close date"),
            "exchange_rate": _("no exchange rate"),
        }
        output.table(
            _("Left out"),
            [_("Id"), _("Deal"), _("Owner"), _("Why")],
            [[x.id, x.name, x.owner or "—", reasons[x.reason]] for x in report.left_out],
        )
    for note in report.notes:
        output.console.print(note)


@app.callback()
def forecast_command(
    ctx: typer.Context,
    period: PeriodOption = None,
    team: TeamOption = None,
    rep: RepOption = None,
    as_of: AsOfOption = None,
    method: MethodOption = None,
    as_json: JsonOption = False,
) -> None:
    """The forecast for a period, team or rep: won, commit, best case, expected and range."""
    if ctx.invoked_subcommand is not None:
        return
    st = state(ctx)
    report = forecast.forecast_report(
        st.workspace(),
        st.actor(),
        period=period,
        team=team,
        rep=rep,
        as_of=as_of_moment(as_of),
        method=method,
    )
    if as_json:
        output.print_json(report.to_dict())
        return
    _show(report)
