"""Turning what a user typed (a name, an email, an id) into a record, or a helpful refusal."""

from __future__ import annotations

import difflib

from sqo.domain.errors import NotFound, UnknownReference, list_values
from sqo.domain.records import Account, Campaign, Lead, Opportunity, Rep, Team
from sqo.i18n import _
from sqo.store.unit_of_work import UnitOfWork


def _suggest(value: str, names: list[str]) -> str:
    close = difflib.get_close_matches(value, names, n=3, cutoff=0.6)
    return _(" Did you mean: {names}?", names=", ".join(close)) if close else ""


def rep(uow: UnitOfWork, reference: str, *, field: str = "owner") -> Rep:
    matching = uow.people.reps_matching(reference)
    if len(matching) > 1:  # an e-mail address several reps share: never pick one of them
        names = [r.name for r in matching]
        raise UnknownReference(
            _(
                "{count} reps share the e-mail address {value!r} ({names}): give the {field} "
                "by name or id instead.",
                count=len(matching),
                value=reference.strip(),
                names=list_values(names),
                field=field,
            ),
            field=field,
            allowed=names,
        )
    found = matching[0] if matching else None
    if found is None:
        names = [r.name for r in uow.people.reps()]
        raise UnknownReference(
            _(
                "Unknown {field} {value!r}.{hint} Known reps: {allowed}. "
                "Add one with 'sqo rep add'.",
                field=field,
                value=reference,
                hint=_suggest(reference, names),
                allowed=list_values(names) or _("none yet"),
            ),
            field=field,
            allowed=names,
        )
    return found


def team(uow: UnitOfWork, reference: str) -> Team:
    found = uow.people.find_team(reference)
    if found is None:
        teams = uow.people.teams()
        names = [x.name for x in teams]
        # "Enterprise" for "Enterprise (New York)": the start of one team's name is enough.
        start = reference.strip().casefold()
        starting = [x for x in teams if start and x.name.casefold().startswith(start)]
        if len(starting) == 1:
            return starting[0]
        if len(starting) > 1:
            raise UnknownReference(
                _(
                    "{value!r} is the start of several teams' names: {matches}. Give the whole "
                    "name.",
                    value=reference,
                    matches=list_values([x.name for x in starting]),
                ),
                field="team",
                allowed=names,
            )
        raise UnknownReference(
            _(
                "Unknown team {value!r}. Known teams: {allowed}. Add one with 'sqo team add'.",
                value=reference,
                allowed=list_values(names) or _("none yet"),
            ),
            field="team",
            allowed=names,
        )
    return found


def account(uow: UnitOfWork, reference: str) -> Account:
    found = uow.accounts.find(reference)
    if found is None:
        names = uow.accounts.names()
        raise UnknownReference(
            _(
                "Unknown account {value!r}.{hint} Add it with 'sqo account add'.",
                value=reference,
                hint=_suggest(reference, names),
            ),
            field="account",
            allowed=names,
        )
    return found


def campaign(uow: UnitOfWork, reference: str) -> Campaign:
    found = uow.campaigns.find(reference)
    if found is None:
        names = [c.name for c in uow.campaigns.all()]
        raise UnknownReference(
            _(
                "Unknown campaign {value!r}. Known campaigns: {allowed}.",
                value=reference,
                allowed=list_values(names) or _("none yet"),
            ),
            field="campaign",
            allowed=names,
        )
    return found


def opportunity(uow: UnitOfWork, opportunity_id: int) -> Opportunity:
    found = uow.opportunities.get(opportunity_id)
    if found is None:
        raise NotFound(
            _("There is no opportunity {id}. List them with 'sqo opp list'.", id=opportunity_id),
            field="opportunity",
        )
    return found


def lead(uow: UnitOfWork, lead_id: int) -> Lead:
    found = uow.leads.get(lead_id)
    if found is None:
        raise NotFound(
            _("There is no lead {id}. List them with 'sqo lead list'.", id=lead_id), field="lead"
        )
    return found
