"""`sqo rep|team|account|contact|campaign|quota`: the organisation around the pipeline."""

from __future__ import annotations

from typing import Annotated

import typer

from sqo.cli import output
from sqo.cli.context import SqoGroup, state
from sqo.cli.options import JsonOption
from sqo.i18n import _
from sqo.services import directory

reps = typer.Typer(cls=SqoGroup, no_args_is_help=True, help="Sales reps and managers.")
teams = typer.Typer(cls=SqoGroup, no_args_is_help=True, help="Sales teams.")
accounts = typer.Typer(cls=SqoGroup, no_args_is_help=True, help="Accounts (companies).")
contacts = typer.Typer(cls=SqoGroup, no_args_is_help=True, help="Contacts and their buying roles.")
campaigns = typer.Typer(cls=SqoGroup, no_args_is_help=True, help="Marketing campaigns.")
quotas = typer.Typer(cls=SqoGroup, no_args_is_help=True, help="Quotas per rep or team and period.")


@reps.command("add")
def rep_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Their full name.")],
    email: Annotated[str | None, typer.Option(help="Their e-mail address.")] = None,
    team: Annotated[str | None, typer.Option(help="Team name or id.")] = None,
    manager: Annotated[str | None, typer.Option(help="Their manager (rep name or id).")] = None,
    role: Annotated[str, typer.Option(help="rep, manager, marketing or admin.")] = "rep",
) -> None:
    """Add a rep."""
    st = state(ctx)
    rep = directory.add_rep(
        st.workspace(), st.actor(), name, email=email, team=team, manager=manager, role=role
    )
    output.console.print(_("Added rep {name} ({id}).", name=rep.name, id=rep.id))


@reps.command("list")
def rep_list(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List reps."""
    st = state(ctx)
    found = directory.list_reps(st.workspace(), st.actor())
    if as_json:
        output.print_json(found)
        return
    team_names = {x.id: x.name for x in directory.list_teams(st.workspace(), st.actor())}
    output.table(
        _("Reps"),
        ["#", _("Name"), _("Email"), _("Team"), _("Role")],
        [[r.id, r.name, r.email, team_names.get(r.team_id or 0, ""), r.role] for r in found],
    )


@teams.command("add")
def team_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The team's name.")],
    manager: Annotated[str | None, typer.Option(help="Manager (rep name or id).")] = None,
) -> None:
    """Add a team."""
    st = state(ctx)
    team = directory.add_team(st.workspace(), st.actor(), name, manager=manager)
    output.console.print(_("Added team {name} ({id}).", name=team.name, id=team.id))


@teams.command("list")
def team_list(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List teams."""
    st = state(ctx)
    found = directory.list_teams(st.workspace(), st.actor())
    if as_json:
        output.print_json(found)
        return
    output.table(_("Teams"), ["#", _("Name")], [[x.id, x.name] for x in found])


@accounts.command("add")
def account_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The company's name.")],
    segment: Annotated[str | None, typer.Option(help="SMB, mid-market or enterprise.")] = None,
    industry: Annotated[str | None, typer.Option(help="e.g. Software, Retail.")] = None,
    employees: Annotated[int | None, typer.Option(help="Head count.")] = None,
    country: Annotated[str | None, typer.Option(help="Where it is based.")] = None,
) -> None:
    """Add an account."""
    st = state(ctx)
    account = directory.add_account(
        st.workspace(),
        st.actor(),
        name,
        segment=segment,
        industry=industry,
        employees=employees,
        country=country,
    )
    output.console.print(_("Added account {name} ({id}).", name=account.name, id=account.id))


@accounts.command("list")
def account_list(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List accounts."""
    st = state(ctx)
    found = directory.list_accounts(st.workspace(), st.actor())
    if as_json:
        output.print_json(found)
        return
    output.table(
        _("Accounts"),
        ["#", _("Name"), _("Segment"), _("Industry")],
        [[a.id, a.name, a.segment.value if a.segment else "", a.industry] for a in found],
    )


@contacts.command("add")
def contact_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The person's name.")],
    account: Annotated[str | None, typer.Option(help="Account name or id.")] = None,
    email: Annotated[str | None, typer.Option(help="Their e-mail address.")] = None,
    title: Annotated[str | None, typer.Option(help="Their job title.")] = None,
    role: Annotated[
        str | None,
        typer.Option(
            help="economic_buyer, champion, decision_maker, technical_buyer, influencer, "
            "stakeholder."
        ),
    ] = None,
    opp: Annotated[
        int | None, typer.Option("--opp", help="Add them to this opportunity in that role.")
    ] = None,
) -> None:
    """Add a contact, optionally with a buying role on a deal."""
    st = state(ctx)
    contact = directory.add_contact(
        st.workspace(),
        st.actor(),
        name,
        account=account,
        email=email,
        title=title,
        buying_role=role,
        opportunity_id=opp,
    )
    output.console.print(_("Added contact {name} ({id}).", name=contact.name, id=contact.id))


@campaigns.command("add")
def campaign_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The campaign's name.")],
    channel: Annotated[str | None, typer.Option(help="e.g. Webinar, Paid search, Event.")] = None,
    cost: Annotated[str | None, typer.Option(help="What it cost, e.g. 12000.")] = None,
    start: Annotated[str | None, typer.Option(help="YYYY-MM-DD.")] = None,
    end: Annotated[str | None, typer.Option(help="YYYY-MM-DD.")] = None,
) -> None:
    """Add a campaign."""
    st = state(ctx)
    campaign = directory.add_campaign(
        st.workspace(), st.actor(), name, channel=channel, cost=cost, start=start, end=end
    )
    output.console.print(_("Added campaign {name} ({id}).", name=campaign.name, id=campaign.id))


@campaigns.command("list")
def campaign_list(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List campaigns."""
    st = state(ctx)
    found = directory.list_campaigns(st.workspace(), st.actor())
    if as_json:
        output.print_json(found)
        return
    output.table(
        _("Campaigns"),
        ["#", _("Name"), _("Channel"), _("Cost")],
        [[c.id, c.name, c.channel, output.money(c.cost_cents, c.currency)] for c in found],
    )


@quotas.command("set")
def quota_set(
    ctx: typer.Context,
    amount: Annotated[str, typer.Argument(help="Quota amount for the period.")],
    period_from: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD.")],
    period_to: Annotated[str, typer.Option("--to", help="Last day, YYYY-MM-DD.")],
    rep: Annotated[str | None, typer.Option(help="Rep name or id.")] = None,
    team: Annotated[str | None, typer.Option(help="Team name or id.")] = None,
) -> None:
    """Set a quota for a rep or a team over a period."""
    st = state(ctx)
    quota = directory.set_quota(
        st.workspace(),
        st.actor(),
        amount=amount,
        period_start=period_from,
        period_end=period_to,
        rep=rep,
        team=team,
    )
    output.console.print(
        _(
            "Quota {id} set: {amount} from {start} to {end}.",
            id=quota.id,
            amount=output.money(quota.amount_cents, quota.currency),
            start=quota.period_start,
            end=quota.period_end,
        )
    )
