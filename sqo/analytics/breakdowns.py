"""Breakdown keys (segment, owner, team, source, campaign, week/month/quarter) as SQL columns.

Attributes of a funnel record come from its current row: the opportunity where there is one,
else the lead; segment is the account's segment, or the lead's own segment without an account.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, case, func
from sqlalchemy.sql.selectable import FromClause, Subquery

from sqo.analytics.sqlfuncs import PERIOD_UNITS, period_start
from sqo.domain.errors import InvalidValue, list_values
from sqo.i18n import _
from sqo.store import tables as t

ATTRIBUTE_KEYS = ("segment", "owner", "manager", "team", "source", "campaign")
BREAKDOWN_KEYS = (*ATTRIBUTE_KEYS, *PERIOD_UNITS)


def parse_breakdown(values: Sequence[str] | str | None) -> tuple[str, ...]:
    """``"segment,quarter"`` or a list of keys -> validated keys; at most one period unit."""
    if values is None:
        return ()
    items = [values] if isinstance(values, str) else list(values)
    keys: list[str] = []
    for item in items:
        for part in item.split(","):
            key = part.strip().casefold()
            if not key:
                continue
            if key == "lead_source":
                key = "source"
            if key not in BREAKDOWN_KEYS:
                raise InvalidValue(
                    _(
                        "Unknown breakdown {key!r}. Valid breakdowns: {allowed}.",
                        key=part.strip(),
                        allowed=list_values(BREAKDOWN_KEYS),
                    ),
                    field="by",
                    allowed=BREAKDOWN_KEYS,
                )
            if key not in keys:
                keys.append(key)
    periods = [k for k in keys if k in PERIOD_UNITS]
    if len(periods) > 1:
        raise InvalidValue(
            _(
                "Choose one period for a breakdown, not {periods}.",
                periods=list_values(periods),
            ),
            field="by",
            allowed=PERIOD_UNITS,
        )
    return tuple(keys)


@dataclass
class Attributes:
    """The FROM clause joining a milestone subquery to the tables its breakdowns need."""

    source: FromClause
    columns: dict[str, ColumnElement[Any]]


def attributes(times: Subquery, keys: Sequence[str], key_column: str = "key") -> Attributes:
    """Join ``times`` (one row per funnel record, keyed as in milestones.py) to what ``keys``
    need."""
    needed = [k for k in keys if k in ATTRIBUTE_KEYS]
    source: FromClause = times
    columns: dict[str, ColumnElement[Any]] = {}
    if not needed:
        return Attributes(source, columns)
    key = times.c[key_column]
    o = t.opportunities.alias("o")
    lead = t.leads.alias("l")
    source = source.outerjoin(o, o.c.id == key).outerjoin(
        lead, lead.c.id == case((key < 0, -key), else_=o.c.lead_id)
    )
    owner_id = func.coalesce(o.c.owner_id, lead.c.owner_id)
    if "segment" in needed:
        account = t.accounts.alias("a")
        source = source.outerjoin(
            account, account.c.id == func.coalesce(o.c.account_id, lead.c.account_id)
        )
        columns["segment"] = func.coalesce(account.c.segment, lead.c.segment)
    if {"owner", "team", "manager"} & set(needed):
        rep = t.reps.alias("r")
        source = source.outerjoin(rep, rep.c.id == owner_id)
        columns["owner"] = rep.c.name
        if "manager" in needed:
            manager = t.reps.alias("mgr")
            source = source.outerjoin(manager, manager.c.id == rep.c.manager_id)
            columns["manager"] = manager.c.name
        if "team" in needed:
            team = t.teams.alias("tm")
            source = source.outerjoin(team, team.c.id == rep.c.team_id)
            columns["team"] = team.c.name
    if "source" in needed:
        columns["source"] = func.coalesce(o.c.source, lead.c.source)
    if "campaign" in needed:
        campaign = t.campaigns.alias("c")
        source = source.outerjoin(
            campaign, campaign.c.id == func.coalesce(o.c.campaign_id, lead.c.campaign_id)
        )
        columns["campaign"] = campaign.c.name
    return Attributes(source, {k: columns[k] for k in keys if k in columns})


def group_columns(
    attrs: Attributes, keys: Sequence[str], moment: ColumnElement[datetime]
) -> list[ColumnElement[Any]]:
    """The labelled breakdown columns in the order of ``keys``; periods use ``moment``."""
    result: list[ColumnElement[Any]] = []
    for key in keys:
        if key in PERIOD_UNITS:
            result.append(period_start(moment, key).label(key))
        else:
            result.append(attrs.columns[key].label(key))
    return result
