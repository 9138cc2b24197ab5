"""`sqo log` and `sqo history`: what happened on a record."""

from __future__ import annotations

from typing import Annotated

import typer

from sqo.cli import output
from sqo.cli.context import state
from sqo.cli.options import JsonOption
from sqo.domain.history import RecordType
from sqo.i18n import _
from sqo.services.activities import log_activity
from sqo.services.history import field_label, history_of
from sqo.services.periods import as_of_moment


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
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Only the changes up to then (a date means its end; UTC)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Every change to a record: who, when, from what to what, and why."""
    st = state(ctx)
    record_type = RecordType.LEAD if lead else RecordType.OPPORTUNITY
    history = history_of(
        st.workspace(), st.actor(), record_type, record_id, as_of=as_of_moment(as_of)
    )
    if as_json:
        output.print_json(history.to_list())
        return

    def shown(field: str, text: str | None) -> str:
        value = history.value(field, text)
        if value is None:
            return ""
        if field == "amount_cents":
            return output.money(value, history.currency)
        if field == "probability":
            return output.percent(value)
        if field == "competitors":
            return ", ".join(value)
        return str(value)

    output.table(
        _("History of {kind} {id}", kind=_("lead") if lead else _("opportunity"), id=record_id),
        [_("When"), _("Who"), _("Field"), _("From"), _("To"), _("Why")],
        [
            [
                e.change.changed_at.strftime("%Y-%m-%d %H:%M"),
                e.change.actor,
                field_label(e.change.field),
                shown(e.change.field, e.change.old),
                shown(e.change.field, e.change.new),
                _why(e.change.justification, e.after_close),
            ]
            for e in history.entries
        ],
        nowrap=(0,),
    )


def _why(justification: str | None, after_close: bool) -> str | None:
    """The reason, and for a change to a deal already won or lost, that it came after the close."""
    if not after_close:
        return justification
    if justification:
        return _("After close: {why}", why=justification)
    return _("After close")
