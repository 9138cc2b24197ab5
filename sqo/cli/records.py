"""`sqo log` and `sqo history`: what happened on a record."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from sqo.cli import output
from sqo.cli.context import as_of_option, state
from sqo.cli.opportunities import JsonOption
from sqo.domain.history import RecordType
from sqo.i18n import _
from sqo.services import directory
from sqo.services.activities import log_activity
from sqo.services.history import made_after_close, record_history


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
    changes = record_history(
        st.workspace(), st.actor(), record_type, record_id, as_of=as_of_option(as_of)
    )
    late = made_after_close(st.workspace(), changes)
    if as_json:
        output.print_json(
            [
                output.plain(c) | {"after_close": after}
                for c, after in zip(changes, late, strict=True)
            ]
        )
        return
    reps, accounts = directory.display_names(
        st.workspace(),
        st.actor(),
        rep_ids={int(v) for c in changes if c.field == "owner_id" for v in (c.old, c.new) if v},
        account_ids={
            int(v) for c in changes if c.field == "account_id" for v in (c.old, c.new) if v
        },
    )
    currency = next((c.new for c in changes if c.field == "currency" and c.new), None)

    def shown(field: str, value: str | None) -> str:
        if value is None:
            return ""
        if field == "amount_cents":
            return output.money(int(value), currency)
        if field == "owner_id":
            return reps.get(int(value), value)
        if field == "account_id":
            return accounts.get(int(value), value)
        if field == "probability":
            return output.percent(float(value))
        if field == "competitors":
            return ", ".join(json.loads(value))
        return value

    output.table(
        _("History of {kind} {id}", kind=_("lead") if lead else _("opportunity"), id=record_id),
        [_("When"), _("Who"), _("Field"), _("From"), _("To"), _("Why")],
        [
            [
                c.changed_at.strftime("%Y-%m-%d %H:%M"),
                c.actor,
                field_label(c.field),
                shown(c.field, c.old),
                shown(c.field, c.new),
                _why(c.justification, after),
            ]
            for c, after in zip(changes, late, strict=True)
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


def field_label(field: str) -> str:
    """The name a sales manager uses for a tracked field."""
    labels = {
        "name": _("Name"),
        "stage": _("Stage"),
        "account_id": _("Account"),
        "owner_id": _("Owner"),
        "amount_cents": _("Amount"),
        "currency": _("Currency"),
        "close_date": _("Close date"),
        "next_step": _("Next step"),
        "next_step_due": _("Next step due"),
        "forecast_category": _("Forecast category"),
        "probability": _("Probability"),
        "competitors": _("Competitors"),
        "complexity": _("Complexity"),
        "loss_reason": _("Loss reason"),
        "campaign_id": _("Campaign"),
        "source": _("Source"),
        "closed_at": _("Closed"),
        "company": _("Company"),
        "email": _("Email"),
        "segment": _("Segment"),
        "converted_opportunity_id": _("Converted to opportunity"),
        "converted_at": _("Converted"),
    }
    return labels.get(field, field)
