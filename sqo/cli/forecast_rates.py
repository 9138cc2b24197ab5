"""`sqo forecast rates`: the learned stage rates by segment or team, a thin shell over
``sqo.services.forecast_rates``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import typer

from sqo.cli import output
from sqo.cli.context import state
from sqo.cli.options import JsonOption
from sqo.i18n import _
from sqo.services import forecast_rates
from sqo.services.forecast_rates import StageRate
from sqo.services.periods import as_of_moment


def show_stage_rates(rates: Sequence[StageRate], team_rates: Sequence[StageRate]) -> None:
    """The forecast's stage table: configured and learned company rates, and the chosen team's
    (shown, not used: the forecast weighs each deal by its segment's rate)."""
    company = [r for r in rates if r.company_wide]
    if not company:
        return
    team = {r.stage: r for r in team_rates}
    columns = [_("Stage"), _("Configured"), _("Learned"), _("Closed deals that reached it")]
    if team:
        columns.append(_("Team (not used)"))
    rows = []
    for r in company:
        row = [
            r.stage,
            output.percent(r.configured),
            output.percent(r.rate),
            output.number(r.reached),
        ]
        if team and (mine := team.get(r.stage)) is not None:
            row.append(
                f"{_rate_marked(mine)} ({output.number(mine.won)} / {output.number(mine.reached)})"
            )
        rows.append(row)
    output.table(
        _("Stage probabilities: configured and learned from closed deals"),
        columns,
        rows,
        right=range(1, len(columns)),
    )


def _rate_marked(rate: StageRate) -> str:
    return output.percent(rate.rate) + (" *" if rate.small else "")


def rates_command(
    ctx: typer.Context,
    by: Annotated[
        str,
        typer.Option("--by", help="segment or team: the rates beside the company's."),
    ] = "segment",
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="From the deals closed by this date or time; default now."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Learned stage rates by segment or team, beside the configured values, with sample sizes."""
    st = state(ctx)
    report = forecast_rates.stage_rates_report(
        st.workspace(), st.actor(), by=by, as_of=as_of_moment(as_of)
    )
    if as_json:
        output.print_json(report.to_dict())
        return
    company = {r.stage: r.rate for r in report.rates if r.company_wide}
    output.table(
        _("Learned stage rates as of {day}", day=output.day(report.as_of)),
        [
            _("Stage"),
            _("Team") if report.by == "team" else _("Segment"),
            _("Configured"),
            _("Company"),
            _("Learned"),
            _("Won / closed deals that reached it"),
        ],
        [
            [
                r.stage,
                (r.team or r.segment or "") if not r.company_wide else _("Company"),
                output.percent(r.configured),
                output.percent(company[r.stage]),
                _rate_marked(r),
                f"{output.number(r.won)} / {output.number(r.reached)}",
            ]
            for r in report.rates
        ],
        right=range(2, 6),
    )
    for note in report.notes:
        output.console.print(note)
