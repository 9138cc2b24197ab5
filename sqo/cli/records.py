"""`sqo log` and `sqo history`: what happened on a record."""

from __future__ import annotations

from typing import Annotated

import typer

from sqo.cli import output
from sqo.cli.context import state
from sqo.cli.opportunities import JsonOption
from sqo.domain.history import RecordType
from sqo.i18n import _
from sqo.services.activities import log_activity
from sqo.services.history import record_history


def log_command(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(help="call, email, meeting, demo or note.")],
    opp: Annotated[int | None, typer.Option("--opp", help="Opportunity id.")] = None,
    lead: Annotated[int | None, typer.Option("--lead", help="Lead id.")] = None,
    subject: Annotated[str | None, typer.Option(help="What it was about.")] = None,
    direction: Annotated[
        str, typer.Option(help="inbound (they reached out) or outbound.")
    ] = "outbound",
    at: Annotated[
        str | None, typer.Option(help="When, e.g. 2026-11-20T14:00 (default: now).")
    ] = None,
    rep: Annotated[str | None, typer.Option(help="Rep who did it (name, email or id).")] = None,
    contact: Annotated[int | None, typer.Option(help="Contact id.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Log an activity on an opportunity or a lead."""
    st = state(ctx)
    activity = log_activity(
        st.workspace(),
        st.actor(),
        kind,
        opportunity_id=opp,
        lead_id=lead,
        direction=direction,
        subject=subject,
        occurred_at=at,
        rep=rep,
        contact_id=contact,
    )
    if as_json:
        output.print_json(activity)
    else:
        output.console.print(_("Logged {kind} {id}.", kind=activity.kind.value, id=activity.id))


def history_command(
    ctx: typer.Context,
    record_id: Annotated[
        int, typer.Argument(metavar="ID", help="Opportunity id (or lead id with --lead).")
    ],
    lead: Annotated[bool, typer.Option("--lead", help="The id is a lead's.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Every change to a record: who, when, from what to what, and why."""
    st = state(ctx)
    record_type = RecordType.LEAD if lead else RecordType.OPPORTUNITY
    changes = record_history(st.workspace(), st.actor(), record_type, record_id)
    if as_json:
        output.print_json(changes)
        return
    output.table(
        _("History of {kind} {id}", kind=_("lead") if lead else _("opportunity"), id=record_id),
        [_("When"), _("Who"), _("Field"), _("From"), _("To"), _("Why")],
        [
            [
                c.changed_at.strftime("%Y-%m-%d %H:%M"),
                c.actor,
                c.field,
                c.old,
                c.new,
                c.justification,
            ]
            for c in changes
        ],
    )
