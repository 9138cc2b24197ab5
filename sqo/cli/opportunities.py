"""`sqo opp ...` and `sqo move`: opportunities from the command line."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from sqo.cli import output
from sqo.cli.context import SqoGroup, given, state
from sqo.cli.options import JsonOption
from sqo.i18n import _
from sqo.services import opportunities, record_views
from sqo.services.listing import Page
from sqo.services.periods import as_of_moment
from sqo.services.record_views import OpportunityListing

app = typer.Typer(
    cls=SqoGroup, no_args_is_help=True, help="Create, list, show and edit opportunities."
)

VersionOption = Annotated[
    int | None,
    typer.Option(
        "--if-version", help="Refuse the change if the record is no longer at this version."
    ),
]


@app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="What the deal is called, e.g. 'Acme – 200 seats'.")],
    account: Annotated[str | None, typer.Option(help="Account name or id.")] = None,
    owner: Annotated[str | None, typer.Option(help="Rep name, email or id.")] = None,
    stage: Annotated[
        str | None, typer.Option(help="Start stage (default: the first opportunity stage).")
    ] = None,
    amount: Annotated[str | None, typer.Option(help="Deal value, e.g. 25000.")] = None,
    currency: Annotated[
        str | None, typer.Option(help="ISO code, e.g. USD (default: the workspace's).")
    ] = None,
    close_date: Annotated[str | None, typer.Option(help="Expected close date, YYYY-MM-DD.")] = None,
    next_step: Annotated[str | None, typer.Option(help="The agreed next step.")] = None,
    next_step_due: Annotated[
        str | None, typer.Option(help="When the next step is due, YYYY-MM-DD.")
    ] = None,
    complexity: Annotated[str | None, typer.Option(help="standard or complex.")] = None,
    competitors: Annotated[
        str | None, typer.Option(help="Comma-separated competitor names.")
    ] = None,
    source: Annotated[str | None, typer.Option(help="Where the deal came from.")] = None,
    campaign: Annotated[str | None, typer.Option(help="Campaign name or id.")] = None,
    justify: Annotated[
        str | None, typer.Option(help="Why it is an SQO, when created at SQO or later.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Create an opportunity."""
    st = state(ctx)
    opp = opportunities.create_opportunity(
        st.workspace(),
        st.actor(),
        name=name,
        stage=stage,
        justification=justify,
        **given(
            account=account,
            owner=owner,
            amount=amount,
            currency=currency,
            close_date=close_date,
            next_step=next_step,
            next_step_due=next_step_due,
            complexity=complexity,
            competitors=competitors,
            source=source,
            campaign=campaign,
        ),
    )
    if as_json:
        output.print_json(opp)
    else:
        output.console.print(_("Created opportunity {id} at {stage}.", id=opp.id, stage=opp.stage))


@app.command("update")
def update(
    ctx: typer.Context,
    opportunity_id: Annotated[int, typer.Argument(metavar="OPP", help="Opportunity id.")],
    name: Annotated[str | None, typer.Option(help="A new name for the deal.")] = None,
    account: Annotated[str | None, typer.Option(help="Account name or id.")] = None,
    owner: Annotated[str | None, typer.Option(help="Rep name, email or id.")] = None,
    amount: Annotated[str | None, typer.Option(help="Deal value, e.g. 25000.")] = None,
    currency: Annotated[str | None, typer.Option(help="ISO code, e.g. EUR.")] = None,
    close_date: Annotated[str | None, typer.Option(help="YYYY-MM-DD.")] = None,
    next_step: Annotated[str | None, typer.Option(help="The agreed next step.")] = None,
    next_step_due: Annotated[str | None, typer.Option(help="YYYY-MM-DD.")] = None,
    forecast_category: Annotated[
        str | None, typer.Option(help="Pipeline, Best Case, Commit, Closed or Omitted.")
    ] = None,
    probability: Annotated[str | None, typer.Option(help="Percent, e.g. 40.")] = None,
    complexity: Annotated[str | None, typer.Option(help="standard or complex.")] = None,
    competitors: Annotated[str | None, typer.Option(help="Comma-separated.")] = None,
    loss_reason: Annotated[str | None, typer.Option(help="Why the deal was lost.")] = None,
    source: Annotated[str | None, typer.Option(help="Where the deal came from.")] = None,
    campaign: Annotated[str | None, typer.Option(help="Campaign name or id.")] = None,
    justify: Annotated[
        str | None,
        typer.Option(help="Why: required to change a won or lost deal's amount or close date."),
    ] = None,
    if_version: VersionOption = None,
    as_json: JsonOption = False,
) -> None:
    """Change fields of an opportunity (every change is kept in its history)."""
    st = state(ctx)
    edits = given(
        name=name,
        account=account,
        owner=owner,
        amount=amount,
        currency=currency,
        close_date=close_date,
        next_step=next_step,
        next_step_due=next_step_due,
        forecast_category=forecast_category,
        probability=probability,
        complexity=complexity,
        competitors=competitors,
        loss_reason=loss_reason,
        source=source,
        campaign=campaign,
    )
    if not edits:
        raise typer.BadParameter(
            _("Say what to change, e.g. --amount 30000 or --close-date 2026-12-15.")
        )
    opp = opportunities.update_opportunity(
        st.workspace(),
        st.actor(),
        opportunity_id,
        expected_version=if_version,
        justification=justify,
        **edits,
    )
    if as_json:
        output.print_json(opp)
    else:
        output.console.print(
            _("Updated opportunity {id} (now version {version}).", id=opp.id, version=opp.version)
        )


