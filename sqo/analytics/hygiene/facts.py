"""The facts of every open deal as at a moment, in one set-based query: the deal's state and owner
(``deals``), its last activity, its close-date pushes, latest amount cut and move back
(``changes``), its latest promotion to SQO and the buying roles of its contacts.

Buying roles are read as they are now (contact roles have no history). Everything else is as at
``as_of``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, case, func, select
from sqlalchemy.sql.selectable import Select, Subquery

from sqo.analytics.hygiene.changes import amount_cuts, pushes, stage_moves_back
from sqo.analytics.hygiene.deals import deal_state, open_deals, open_ids
from sqo.domain.hygiene.facts import Change, DealFacts
from sqo.domain.stages import StageModel
from sqo.domain.values import BuyingRole
from sqo.store import tables as t

ROLES = tuple(r.value for r in BuyingRole)
Expectation = Callable[[Mapping[str, Any]], tuple[tuple[str, ...], ...]]


def _last_activity(as_of: datetime, among: Select[Any]) -> Subquery:
    a = t.activities
    return (
        select(a.c.opportunity_id.label("record_id"), func.max(a.c.occurred_at).label("at"))
        .where(a.c.opportunity_id.in_(among), a.c.occurred_at <= as_of)
        .group_by(a.c.opportunity_id)
        .subquery("last_activity")
    )


def _promotions(as_of: datetime, among: Select[Any]) -> Subquery:
    q = t.qualification_snapshots
    ranked = (
        select(
            q.c.opportunity_id,
            q.c.evaluated_at,
            q.c.overridden,
            q.c.justification,
            func.row_number()
            .over(
                partition_by=q.c.opportunity_id, order_by=(q.c.evaluated_at.desc(), q.c.id.desc())
            )
            .label("recency"),
        )
        .where(q.c.opportunity_id.in_(among), q.c.evaluated_at <= as_of)
        .subquery("promotions_ranked")
    )
    return select(ranked).where(ranked.c.recency == 1).subquery("promotions")


def _roles(among: Select[Any]) -> Subquery:
    c = t.opportunity_contacts
    return (
        select(
            c.c.opportunity_id,
            *(
                func.max(case((c.c.role == role, 1), else_=0)).label(f"has_{role}")
                for role in ROLES
            ),
        )
        .where(c.c.opportunity_id.in_(among))
        .group_by(c.c.opportunity_id)
        .subquery("roles")
    )


def day_of(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def moment_of(value: Any) -> datetime | None:
    if value is None:
        return None
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def _change(before: Any, after: Any, at: Any) -> Change | None:
    moment = moment_of(at)
    if moment is None:
        return None
    return Change(
        None if before is None else str(before), None if after is None else str(after), moment
    )


def _by_deal(connection: Connection, query: Subquery, key: str) -> dict[int, Any]:
    """One small query's rows by deal id (at most one row per open deal)."""
    return {int(r[key]): r for r in connection.execute(select(query)).mappings()}


def open_deal_facts(
    connection: Connection,
    model: StageModel,
    as_of: datetime,
    *,
    team_id: int | None = None,
    rep_id: int | None = None,
    expected_roles: Expectation | None = None,
    state: Subquery | None = None,
) -> list[DealFacts]:
    """One ``DealFacts`` per open deal at ``as_of`` (of a team or rep when given), by id.
    ``expected_roles`` gives, from a deal's values (segment, complexity, amount, stage,
    source), the buying roles its playbook expects.

    Each fact is its own query over the open deals' ids, merged here by id: joined into one
    statement, SQLite's planner scans each windowed subquery once per deal (minutes at a
    million deals) where seven separate queries take seconds. ``state``: the deals' state at
    ``as_of`` (``deal_state``) when the caller already holds it."""
    if state is not None:
        return _facts(connection, model, as_of, state, team_id, rep_id, expected_roles)
    with deal_state(connection, as_of) as replayed:
        return _facts(connection, model, as_of, replayed, team_id, rep_id, expected_roles)


def _facts(
    connection: Connection,
    model: StageModel,
    as_of: datetime,
    state: Subquery,
    team_id: int | None,
    rep_id: int | None,
    expected_roles: Expectation | None,
) -> list[DealFacts]:
    o = t.opportunities
    among = open_ids(state, model, team_id=team_id, rep_id=rep_id)
    base = open_deals(
        state, model, team_id=team_id, rep_id=rep_id, extra=(o.c.complexity, o.c.source)
    ).order_by(o.c.id)
    rows = list(connection.execute(base).mappings())
    if not rows:
        return []
    act = _by_deal(connection, _last_activity(as_of, among), "record_id")
    push = _by_deal(connection, pushes(as_of, among), "record_id")
    cut = _by_deal(connection, amount_cuts(as_of, among), "record_id")
    back = _by_deal(connection, stage_moves_back(as_of, model, among), "record_id")
    promo = _by_deal(connection, _promotions(as_of, among), "opportunity_id")
    roles = _by_deal(connection, _roles(among), "opportunity_id")
    none: dict[str, Any] = {}
    sqo_stages = {s.name for s in model.open_opportunity_stages() if model.at_or_after_sqo(s.name)}
    facts = []
    for row in rows:
        i = int(row["id"])
        a, p, c, b = act.get(i, none), push.get(i, none), cut.get(i, none), back.get(i, none)
        q, r = promo.get(i, none), roles.get(i, none)
        present = frozenset(role for role in ROLES if r.get(f"has_{role}"))
        values = {
            "record_type": "opportunity",
            "segment": row["segment"],
            "complexity": row["complexity"],
            "amount": None if row["amount_cents"] is None else int(row["amount_cents"]) / 100,
            "stage": row["stage"],
            "source": row["source"],
        }
        first = moment_of(row["first_contact"])
        created = moment_of(row["created_at"])
        assert first is not None and created is not None  # both columns are NOT NULL
        facts.append(
            DealFacts(
                opportunity_id=int(row["id"]),
                name=str(row["name"]),
                owner_id=None if row["owner_id"] is None else int(row["owner_id"]),
                owner_name=row["owner_name"],
                team_name=row["team_name"],
                segment=row["segment"],
                stage=str(row["stage"]),
                is_sqo=row["stage"] in sqo_stages,
                amount_cents=None if row["amount_cents"] is None else int(row["amount_cents"]),
                currency=str(row["currency"]),
                close_date=day_of(row["close_date"]),
                next_step=row["next_step"] or None,
                next_step_due=day_of(row["next_step_due"]),
                first_contact=first,
                created_at=created,
                last_activity_at=moment_of(a.get("at")),
                version=int(row["version"]),
                push_count=int(p.get("times") or 0),
                last_push=_change(p.get("before"), p.get("after"), p.get("at")),
                amount_cut=_change(c.get("before"), c.get("after"), c.get("at")),
                stage_back=_change(b.get("before"), b.get("after"), b.get("at")),
                roles=present,
                expected_roles=expected_roles(values) if expected_roles else (),
                promoted_at=moment_of(q.get("evaluated_at")),
                promotion_overridden=bool(q.get("overridden")),
                promotion_justification=q.get("justification"),
            )
        )
    return facts
