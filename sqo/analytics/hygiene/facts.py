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
from sqlalchemy.sql.selectable import Subquery

from sqo.analytics.hygiene.changes import amount_cuts, pushes, stage_moves_back
from sqo.analytics.hygiene.deals import deal_state, open_deals
from sqo.domain.hygiene.facts import Change, DealFacts
from sqo.domain.stages import StageModel
from sqo.domain.values import BuyingRole
from sqo.store import tables as t

ROLES = tuple(r.value for r in BuyingRole)
Expectation = Callable[[Mapping[str, Any]], tuple[tuple[str, ...], ...]]


def _last_activity(as_of: datetime) -> Subquery:
    a = t.activities
    return (
        select(a.c.opportunity_id.label("record_id"), func.max(a.c.occurred_at).label("at"))
        .where(a.c.opportunity_id.is_not(None), a.c.occurred_at <= as_of)
        .group_by(a.c.opportunity_id)
        .subquery("last_activity")
    )


def _promotions(as_of: datetime) -> Subquery:
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
        .where(q.c.evaluated_at <= as_of)
        .subquery("promotions_ranked")
    )
    return select(ranked).where(ranked.c.recency == 1).subquery("promotions")


def _roles() -> Subquery:
    c = t.opportunity_contacts
    return (
        select(
            c.c.opportunity_id,
            *(
                func.max(case((c.c.role == role, 1), else_=0)).label(f"has_{role}")
                for role in ROLES
            ),
        )
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


def open_deal_facts(
    connection: Connection,
    model: StageModel,
    as_of: datetime,
    *,
    team_id: int | None = None,
    rep_id: int | None = None,
    expected_roles: Expectation | None = None,
) -> list[DealFacts]:
    """One ``DealFacts`` per open deal at ``as_of`` (of a team or rep when given), by id.
    ``expected_roles`` gives, from a deal's values (segment, complexity, amount, stage,
    source), the buying roles its playbook expects."""
    state = deal_state(connection, as_of)
    o = t.opportunities
    act, push, cut, back = (
        _last_activity(as_of),
        pushes(as_of),
        amount_cuts(as_of),
        stage_moves_back(as_of, model),
    )
    promo, roles = _promotions(as_of), _roles()
    extra = (
        o.c.complexity,
        o.c.source,
        act.c.at.label("last_activity_at"),
        push.c.times.label("push_count"),
        push.c.before.label("push_before"),
        push.c.after.label("push_after"),
        push.c.at.label("push_at"),
        cut.c.before.label("cut_before"),
        cut.c.after.label("cut_after"),
        cut.c.at.label("cut_at"),
        back.c.before.label("back_before"),
        back.c.after.label("back_after"),
        back.c.at.label("back_at"),
        promo.c.evaluated_at.label("promoted_at"),
        promo.c.overridden.label("promotion_overridden"),
        promo.c.justification.label("promotion_justification"),
        *(roles.c[f"has_{role}"] for role in ROLES),
    )
    base = open_deals(state, model, team_id=team_id, rep_id=rep_id, extra=extra)
    query = (
        base.outerjoin(act, act.c.record_id == o.c.id)
        .outerjoin(push, push.c.record_id == o.c.id)
        .outerjoin(cut, cut.c.record_id == o.c.id)
        .outerjoin(back, back.c.record_id == o.c.id)
        .outerjoin(promo, promo.c.opportunity_id == o.c.id)
        .outerjoin(roles, roles.c.opportunity_id == o.c.id)
        .order_by(o.c.id)
    )
    sqo_stages = {s.name for s in model.open_opportunity_stages() if model.at_or_after_sqo(s.name)}
    facts = []
    for row in connection.execute(query).mappings():
        present = frozenset(role for role in ROLES if row[f"has_{role}"])
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
                last_activity_at=moment_of(row["last_activity_at"]),
                version=int(row["version"]),
                push_count=int(row["push_count"] or 0),
                last_push=_change(row["push_before"], row["push_after"], row["push_at"]),
                amount_cut=_change(row["cut_before"], row["cut_after"], row["cut_at"]),
                stage_back=_change(row["back_before"], row["back_after"], row["back_at"]),
                roles=present,
                expected_roles=expected_roles(values) if expected_roles else (),
                promoted_at=moment_of(row["promoted_at"]),
                promotion_overridden=bool(row["promotion_overridden"]),
                promotion_justification=row["promotion_justification"],
            )
        )
    return facts