def move_command(
    ctx: typer.Context,
    opportunity_id: Annotated[int, typer.Argument(metavar="OPP", help="Opportunity id.")],
    stage: Annotated[str, typer.Argument(help="The stage to move to.")],
    justify: Annotated[
        str | None,
        typer.Option(help="Why: required to override the SQO gate or to reopen a closed deal."),
    ] = None,
    loss_reason: Annotated[
        str | None, typer.Option(help="Why the deal was lost (moving to Lost).")
    ] = None,
    if_version: VersionOption = None,
    as_json: JsonOption = False,
) -> None:
    """Move an opportunity to another stage."""
    st = state(ctx)
    opp = opportunities.move_opportunity(
        st.workspace(),
        st.actor(),
        opportunity_id,
        stage,
        justification=justify,
        loss_reason=loss_reason,
        expected_version=if_version,
    )
    if as_json:
        output.print_json(opp)
    else:
        output.console.print(_("Opportunity {id} is now at {stage}.", id=opp.id, stage=opp.stage))


app.command("move")(move_command)


def _rows(listing: OpportunityListing) -> list[list[Any]]:
    reps, accounts = listing.rep_names, listing.account_names
    return [
        [
            o.id,
            o.name,
            accounts.get(o.account_id or 0, ""),
            reps.get(o.owner_id or 0, ""),
            o.stage,
            output.money(o.amount_cents, o.currency),
            output.day(o.close_date),
        ]
        for o in listing.page.items
    ]


@app.command("list")
def list_(
    ctx: typer.Context,
    stage: Annotated[str | None, typer.Option(help="Only this stage.")] = None,
    owner: Annotated[str | None, typer.Option(help="Only this rep's.")] = None,
    open_only: Annotated[bool, typer.Option("--open", help="Only open deals.")] = False,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="As the pipeline stood then (date or time, UTC).")
    ] = None,
    limit: Annotated[int, typer.Option(min=0, help="At most this many.")] = 200,
    as_json: JsonOption = False,
) -> None:
    """List opportunities, now or as they stood at a past moment."""
    st = state(ctx)
    listing = record_views.opportunity_listing(
        st.workspace(),
        st.actor(),
        stage=stage,
        owner=owner,
        open_only=open_only,
        as_of=as_of_moment(as_of),
        limit=limit,
    )
    if as_json:
        output.print_json(listing.to_dict())
        return
    output.table(
        _("Opportunities"),
        ["#", _("Name"), _("Account"), _("Owner"), _("Stage"), _("Amount"), _("Close date")],
        _rows(listing),
        right=(0, 5),
        nowrap=(0, 4, 5, 6),
    )
    shown_of(listing.page)


def shown_of(page: Page[Any]) -> None:
    """Say when a listing stops at its limit, so that a cut list is never taken for all."""
    if page.cut:
        output.console.print(
            _(
                "{shown} of {total} shown (--limit {limit}).",
                shown=output.number(len(page.items)),
                total=output.number(page.total),
                limit=page.limit,
            )
        )


@app.command("show")
def show(
    ctx: typer.Context,
    opportunity_id: Annotated[int, typer.Argument(metavar="OPP", help="Opportunity id.")],
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="As it stood then (date or time, UTC).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Show one opportunity with its recent activities."""
    st = state(ctx)
    detail = record_views.opportunity_detail(
        st.workspace(), st.actor(), opportunity_id, as_of=as_of_moment(as_of)
    )
    if as_json:
        output.print_json(detail.to_dict())
        return
    opp, acts = detail.opportunity, detail.activities
    output.heading(opp.name, f"(#{opp.id}, v{opp.version})")
    output.fields(
        [
            (_("Stage"), opp.stage),
            (_("Account"), detail.account_name),
            (_("Owner"), detail.owner_name),
            (_("Amount"), output.money(opp.amount_cents, opp.currency)),
            (_("Close date"), output.day(opp.close_date)),
            (_("Probability"), output.percent(opp.probability)),
            (_("Forecast category"), opp.forecast_category),
            (_("Next step"), opp.next_step),
            (_("Next step due"), output.day(opp.next_step_due)),
            (_("Complexity"), opp.complexity.value),
            (_("Competitors"), ", ".join(opp.competitors)),
            (_("Loss reason"), opp.loss_reason),
            (_("Created"), output.day(opp.created_at)),
            (_("Closed"), output.day(opp.closed_at)),
        ]
    )
    if acts:
        output.table(
            _("Last activities"),
            [_("When"), _("Kind"), _("Direction"), _("Subject")],
            [
                [output.day(a.occurred_at), a.kind.value, a.direction.value, a.subject]
                for a in acts[-10:]
            ],
        )
