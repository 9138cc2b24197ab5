"""Pipeline coverage: open SQO amount expected to close in a period over the quota still to close.

Deals are taken as they were at ``as_of`` (stage, amount, close date, owner from history). An
open SQO counts as closing in the period when its close date is in the period and not yet past
(a close date before the as-of day is overdue: counted apart, never as pipeline). Quota still to
close = quota for the period minus what was already won in it (closed_at in the period), never
below zero.
A rep's quota is the rep's own; a team's is its team quota, else the sum of its reps' quotas; the
company's is the sum over teams plus reps without a team.

Amounts are in the corporate currency (``sqo.analytics.currency``): open deals and quotas at the
rate in force on the as-of day, won deals at the rate of their close date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, Connection, Date, and_, case, func, literal, select
from sqlalchemy.sql.selectable import FromClause, Subquery

from sqo.analytics.currency import DealValue, LeftOut, deal_value, in_corporate, left_out
from sqo.analytics.states import day_text, next_day_text, open_sqo_stages, states_at
from sqo.analytics.stats import maybe_ratio
from sqo.domain.stages import StageModel
from sqo.store import tables as t


@dataclass(frozen=True)
class CoverageLine:
    level: str  # rep, team or company
    name: str | None
    team: str | None
    open_sqo_cents: int
    open_deals: int
    quota_cents: int | None
    won_cents: int
    remaining_cents: int | None  # never negative: 0 once the quota is met
    coverage: float | None  # None without a quota, or when the quota is already met
    overdue_deals: int = 0  # open SQOs whose close date in the period has passed: not counted
    won_beyond_quota_cents: int = 0  # won above the quota (what "to close" no longer shows)


@dataclass(frozen=True)
class _Sums:
    open_cents: int = 0
    open_deals: int = 0
    won_cents: int = 0
    overdue_deals: int = 0


@dataclass(frozen=True)
class _Scope:
    """The deals coverage reads, as at ``as_of``: open SQO deals closing in the period and the
    deals won in it, each valued in the corporate currency."""

    states: Subquery
    value: DealValue
    is_open: ColumnElement[bool]
    is_won: ColumnElement[bool]
    is_overdue: ColumnElement[bool]
    source: FromClause
    inside: ColumnElement[bool]


def _scope(
    connection: Connection,
    model: StageModel,
    start: date,
    end: date,
    as_of: datetime,
    currency: str,
) -> _Scope:
    fields = ("stage", "amount_cents", "close_date", "owner_id", "closed_at")
    s = states_at(as_of, fields)
    o = t.opportunities
    value = deal_value(
        s.c.amount_cents,
        o.c.currency,
        s.c.stage,
        s.c.close_date,
        as_of=as_of.date(),
        model=model,
        corporate=currency,
    )
    first_day = max(start, as_of.date())  # a close date already past is not "closing"
    is_open = and_(
        s.c.stage.in_(open_sqo_stages(model)),
        s.c.close_date >= day_text(first_day),
        s.c.close_date <= day_text(end),
    )
    is_overdue = and_(
        s.c.stage.in_(open_sqo_stages(model)),
        s.c.close_date >= day_text(start),
        s.c.close_date < day_text(min(first_day, end + timedelta(days=1))),
    )
    is_won = and_(
        s.c.stage == model.won_stage().name,
        s.c.closed_at >= day_text(start),
        s.c.closed_at < next_day_text(end),
    )
    inside = func.coalesce(is_open, False) | func.coalesce(is_won, False)
    return _Scope(s, value, is_open, is_won, is_overdue, s.join(o, o.c.id == s.c.record_id), inside)


def _owner_sums(
    connection: Connection,
    model: StageModel,
    start: date,
    end: date,
    as_of: datetime,
    currency: str,
) -> dict[int | None, _Sums]:
    x = _scope(connection, model, start, end, as_of, currency)
    s = x.states
    query = (
        select(
            s.c.owner_id,
            func.sum(case((x.is_open, x.value.amount), else_=0)),
            func.sum(case((x.is_open, 1), else_=0)),
            func.sum(case((x.is_won, x.value.amount), else_=0)),
            func.sum(case((x.is_overdue, 1), else_=0)),
        )
        .select_from(x.source)
        .where(x.inside | func.coalesce(x.is_overdue, False))
        .group_by(s.c.owner_id)
    )
    return {
        owner: _Sums(int(o or 0), int(n or 0), int(w or 0), int(d or 0))
        for owner, o, n, w, d in connection.execute(query)
    }


def coverage_left_out(
    connection: Connection,
    model: StageModel,
    start: date,
    end: date,
    as_of: datetime,
    *,
    currency: str,
) -> list[LeftOut]:
    """The deals coverage counts whose amounts it leaves out: no rate for their currency."""
    x = _scope(connection, model, start, end, as_of, currency)
    o = t.opportunities
    query = (
        select(o.c.currency, func.count())
        .select_from(x.source)
        .where(x.inside, x.value.unrated)
        .group_by(o.c.currency)
    )
    return left_out(connection.execute(query).tuples())


def _quota_value(as_of: datetime, currency: str) -> DealValue:
    q = t.quotas
    return in_corporate(q.c.amount_cents, q.c.currency, literal(as_of.date(), Date()), currency)


def quotas_left_out(
    connection: Connection, start: date, end: date, as_of: datetime, *, currency: str
) -> list[LeftOut]:
    """Quotas of the period that coverage leaves out: no rate for their currency."""
    q = t.quotas
    query = (
        select(q.c.currency, func.count())
        .where(
            q.c.period_start >= start,
            q.c.period_end <= end,
            _quota_value(as_of, currency).unrated,
        )
        .group_by(q.c.currency)
    )
    return left_out(connection.execute(query).tuples())


def _line(
    level: str, name: str | None, team: str | None, sums: _Sums, quota: int | None
) -> CoverageLine:
    remaining = None if quota is None else max(quota - sums.won_cents, 0)
    beyond = 0 if quota is None else max(sums.won_cents - quota, 0)
    ratio = None if remaining is None else maybe_ratio(sums.open_cents, remaining)
    return CoverageLine(
        level,
        name,
        team,
        sums.open_cents,
        sums.open_deals,
        quota,
        sums.won_cents,
        remaining,
        ratio,
        sums.overdue_deals,
        beyond,
    )


def _add(a: _Sums, b: _Sums) -> _Sums:
    return _Sums(
        a.open_cents + b.open_cents,
        a.open_deals + b.open_deals,
        a.won_cents + b.won_cents,
        a.overdue_deals + b.overdue_deals,
    )


def coverage(
    connection: Connection,
    model: StageModel,
    start: date,
    end: date,
    as_of: datetime,
    *,
    currency: str,
) -> list[CoverageLine]:
    """Lines per rep (with a quota or pipeline), per team, and one for the company; amounts in
    the corporate ``currency``."""
    sums = _owner_sums(connection, model, start, end, as_of, currency)
    q = t.quotas
    quota_value = _quota_value(as_of, currency)
    inside = and_(q.c.period_start >= start, q.c.period_end <= end)
    rep_quota = {
        rid: int(total)
        for rid, total in connection.execute(
            select(q.c.rep_id, func.sum(quota_value.amount))
            .where(inside, q.c.rep_id.is_not(None))
            .group_by(q.c.rep_id)
        )
        if total is not None
    }
    team_quota = {
        tid: int(total)
        for tid, total in connection.execute(
            select(q.c.team_id, func.sum(quota_value.amount))
            .where(inside, q.c.team_id.is_not(None), q.c.rep_id.is_(None))
            .group_by(q.c.team_id)
        )
        if total is not None
    }
    r, tm = t.reps, t.teams
    reps = connection.execute(
        select(r.c.id, r.c.name, r.c.team_id, tm.c.name).outerjoin(tm, tm.c.id == r.c.team_id)
    ).all()
    teams: dict[int | None, str] = {
        int(i): str(n) for i, n in connection.execute(select(tm.c.id, tm.c.name))
    }
    lines: list[CoverageLine] = []
    team_sums: dict[int | None, _Sums] = {}
    team_rep_quota: dict[int | None, int | None] = {}
    for rid, name, tid, team_name in sorted(reps, key=lambda x: str(x[1])):
        mine = sums.get(rid, _Sums())
        quota = rep_quota.get(rid)
        team_sums[tid] = _add(team_sums.get(tid, _Sums()), mine)
        if quota is not None:
            team_rep_quota[tid] = (team_rep_quota.get(tid) or 0) + quota
        if quota is not None or mine != _Sums():
            lines.append(_line("rep", name, team_name, mine, quota))
    company_quota: int | None = None
    for tid in sorted(set(team_sums) | set(team_quota), key=lambda x: str(teams.get(x, ""))):
        quota = team_quota.get(tid, team_rep_quota.get(tid)) if tid is not None else None
        if tid is None:
            quota = team_rep_quota.get(None)
        else:
            lines.append(
                _line("team", teams.get(tid), teams.get(tid), team_sums.get(tid, _Sums()), quota)
            )
        if quota is not None:
            company_quota = (company_quota or 0) + quota
    total = _Sums()
    for value in sums.values():
        total = _add(total, value)
    lines.append(_line("company", None, None, total, company_quota))
    return lines
