"""`sqo forecast` (and its `accuracy` and `backtest` commands): the period forecast, a thin shell
over ``sqo.services.forecast``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sqo.cli import output
from sqo.cli.context import SqoGroup, state
from sqo.cli.forecast_rates import rates_command, show_stage_rates
from sqo.cli.options import JsonOption
from sqo.i18n import _
from sqo.services import forecast, forecast_accuracy, forecast_backtest
from sqo.services.forecast_accuracy import AccuracyReport
from sqo.services.forecast_backtest import BacktestReport
from sqo.services.forecast_reports import ForecastReport
from sqo.services.periods import as_of_moment, day_or_none

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
            [_("Expected value"), output.estimate(report.expected_cents, cur)],
            [_("P10 (9 in 10 above)"), output.estimate(report.p10_cents, cur)],
            [_("P50 (median)"), output.estimate(report.p50_cents, cur)],
            [_("P90 (1 in 10 above)"), output.estimate(report.p90_cents, cur)],
            [_("Quota"), output.money(report.quota_cents, cur)],
            [_("Gap to quota (quota - P50)"), output.estimate(report.gap_cents, cur)],
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
                    output.estimate(m.swing_cents, cur),
                ]
                for m in report.movers
            ],
            right=range(3, 7),
        )
        explained = [m for m in report.movers if m.factors]
        if explained:
            output.console.print(_("Why, in the model's own terms:"))
            for m in explained:
                output.console.print(f"  {m.id} {m.name}: " + "; ".join(m.factors), markup=False)
    show_stage_rates(report.stage_rates, report.team_rates)
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
    save: Annotated[
        bool,
        typer.Option("--save", help="Keep this forecast (the first of a period is its baseline)."),
    ] = False,
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
    saved = forecast_accuracy.save_forecast(st.workspace(), st.actor(), report) if save else None
    if as_json:
        output.print_json(report.to_dict())
    else:
        _show(report)
    if saved is not None:
        # On stderr: --json prints the report's own schema and nothing else.
        output.error_console.print(
            _(
                "Saved as forecast #{id} (the baseline of {period}).",
                id=saved.id,
                period=saved.period,
            )
            if saved.baseline
            else _("Saved as forecast #{id}.", id=saved.id)
        )


app.command("rates")(rates_command)


def _number(value: float | None, digits: int = 3) -> str:
    return output.number(value, digits)


def backtest_table(report: BacktestReport) -> tuple[list[str], list[list[str]]]:
    columns = [
        _("Method"),
        _("Rows"),
        _("Brier"),
        _("Log loss"),
        _("AUC"),
        _("WAPE"),
        _("Bias"),
        _("Within 10%"),
        _("In P10-P90"),
    ]
    rows = [
        [
            r.method,
            output.number(r.rows),
            _number(r.brier),
            _number(r.log_loss),
            _number(r.auc),
            output.percent(r.wape),
            output.percent(r.bias),
            output.percent(r.hit_rate),
            output.percent(r.coverage),
        ]
        for r in report.results
    ]
    return columns, rows


def markdown(report: BacktestReport) -> str:
    """The backtest as a Markdown page: the scores, then each method's reliability table."""
    columns, rows = backtest_table(report)
    lines = [
        "# " + _("Forecast backtest {start} – {end}", start=report.start, end=report.end),
        "",
        "| " + " | ".join(columns) + " |",
        "|" + "---|" * len(columns),
        *["| " + " | ".join(row) + " |" for row in rows],
        "",
        *[f"{note}  " for note in report.notes],
    ]
    for r in report.results:
        lines += ["", f"## {r.method}", "", _("| predicted | deals | mean predicted | observed |")]
        lines.append("|---|---|---|---|")
        for b in r.reliability:
            lines.append(
                f"| {b.low:.1f}-{b.high:.1f} | {b.deals} | {_number(b.predicted)} | "
                f"{_number(b.observed)} |"
            )
    return "\n".join(lines) + "\n"


