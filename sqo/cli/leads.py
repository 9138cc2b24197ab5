"""`sqo lead ...` and `sqo convert`: leads from the command line."""

from __future__ import annotations

from typing import Annotated

import typer

from sqo.cli import output
from sqo.cli.context import SqoGroup, given, state
from sqo.cli.opportunities import VersionOption, shown_of
from sqo.cli.options import JsonOption
from sqo.i18n import _
from sqo.services import leads, record_views
from sqo.services.periods import as_of_moment

app = typer.Typer(
    cls=SqoGroup, no_args_is_help=True, help="Create, list, qualify and convert leads."
)


@app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The person's name.")],
    company: Annotated[str | None, typer.Option(help="The company they work for.")] = None,
    email: Annotated[str | None, typer.Option(help="Their e-mail address.")] = None,
    owner: Annotated[str | None, typer.Option(help="Rep name, email or id.")] = None,
    stage: Annotated[
        str | None, typer.Option(help="Lead, MQL, SAL or SQL (default: Lead).")
    ] = None,
    source: Annotated[str | None, typer.Option(help="e.g. Webinar, Referral, Outbound.")] = None,
    campaign: Annotated[str | None, typer.Option(help="Campaign name or id.")] = None,
    segment: Annotated[str | None, typer.Option(help="SMB, mid-market or enterprise.")] = None,
    account: Annotated[str | None, typer.Option(help="Account name or id.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Create a lead."""
    st = state(ctx)
    lead = leads.create_lead(
        st.workspace(),
        st.actor(),
        name=name,
        stage=stage,
        **given(
            company=company,
            email=email,
            owner=owner,
            source=source,
            campaign=campaign,
            segment=segment,
            account=account,
        ),
    )
    if as_json:
        output.print_json(lead)
    else:
        output.console.print(_("Created lead {id} at {stage}.", id=lead.id, stage=lead.stage))


@app.command("update")
def update(
    ctx: typer.Context,
    lead_id: Annotated[int, typer.Argument(metavar="LEAD", help="Lead id.")],
    name: Annotated[str | None, typer.Option(help="The person's name.")] = None,
    company: Annotated[str | None, typer.Option(help="The company they work for.")] = None,
    email: Annotated[str | None, typer.Option(help="Their e-mail address.")] = None,
    owner: Annotated[str | None, typer.Option(help="Rep name, email or id.")] = None,
    source: Annotated[str | None, typer.Option(help="e.g. Webinar, Referral, Outbound.")] = None,
    campaign: Annotated[str | None, typer.Option(help="Campaign name or id.")] = None,
    segment: Annotated[str | None, typer.Option(help="SMB, mid-market or enterprise.")] = None,
    account: Annotated[str | None, typer.Option(help="Account name or id.")] = None,
    if_version: VersionOption = None,
    as_json: JsonOption = False,
) -> None:
    """Change fields of a lead."""
    st = state(ctx)
    edits = given(
        name=name,
        company=company,
        email=email,
        owner=owner,
        source=source,
        campaign=campaign,
        segment=segment,
        account=account,
    )
    if not edits:
        raise typer.BadParameter(_("Say what to change, e.g. --owner 'Ann Lee'."))
    lead = leads.update_lead(
        st.workspace(), st.actor(), lead_id, expected_version=if_version, **edits
    )
    if as_json:
        output.print_json(lead)
    else:
        output.console.print(
            _("Updated lead {id} (now version {version}).", id=lead.id, version=lead.version)
        )


@app.command("move")
def move(
    ctx: typer.Context,
    lead_id: Annotated[int, typer.Argument(metavar="LEAD", help="Lead id.")],
    stage: Annotated[str, typer.Argument(help="MQL, SAL, SQL, Disqualified, ...")],
    reason: Annotated[str | None, typer.Option(help="Why (kept in the history).")] = None,
    if_version: VersionOption = None,
    as_json: JsonOption = False,
) -> None:
    """Move a lead through the lifecycle (Lead → MQL → SAL → SQL)."""
    st = state(ctx)
    lead = leads.move_lead(
        st.workspace(),
        st.actor(),
        lead_id,
        stage,
        expected_version=if_version,
        justification=reason,
    )
    if as_json:
        output.print_json(lead)
    else:
        output.console.print(_("Lead {id} is now at {stage}.", id=lead.id, stage=lead.stage))


def convert_command(
    ctx: typer.Context,
    lead_id: Annotated[int, typer.Argument(metavar="LEAD", help="Lead id (at SQL).")],
    name: Annotated[
        str | None, typer.Option(help="Opportunity name (default: the company).")
    ] = None,
    amount: Annotated[str | None, typer.Option(help="Deal value, e.g. 25000.")] = None,
    close_date: Annotated[str | None, typer.Option(help="YYYY-MM-DD.")] = None,
    account: Annotated[str | None, typer.Option(help="Account name or id.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Convert a sales-qualified lead into an opportunity, keeping the link."""
    st = state(ctx)
    converted = record_views.convert_lead(
        st.workspace(),
        st.actor(),
        lead_id,
        opportunity_name=name,
        **given(amount=amount, close_date=close_date, account=account),
    )
    lead, opp = converted.lead, converted.opportunity
    if as_json:
        output.print_json(converted.to_dict())
    else:
        output.console.print(
            _(
                "Lead {lead} converted: opportunity {opp} created at {stage}.",
                lead=lead.id,
                opp=opp.id,
                stage=opp.stage,
            )
        )


app.command("convert")(convert_command)


@app.command("list")
def list_(
    ctx: typer.Context,
    stage: Annotated[str | None, typer.Option(help="Only this stage.")] = None,
    owner: Annotated[str | None, typer.Option(help="Only this rep's.")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="As things stood then.")] = None,
    limit: Annotated[int, typer.Option(min=0, help="At most this many.")] = 200,
    converted: Annotated[
        bool,
        typer.Option(
            "--converted",
            help="Include the leads converted into opportunities (left out by default).",
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """List leads."""
    st = state(ctx)
    listing = record_views.lead_listing(
        st.workspace(),
        st.actor(),
        stage=stage,
        owner=owner,
        as_of=as_of_moment(as_of),
        limit=limit,
        converted=converted,
    )
    if as_json:
        output.print_json(listing.to_dict())
        return
    page, found, reps, left_out = (
        listing.page,
        listing.page.items,
        listing.rep_names,
        listing.converted_left_out,
    )
    output.table(
        _("Leads"),
        ["#", _("Name"), _("Company"), _("Owner"), _("Stage"), _("Source"), _("Created")],
        [
            [
                x.id,
                x.name,
                x.company,
                reps.get(x.owner_id or 0, ""),
                x.stage
                if x.converted_opportunity_id is None
                else _(
                    "{stage}, now opportunity {id}",
                    stage=x.stage,
                    id=x.converted_opportunity_id,
                ),
                x.source,
                output.day(x.created_at),
            ]
            for x in found
        ],
        right=(0,),
    )
    shown_of(page)
    if left_out:
        output.console.print(
            _(
                "{count} lead(s) converted into opportunities are not listed (they count as "
                "opportunities now); add --converted to include them.",
                count=output.number(left_out),
            )
        )


@app.command("show")
def show(
    ctx: typer.Context,
    lead_id: Annotated[int, typer.Argument(metavar="LEAD", help="Lead id.")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="As it stood then.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Show one lead."""
    st = state(ctx)
    lead = leads.get_lead(st.workspace(), st.actor(), lead_id, as_of=as_of_moment(as_of))
    if as_json:
        output.print_json(lead)
        return
    output.heading(lead.name, f"(#{lead.id}, v{lead.version})")
    output.fields(
        [
            (_("Stage"), lead.stage),
            (_("Company"), lead.company),
            (_("Email"), lead.email),
            (_("Segment"), lead.segment.value if lead.segment else None),
            (_("Source"), lead.source),
            (_("Created"), output.day(lead.created_at)),
            (_("Converted to opportunity"), lead.converted_opportunity_id),
        ]
    )
