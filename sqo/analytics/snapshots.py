"""Opportunities as they were at a moment, rebuilt from history in SQL.

For each opportunity the last value (on or before the moment) of a few tracked fields: the same
"replay" the domain does in Python, done set-based with one window function.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import BigInteger, Integer, and_, case, cast, func, or_, select
from sqlalchemy.sql.selectable import Subquery

from sqo.analytics.milestones import analytics_fields
from sqo.domain.stages import StageKind, StageModel
from sqo.store import tables as t

FIELDS = ("stage", "amount_cents", "close_date", "owner_id", "closed_at")


def states_at(moment: datetime, fields: Sequence[str] = FIELDS, name: str = "states") -> Subquery:
    """One row per opportunity existing at ``moment``: record_id and one column per field
    (amount_cents and owner_id as integers, close_date and closed_at as ISO text)."""
    h = t.history
    ranked = (
        select(
            h.c.record_id,
            h.c.field,
            h.c.new_value,
            func.row_number()
            .over(
                partition_by=(h.c.record_id, h.c.field),
                order_by=(h.c.changed_at.desc(), h.c.id.desc()),
            )
            .label("recency"),
        )
        .where(
            h.c.record_type == "opportunity",
            h.c.field.in_(tuple(fields)),
            analytics_fields(),
            h.c.changed_at <= moment,
        )
        .subquery(f"{name}_ranked")
    )
    columns = []
    for field in fields:
        value = func.max(case((ranked.c.field == field, ranked.c.new_value)))
        if field == "amount_cents":
            columns.append(cast(value, BigInteger).label(field))
        elif field == "owner_id":
            columns.append(cast(value, Integer).label(field))
        else:
            columns.append(value.label(field))
    return (
        select(ranked.c.record_id, *columns)
        .where(ranked.c.recency == 1)
        .group_by(ranked.c.record_id)
        .subquery(name)
    )


def states_between(
    start: datetime, end: datetime, fields: Sequence[str], name: str = "states"
) -> Subquery:
    """``states_at`` for two moments in one pass over history: one row per opportunity existing
    at ``end``, with ``<field>0`` (as at ``start``, NULL if it did not exist yet) and
    ``<field>1`` (as at ``end``) per field, typed as in ``states_at``."""
    h = t.history
    next_at = func.lead(h.c.changed_at).over(
        partition_by=(h.c.field, h.c.record_id), order_by=(h.c.changed_at, h.c.id)
    )
    rows = (
        select(h.c.record_id, h.c.field, h.c.new_value, h.c.changed_at, next_at.label("next_at"))
        .where(
            h.c.record_type == "opportunity",
            h.c.field.in_(tuple(fields)),
            analytics_fields(),
            h.c.changed_at <= end,
        )
        .subquery(f"{name}_rows")
    )
    at_start = and_(
        rows.c.changed_at <= start, or_(rows.c.next_at.is_(None), rows.c.next_at > start)
    )
    at_end = rows.c.next_at.is_(None)
    columns = []
    for field in fields:
        for suffix, moment in (("0", at_start), ("1", at_end)):
            value = func.max(case((and_(rows.c.field == field, moment), rows.c.new_value)))
            if field == "amount_cents":
                columns.append(cast(value, BigInteger).label(field + suffix))
            elif field == "owner_id":
                columns.append(cast(value, Integer).label(field + suffix))
            else:
                columns.append(value.label(field + suffix))
    return select(rows.c.record_id, *columns).group_by(rows.c.record_id).subquery(name)


def open_sqo_stages(model: StageModel) -> list[str]:
    """Open stages at or after the SQO milestone: the SQO pipeline."""
    return [
        s.name
        for s in model.stages
        if s.kind is StageKind.OPPORTUNITY and model.at_or_after_sqo(s.name)
    ]


def day_text(value: date) -> str:
    return value.isoformat()


def next_day_text(value: date) -> str:
    return (value + timedelta(days=1)).isoformat()
