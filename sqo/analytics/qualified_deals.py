"""What the qualification gate said when deals became SQOs (``qualification_snapshots``).

For the weekly review: the SQOs promoted in a week with their score and any override
justification, and for the deals lost in a week, the criteria that were not met when they were
promoted (the lost-deal pattern DOMAIN.md section 6 asks for).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select

from sqo.store import tables as t


@dataclass(frozen=True)
class Promotion:
    opportunity_id: int
    name: str
    owner_id: int | None
    amount_cents: int | None  # in the deal's own currency, as it stands now
    currency: str
    promoted_at: datetime
    score: float
    passed: bool
    overridden: bool
    justification: str | None
    unmet: tuple[str, ...]  # labels of the criteria not met at promotion


def unmet_criteria(detail: Any) -> tuple[str, ...]:
    """The labels of the criteria a snapshot's evaluation did not find met."""
    if not isinstance(detail, dict):
        return ()
    return tuple(
        str(c.get("label") or c.get("key"))
        for c in detail.get("criteria", ())
        if isinstance(c, dict) and c.get("status") != "met"
    )


def _latest(stage: str, ids: list[int]) -> Any:
    """Per opportunity of ``ids``, its last snapshot at promotion to ``stage``."""
    q = t.qualification_snapshots
    return (
        select(q.c.opportunity_id, func.max(q.c.id).label("id"))
        .where(q.c.stage == stage, q.c.opportunity_id.in_(ids))
        .group_by(q.c.opportunity_id)
        .subquery("latest_promotion")
    )


def _promotions(connection: Connection, query: Any) -> list[Promotion]:
    found = []
    for row in connection.execute(query).mappings():
        found.append(
            Promotion(
                opportunity_id=int(row["opportunity_id"]),
                name=str(row["name"]),
                owner_id=row["owner_id"],
                amount_cents=row["amount_cents"],
                currency=str(row["currency"]),
                promoted_at=row["evaluated_at"],
                score=float(row["score"]),
                passed=bool(row["passed"]),
                overridden=bool(row["overridden"]),
                justification=row["justification"],
                unmet=unmet_criteria(row["detail"]),
            )
        )
    return found


def _columns() -> list[Any]:
    q, o = t.qualification_snapshots, t.opportunities
    return [
        q.c.opportunity_id,
        o.c.name,
        o.c.owner_id,
        o.c.amount_cents,
        o.c.currency,
        q.c.evaluated_at,
        q.c.score,
        q.c.passed,
        q.c.overridden,
        q.c.justification,
        q.c.detail,
    ]


def promoted_between(
    connection: Connection,
    stage: str,
    start: datetime,
    end: datetime,
    owners: Collection[int] | None = None,
) -> list[Promotion]:
    """The promotions to ``stage`` evaluated in [start, end], of deals ``owners`` own now."""
    q, o = t.qualification_snapshots, t.opportunities
    query = (
        select(*_columns())
        .join(o, o.c.id == q.c.opportunity_id)
        .where(q.c.stage == stage, q.c.evaluated_at >= start, q.c.evaluated_at <= end)
        .order_by(q.c.score, q.c.evaluated_at, q.c.id)
    )
    if owners is not None:
        query = query.where(o.c.owner_id.in_(list(owners)))
    return _promotions(connection, query)


def promotions_of(connection: Connection, stage: str, ids: Collection[int]) -> list[Promotion]:
    """The last promotion to ``stage`` of each deal of ``ids`` (a few: those lost in a week)."""
    if not ids:
        return []
    q, o = t.qualification_snapshots, t.opportunities
    last = _latest(stage, sorted(ids))
    query = (
        select(*_columns())
        .join(last, last.c.id == q.c.id)
        .join(o, o.c.id == q.c.opportunity_id)
        .order_by(q.c.opportunity_id)
    )
    return _promotions(connection, query)