@app.command("backtest")
def backtest_command(
    ctx: typer.Context,
    start: Annotated[
        str | None, typer.Option("--from", help="First Monday's week (default: a year back).")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="Last day (default: the as-of day).")
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Outcomes as known at this date or time; default now."),
    ] = None,
    without: Annotated[
        list[str] | None,
        typer.Option(
            "--without",
            help="Leave this feature out of the models (repeat for more), e.g. amount when the "
            "CRM fills it in only at close.",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Also write the backtest to this file (.json, else Markdown)."),
    ] = None,
    chart: Annotated[
        Path | None,
        typer.Option(
            "--chart", help="Draw the reliability of every method to this file (.svg, .png, .html)."
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Replay history week by week and score every forecast method against what closed."""
    st = state(ctx)
    report = forecast_backtest.backtest_report(
        st.workspace(),
        st.actor(),
        start=day_or_none(start, "from"),
        end=day_or_none(end, "to"),
        as_of=as_of_moment(as_of),
        without=without or [],
    )
    if out is not None:
        text = (
            output.json_text(report.to_dict(), public=True)
            if out.suffix.lower() == ".json"
            else markdown(report)
        )
        out.write_text(text, encoding="utf-8")
    if chart is not None and report.results:
        from sqo.cli.forecast_chart import write_chart

        write_chart(report, chart)
    if as_json:
        output.print_json(report.to_dict())
        return
    columns, rows = backtest_table(report)
    if rows:
        title = _(
            "Forecast backtest {start} – {end}, {weeks} Mondays",
            start=output.day(report.start),
            end=output.day(report.end),
            weeks=report.weeks,
        )
        output.table(title, columns, rows, right=range(1, len(columns)))
    for note in report.notes:
        output.console.print(note)


def _accuracy_rows(report: AccuracyReport) -> list[list[str]]:
    names = {"all": _("all"), "method": _("method"), "team": _("team"), "period": _("period")}
    return [
        [
            names[g.by],
            g.value or ("—" if g.by != "all" else ""),
            output.number(g.forecasts),
            output.percent(g.wape),
            output.percent(g.bias),
            output.percent(g.hit_rate),
            output.percent(g.inside_rate),
        ]
        for g in report.groups
    ]


@app.command("accuracy")
def accuracy_command(
    ctx: typer.Context,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="What was won as known at this date or time; default now."),
    ] = None,
    baselines: Annotated[
        bool, typer.Option("--baselines", help="Only each period's first saved forecast.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Hold saved forecasts against what actually closed: error, WAPE, bias, hits, range."""
    st = state(ctx)
    report = forecast_accuracy.accuracy_report(
        st.workspace(), st.actor(), as_of=as_of_moment(as_of), baselines=baselines
    )
    if as_json:
        output.print_json(report.to_dict())
        return
    cur = report.currency
    if report.forecasts:
        output.table(
            _("Saved forecasts against what was won"),
            [
                _("Id"),
                _("Period"),
                _("Scope"),
                _("Method"),
                _("Expected"),
                _("Won"),
                _("Error"),
                _("In P10-P90"),
            ],
            [
                [
                    h.id,
                    h.period + (" *" if h.baseline else ""),
                    h.rep or h.team or _("Company"),
                    h.method,
                    output.estimate(h.expected_cents, cur),
                    output.money(h.actual_cents, cur),
                    output.estimate(h.error_cents, cur),
                    _("yes") if h.inside else _("no"),
                ]
                for h in report.forecasts
            ],
            right=range(4, 7),
        )
        output.table(
            _("Accuracy"),
            [
                _("By"),
                _("Value"),
                _("Forecasts"),
                _("WAPE"),
                _("Bias"),
                _("Within 10%"),
                _("In P10-P90"),
            ],
            _accuracy_rows(report),
            right=range(2, 7),
        )
    for note in report.notes:
        output.console.print(note)
