"""`sqo playbook ...`, `sqo qualify`, `sqo evidence ...`, `sqo promote`, `sqo near-misses`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sqo.cli import output
from sqo.cli.context import SqoGroup, as_of_option, state
from sqo.domain.errors import SqoError
from sqo.domain.playbooks.evaluation import Evaluation
from sqo.domain.playbooks.report import render_text
from sqo.i18n import _
from sqo.services import promotion, qualification

playbook_app = typer.Typer(
    cls=SqoGroup, no_args_is_help=True, help="Qualification playbooks: list, show, validate, use."
)
evidence_app = typer.Typer(
    cls=SqoGroup, no_args_is_help=True, help="Evidence that a qualification criterion is met."
)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]
LeadOption = Annotated[
    bool, typer.Option("--lead", help="The id is a lead's (an SQL), not an opportunity's.")
]
AsOfOption = Annotated[
    str | None, typer.Option("--as-of", help="Evaluate as of this date or time (default: now).")
]


def _current_name(ctx: typer.Context) -> str | None:
    """The workspace's playbook, when there is a workspace to ask."""
    try:
        st = state(ctx)
        return qualification.current_settings(st.workspace(), st.actor()).playbook.name
    except SqoError:
        return None


@playbook_app.command("list")
def list_command(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List the playbooks shipped with sqo (* marks the workspace's)."""
    summaries = qualification.list_playbooks(_current_name(ctx))
    if as_json:
        output.print_json([s.to_dict() for s in summaries])
        return
    output.table(
        _("Playbooks"),
        ["", _("Name"), _("Version"), _("Criteria"), _("Required"), _("Description")],
        [
            [
                "*" if s.current else "",
                s.playbook.name,
                s.playbook.version,
                len(s.playbook.keys()),
                len(s.playbook.required_keys()),
                s.playbook.text()[0],
            ]
            for s in summaries
        ],
        right=(3, 4),
    )


@playbook_app.command("show")
def show_command(
    ctx: typer.Context,
    name: Annotated[
        str | None,
        typer.Argument(metavar="[NAME|FILE]", help="A playbook (default: the workspace's)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Show a playbook's groups and criteria: weight, required, condition, how each is met."""
    if name is None:
        st = state(ctx)
        detail = qualification.current_playbook(st.workspace(), st.actor())
    else:
        detail = qualification.playbook_detail(name)
    if as_json:
        output.print_json(detail.to_dict())
        return
    playbook = detail.playbook
    label, description = playbook.text()
    output.console.print(f"{label} ({playbook.name} v{playbook.version})", markup=False)
    if description:
        output.console.print(description, markup=False)
    for group in playbook.groups:
        output.table(
            group.text()[0],
            [_("Key"), _("Criterion"), _("Weight"), _("Required"), _("Applies when"), _("Met by")],
            [
                [
                    c.key,
                    c.text()[0],
                    output.number(c.weight, 1 if c.weight != int(c.weight) else 0),
                    _("yes") if c.required else "",
                    c.condition or _("always"),
                    " + ".join(
                        ([_("evidence")] if c.evidence else [])
                        + ([c.rule.describe()] if c.rule else [])
                    ),
                ]
                for c in group.criteria
            ],
            right=(2,),
        )


@playbook_app.command("validate")
def validate_command(
    path: Annotated[Path, typer.Argument(metavar="FILE", help="A playbook YAML file.")],
    as_json: JsonOption = False,
) -> None:
    """Check a playbook file; every problem is listed with its line."""
    checked = qualification.validate_playbook(path)
    if as_json:
        output.print_json(checked.to_dict())
        return
    playbook = checked.playbook
    output.console.print(
        _(
            "{file} is a valid playbook: {name} v{version}, {groups} groups, {criteria} criteria "
            "({required} required).",
            file=str(path),
            name=playbook.name,
            version=playbook.version,
            groups=len(playbook.groups),
            criteria=len(playbook.keys()),
            required=len(playbook.required_keys()),
        ),
        markup=False,
    )


@playbook_app.command("use")
def use_command(
    ctx: typer.Context,
    reference: Annotated[
        str, typer.Argument(metavar="NAME|FILE", help="A shipped playbook or a YAML file.")
    ],
    as_json: JsonOption = False,
) -> None:
    """Make a playbook the workspace's: the SQO gate checks its required criteria."""
    st = state(ctx)
    chosen = qualification.use_playbook(st.workspace(), st.actor(), reference)
    if as_json:
        output.print_json(chosen.to_dict())
        return
    playbook = chosen.playbook
    output.console.print(
        _(
            "The workspace now qualifies with the playbook {name} v{version}.",
            name=playbook.name,
            version=playbook.version,
        ),
        markup=False,
    )


@playbook_app.command("override")
def override_command(
    ctx: typer.Context,
    segment: Annotated[str, typer.Argument(help="SMB, mid-market, enterprise, or * for all.")],
    criterion: Annotated[str, typer.Argument(help="The criterion's key.")],
    weight: Annotated[float | None, typer.Option(help="A new weight (positive).")] = None,
    required: Annotated[
        bool | None, typer.Option("--required/--optional", help="Whether the gate needs it.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Change a criterion's weight or requirement for one segment."""
    st = state(ctx)
    saved = qualification.set_override(
        st.workspace(), st.actor(), segment, criterion, weight=weight, required=required
    )
    if as_json:
        output.print_json(saved.to_dict())
        return
    output.console.print(
        _("Override saved for {criterion} in {segment}.", criterion=criterion, segment=segment),
        markup=False,
    )


@playbook_app.command("justification")
def justification_command(
    ctx: typer.Context,
    length: Annotated[int, typer.Argument(help="Minimum characters of a gate override.")],
) -> None:
    """Set how long a written justification must be to override the SQO gate."""
    st = state(ctx)
    qualification.set_min_justification(st.workspace(), st.actor(), length)
    output.console.print(
        _("Overriding the SQO gate now needs at least {length} characters.", length=length),
        markup=False,
    )


def _evaluate(ctx: typer.Context, record_id: int, lead: bool, as_of: str | None) -> Evaluation:
    st = state(ctx)
    when = as_of_option(as_of)
    if lead:
        return qualification.qualify_lead(st.workspace(), st.actor(), record_id, as_of=when)
    return qualification.qualify_opportunity(st.workspace(), st.actor(), record_id, as_of=when)


def qualify_command(
    ctx: typer.Context,
    record_id: Annotated[int, typer.Argument(metavar="OPP", help="Opportunity (or lead) id.")],
    lead: LeadOption = False,
    as_of: AsOfOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show the qualification checklist: every criterion, the scores, what the gate misses."""
    evaluation = _evaluate(ctx, record_id, lead, as_of)
    if as_json:
        output.print_json(evaluation.to_dict())
    else:
        output.console.print(render_text(evaluation), markup=False)


@evidence_app.command("add")
def evidence_add(
    ctx: typer.Context,
    record_id: Annotated[int, typer.Argument(metavar="OPP", help="Opportunity (or lead) id.")],
    criterion: Annotated[str, typer.Argument(help="The criterion's key, e.g. economic_buyer.")],
    note: Annotated[str, typer.Option("--note", help="What shows the criterion is met.")],
    lead: LeadOption = False,
    at: Annotated[str | None, typer.Option("--at", help="When it was learned.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Record evidence that a criterion is met (who and when are kept)."""
    st = state(ctx)
    added = qualification.add_evidence(
        st.workspace(),
        st.actor(),
        criterion,
        note,
        opportunity_id=None if lead else record_id,
        lead_id=record_id if lead else None,
        at=at,
    )
    if as_json:
        output.print_json(added.to_dict())
        return
    record = _("lead") if lead else _("opportunity")
    output.console.print(
        _(
            "Recorded evidence for {criterion} on {record} {id}.",
            criterion=criterion,
            record=record,
            id=record_id,
        ),
        markup=False,
    )


def promote_command(
    ctx: typer.Context,
    opportunity_id: Annotated[int, typer.Argument(metavar="OPP", help="Opportunity id.")],
    justify: Annotated[
        str | None,
        typer.Option(help="Why it is an SQO although required criteria are missing."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Promote an opportunity to SQO through the qualification gate."""
    st = state(ctx)
    outcome = promotion.promote_opportunity(st.workspace(), st.actor(), opportunity_id, justify)
    if as_json:
        output.print_json(outcome.to_dict())
        return
    opp = outcome.opportunity
    output.console.print(
        _("Opportunity {id} is now an SQO (stage {stage}).", id=opp.id, stage=opp.stage),
        markup=False,
    )
    if outcome.overridden:
        output.console.print(
            _(
                "Gate overridden with your justification; still missing: {missing}.",
                missing=", ".join(outcome.missing),
            ),
            markup=False,
        )


def near_misses_command(
    ctx: typer.Context,
    min_score: Annotated[
        float, typer.Option("--min-score", help="Lowest score to list, in percent.")
    ] = 60,
    limit: Annotated[int, typer.Option(help="How many to list.")] = 20,
    as_of: AsOfOption = None,
    as_json: JsonOption = False,
) -> None:
    """SQLs and opportunities that fail the gate but score high: good deals not to lose."""
    st = state(ctx)
    found = qualification.near_misses(
        st.workspace(),
        st.actor(),
        as_of=as_of_option(as_of),
        min_score=min_score / 100,
        limit=limit,
    )
    if as_json:
        output.print_json([m.to_dict() for m in found])
        return
    if not found:
        output.console.print(
            _(
                "No near misses: nothing fails the gate with a score of {score}% or more.",
                score=output.number(min_score),
            ),
            markup=False,
        )
        return
    output.table(
        _("Near misses: failing the SQO gate, but scoring high"),
        [_("Record"), _("Name"), _("Stage"), _("Score"), _("Win"), _("Missing")],
        [
            [
                f"{_('lead') if m.record_type == 'lead' else _('opp')} {m.record_id}",
                m.name,
                m.stage,
                output.percent(m.score),
                output.percent(m.win_probability),
                ", ".join(m.missing),
            ]
            for m in found
        ],
        right=(3, 4),
    )
