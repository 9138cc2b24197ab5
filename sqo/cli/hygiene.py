"""`sqo hygiene`: the pipeline hygiene findings, grouped by owner and severity."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sqo.cli import output
from sqo.cli.context import state
from sqo.cli.options import AsOfOption, JsonOption
from sqo.domain.hygiene.labels import rule_label
from sqo.i18n import _
from sqo.services.hygiene import HygieneReport, hygiene_report
from sqo.services.periods import as_of_moment

TeamOption = Annotated[str | None, typer.Option("--team", help="Only the deals of this team.")]
RepOption = Annotated[str | None, typer.Option("--rep", help="Only the deals of this rep.")]
RuleOption = Annotated[
    list[str] | None,
    typer.Option(
        "--rule",
        help="Only these rules (repeat or comma-separate): premature_sqo, pipeline_bloat, "
        "neglected, stale, no_next_step, next_step_overdue, close_date_pushed, amount_cut, "
        "stage_backwards, no_amount, missing_buying_role.",
    ),
]
RulesFileOption = Annotated[
    Path | None,
    typer.Option(
        "--rules",
        help="Hygiene rules YAML file to use instead of the workspace's (see docs/hygiene.md).",
    ),
]


def severity_label(value: str) -> str:
    return {"high": _("high"), "medium": _("medium"), "low": _("low")}.get(value, value)


def print_report(report: HygieneReport) -> None:
    output.table(
        _(
            "Pipeline hygiene as at {day}: {findings} findings on {deals} open deals",
            day=output.day(report.as_of),
            findings=output.number(len(report.findings)),
            deals=output.number(report.open_deals),
        ),
        [_("Rule"), _("Findings")],
        [[rule_label(k), output.number(n)] for k, n in report.rule_counts.items()],
        right=(1,),
    )
    for owner in report.owner_counts:
        mine = [
            f
            for f in report.findings
            if (f.owner_id, f.owner_name, f.team_name)
            == (owner.owner_id, owner.owner_name, owner.team_name)
        ]
        output.table(
            _(
                "{owner} ({team}): {high} high, {medium} medium, {low} low",
                owner=owner.owner_name or _("No owner"),
                team=owner.team_name or _("no team"),
                high=output.number(owner.high),
                medium=output.number(owner.medium),
                low=output.number(owner.low),
            ),
            [_("Severity"), _("Rule"), _("Deal"), _("Finding"), _("Suggested action")],
            [
                [
                    severity_label(f.severity.value),
                    rule_label(f.rule),
                    "—" if f.opportunity_id is None else f"#{f.opportunity_id}",
                    f.message,
                    f.action,
                ]
                for f in mine
            ],
            nowrap=(0, 2),
        )
    for note in report.notes:
        output.console.print(note)


def hygiene_command(
    ctx: typer.Context,
    team: TeamOption = None,
    rep: RepOption = None,
    rule: RuleOption = None,
    as_of: AsOfOption = None,
    rules_file: RulesFileOption = None,
    as_json: JsonOption = False,
) -> None:
    """Pipeline hygiene findings by owner and severity, with counts per rule."""
    st = state(ctx)
    report = hygiene_report(
        st.workspace(),
        st.actor(),
        as_of=as_of_moment(as_of),
        team=team,
        rep=rep,
        rules=rule,
        rules_file=rules_file,
    )
    if as_json:
        output.print_json(report.to_dict())
        return
    print_report(report)
