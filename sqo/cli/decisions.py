"""`sqo decide`: keep what the weekly review decided about a deal, who follows it up, by when."""

from __future__ import annotations

from typing import Annotated

import typer

from sqo.cli import output
from sqo.cli.context import state
from sqo.cli.options import JsonOption
from sqo.i18n import _
from sqo.services.decisions import record_decision
from sqo.services.periods import day_or_none


def decide_command(
    ctx: typer.Context,
    opportunity_id: Annotated[int, typer.Argument(help="The opportunity's id.")],
    decision: Annotated[
        str, typer.Option("--decision", help="advance, move-back, park or close-out.")
    ],
    owner: Annotated[str, typer.Option("--owner", help="Who follows it up (a rep).")],
    due: Annotated[str, typer.Option("--due", help="By when (YYYY-MM-DD).")],
    until: Annotated[
        str | None, typer.Option("--until", help="With park: when to look at the deal again.")
    ] = None,
    note: Annotated[
        str | None, typer.Option("--note", help="What was agreed, in a sentence.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Record the review's decision on a deal; next week's review says whether it held."""
    st = state(ctx)
    due_day = day_or_none(due, "due")
    assert due_day is not None  # the option is required
    made = record_decision(
        st.workspace(),
        st.actor(),
        opportunity_id,
        decision=decision,
        owner=owner,
        due=due_day,
        until=day_or_none(until, "until"),
        note=note,
    )
    if as_json:
        output.print_json(made.to_dict())
        return
    output.console.print(
        _(
            "Decision {id} on #{opp} {name}: {decision}, followed up by {owner} by {due}.",
            id=made.id,
            opp=made.opportunity_id,
            name=made.opportunity_name,
            decision=made.decision.value,
            owner=made.owner,
            due=output.day(made.due_date),
        )
    )
