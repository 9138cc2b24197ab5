"""`sqo scorecard`: each rep against the team median and the benchmarks, and the capacity they
need to reach quota."""

from __future__ import annotations

from typing import Annotated

import typer

from sqo.cli import output
from sqo.cli.context import state
from sqo.cli.options import AsOfOption, JsonOption
from sqo.cli.output import days, print_notes
from sqo.i18n import _
from sqo.services.named_periods import period_words
from sqo.services.periods import as_of_moment
from sqo.services.scorecard import Figure, ScorecardReport, scorecard

TeamOption = Annotated[str | None, typer.Option("--team", help="Only this team's reps.")]
RepOption = Annotated[str | None, typer.Option("--rep", help="Only this rep (name or e-mail).")]
PeriodOption = Annotated[
    str | None,
    typer.Option(
        "--period",
        help="The figures over this year (2026), quarter (2026-Q2), month (2026-06) or all; "
        "default the last 12 months.",
    ),
]


def scorecard_command(
    ctx: typer.Context,
    team: TeamOption = None,
    rep: RepOption = None,
    period: PeriodOption = None,
    as_of: AsOfOption = None,
    as_json: JsonOption = False,
) -> None:
    """Each rep against the team median and the benchmarks, and the SQOs needed to reach quota."""
    st = state(ctx)
    report = scorecard(
        st.workspace(), st.actor(), team=team, rep=rep, period=period, as_of=as_of_moment(as_of)
    )
    if as_json:
        output.print_json(report.to_dict())
        return
    _figures(report)
    _capacity(report)
    print_notes(report.notes)


def _cell(figure: Figure, shown: str) -> str:
    sample = "" if figure.sample is None else f" ({output.number(figure.sample)})"
    mark = ""
    if figure.too_few:
        mark = " ·"
    elif figure.value is not None and figure.team_median is not None:
        mark = (
            " ▲"
            if figure.value > figure.team_median
            else " ▼"
            if figure.value < figure.team_median
            else ""
        )
    return shown + sample + mark


def _figures(report: ScorecardReport) -> None:
    rows = []
    for card in report.cards:
        f = card.figures
        rows.append(
            [
                card.rep,
                card.team or "—",
                output.number(f["sqos_created"].value),
                _cell(f["sql_to_sqo"], output.percent(f["sql_to_sqo"].value)),
                _cell(f["sqo_win_rate"], output.percent(f["sqo_win_rate"].value)),
                _cell(f["sales_cycle"], days(f["sales_cycle"].value)),
                _cell(f["average_deal"], _money(f["average_deal"].value, report.currency)),
                _cell(f["override_rate"], output.percent(f["override_rate"].value)),
                output.number(f["activities"].value),
                _cell(f["hygiene_findings"], output.number(f["hygiene_findings"].value)),
                "—" if card.coverage is None else output.number(card.coverage, 2) + "x",
            ]
        )
    output.table(
        _(
            "Scorecard ({period}); ▲▼ against the team median, · too few deals to judge",
            period=period_words(report.period),
        ),
        [
            _("Rep"),
            _("Team"),
            _("SQOs created"),
            _("SQL→SQO (SQLs)"),
            _("Win rate (closed)"),
            _("Cycle days (won)"),
            _("Average deal (won)"),
            _("Overrides (promotions)"),
            _("Activities"),
            _("Hygiene findings"),
            _("Coverage"),
        ],
        rows,
        right=range(2, 11),
        cards_when_narrow=True,
    )


def _money(units: float | None, currency: str) -> str:
    return output.money(None if units is None else round(units) * 100, currency)  # whole units


def _capacity(report: ScorecardReport) -> None:
    rows = []
    for card in report.cards:
        c = card.capacity
        if c is None:
            continue
        rows.append(
            [
                card.rep,
                output.money(c.remaining_cents, report.currency),
                output.money(c.expected_from_open_cents, report.currency),
                output.money(c.gap_cents, report.currency),
                output.number(c.sqos_per_month_needed, 1),
                output.number(c.sqos_per_month_now, 1),
                output.number(c.shortfall_sqos_per_month, 1),
                output.money(c.pipeline_per_month_needed_cents, report.currency),
                _("yes") if c.cycle_too_long else "",
            ]
        )
    output.table(
        _("Capacity for {start} to {end}", start=report.quarter_start, end=report.quarter_end),
        [
            _("Rep"),
            _("Quota to close"),
            _("Expected from open SQOs"),
            _("Gap"),
            _("SQOs a month needed"),
            _("SQOs a month now"),
            _("Shortfall a month"),
            _("New SQO pipeline a month"),
            _("Cycle longer than the days left"),
        ],
        rows,
        right=range(1, 8),
        cards_when_narrow=True,
    )
