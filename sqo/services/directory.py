"""The organisation around the pipeline: teams, reps, quotas, accounts, contacts, campaigns."""

from __future__ import annotations

from datetime import date

from sqlalchemy.exc import IntegrityError

from sqo.domain.actor import Actor
from sqo.domain.audit import AuditAction, audit_entry
from sqo.domain.errors import InvalidValue
from sqo.domain.records import Account, Campaign, Contact, Quota, Rep, Team
from sqo.domain.values import (
    TEXT_LIMITS,
    BuyingRole,
    Segment,
    check_text,
    parse_amount,
    parse_currency,
    parse_date,
    parse_enum,
    require_text,
    utc_now,
)
from sqo.i18n import _
from sqo.services import lookups
from sqo.services.workspace import Workspace


def _duplicate(kind: str, name: str) -> InvalidValue:
    return InvalidValue(
        _("A {kind} named {name!r} already exists.", kind=kind, name=name), field="name"
    )


def add_team(ws: Workspace, actor: Actor, name: str, *, manager: str | None = None) -> Team:
    with ws.unit_of_work() as uow:
        team = Team(id=0, name=require_text(name, field="name", max_length=TEXT_LIMITS["team"]))
        if uow.people.find_team(team.name):
            raise _duplicate(_("team"), team.name)
        if manager:
            team.manager_id = lookups.rep(uow, manager, field="manager").id
        team.id = uow.people.add_team(team)
        uow.audit.add(audit_entry(AuditAction.TEAM_ADDED, actor, utc_now(), name=name))
        uow.commit()
        return team


def add_rep(
    ws: Workspace,
    actor: Actor,
    name: str,
    *,
    email: str | None = None,
    team: str | None = None,
    manager: str | None = None,
    role: str = "rep",
) -> Rep:
    if role not in ("rep", "manager", "marketing", "admin"):
        raise InvalidValue(
            _("Invalid role {value!r}. Allowed: rep, manager, marketing, admin.", value=role),
            field="role",
            allowed=["rep", "manager", "marketing", "admin"],
        )
    with ws.unit_of_work() as uow:
        rep = Rep(
            id=0,
            name=require_text(name, field="name", max_length=TEXT_LIMITS["rep"]),
            email=check_text(email, field="email") if email else None,
            role=role,
        )
        # Names are unique; an e-mail address may be shared (integration users, a team inbox).
        if uow.people.rep_named(rep.name):
            raise _duplicate(_("rep"), rep.name)
        if team:
            found = lookups.team(uow, team)
            rep.team_id = found.id
            rep.manager_id = found.manager_id
        if manager:
            rep.manager_id = lookups.rep(uow, manager, field="manager").id
        rep.id = uow.people.add_rep(rep)
        if role == "manager" and rep.team_id is not None:
            current = uow.people.team(rep.team_id)
            if current is not None and current.manager_id is None:
                uow.people.set_team_manager(rep.team_id, rep.id)
        uow.audit.add(audit_entry(AuditAction.REP_ADDED, actor, utc_now(), name=name))
        uow.commit()
        return rep


def set_quota(
    ws: Workspace,
    actor: Actor,
    *,
    amount: str,
    period_start: str | date,
    period_end: str | date,
    rep: str | None = None,
    team: str | None = None,
    currency: str | None = None,
) -> Quota:
    if (rep is None) == (team is None):
        raise InvalidValue(_("Set a quota for exactly one rep or one team."), field="rep")
    start = parse_date(period_start, field="from")
    end = parse_date(period_end, field="to")
    if end < start:
        raise InvalidValue(
            _("The quota period ends ({end}) before it starts ({start}).", end=end, start=start),
            field="to",
        )
    with ws.unit_of_work() as uow:
        quota = Quota(
            id=0,
            period_start=start,
            period_end=end,
            amount_cents=parse_amount(amount, field="amount"),
            currency=parse_currency(currency or ws.default_currency),
            rep_id=lookups.rep(uow, rep, field="rep").id if rep else None,
            team_id=lookups.team(uow, team).id if team else None,
        )
        quota.id = uow.people.add_quota(quota)
        uow.commit()
        return quota


def add_account(
    ws: Workspace,
    actor: Actor,
    name: str,
    *,
    segment: str | None = None,
    industry: str | None = None,
    employees: int | None = None,
    country: str | None = None,
) -> Account:
    with ws.unit_of_work() as uow:
        account = Account(
            id=0,
            name=require_text(name, field="name"),
            segment=parse_enum(Segment, segment, field="segment") if segment else None,
            industry=industry,
            employees=employees,
            country=country,
            created_at=utc_now(),
        )
        if uow.accounts.find(account.name):
            raise _duplicate(_("account"), account.name)
        try:
            account.id = uow.accounts.add(account)
        except IntegrityError as exc:  # pragma: no cover - guarded above
            raise _duplicate(_("account"), account.name) from exc
        uow.commit()
        return account


def add_contact(
    ws: Workspace,
    actor: Actor,
    name: str,
    *,
    account: str | None = None,
    email: str | None = None,
    title: str | None = None,
    buying_role: str | None = None,
    opportunity_id: int | None = None,
) -> Contact:
    with ws.unit_of_work() as uow:
        contact = Contact(
            id=0,
            name=require_text(name, field="name"),
            email=email,
            title=title,
            account_id=lookups.account(uow, account).id if account else None,
            buying_role=parse_enum(BuyingRole, buying_role, field="role") if buying_role else None,
        )
        contact.id = uow.contacts.add(contact)
        if opportunity_id is not None:
            lookups.opportunity(uow, opportunity_id)
            uow.contacts.add_role(
                opportunity_id,
                contact.id,
                contact.buying_role.value if contact.buying_role else None,
                added_at=utc_now(),
            )
        uow.commit()
        return contact


def add_campaign(
    ws: Workspace,
    actor: Actor,
    name: str,
    *,
    channel: str | None = None,
    cost: str | None = None,
    currency: str | None = None,
    start: str | None = None,
    end: str | None = None,
) -> Campaign:
    with ws.unit_of_work() as uow:
        campaign = Campaign(
            id=0,
            name=require_text(name, field="name"),
            channel=channel,
            cost_cents=parse_amount(cost, field="cost") if cost else None,
            currency=parse_currency(currency or ws.default_currency),
            start_date=parse_date(start, field="start") if start else None,
            end_date=parse_date(end, field="end") if end else None,
        )
        if uow.campaigns.find(campaign.name):
            raise _duplicate(_("campaign"), campaign.name)
        campaign.id = uow.campaigns.add(campaign)
        uow.commit()
        return campaign


def list_reps(ws: Workspace, actor: Actor) -> list[Rep]:
    with ws.unit_of_work() as uow:
        return uow.people.reps()


def list_teams(ws: Workspace, actor: Actor) -> list[Team]:
    with ws.unit_of_work() as uow:
        return uow.people.teams()


def list_accounts(ws: Workspace, actor: Actor) -> list[Account]:
    with ws.unit_of_work() as uow:
        return uow.accounts.all()


def list_campaigns(ws: Workspace, actor: Actor) -> list[Campaign]:
    with ws.unit_of_work() as uow:
        return uow.campaigns.all()


def display_names(
    ws: Workspace, actor: Actor, *, rep_ids: set[int], account_ids: set[int]
) -> tuple[dict[int, str], dict[int, str]]:
    """Rep and account names for a page of records: two queries, whatever the page size."""
    with ws.unit_of_work() as uow:
        return uow.people.rep_names(rep_ids), uow.accounts.names_by_id(account_ids)
