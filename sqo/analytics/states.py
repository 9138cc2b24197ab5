"""Opportunities as they were at a moment, rebuilt from history in SQL.

For each opportunity the value (at the moment) of a few tracked fields: the same "replay" the
domain does in Python, done set-based as a filter over ``history_intervals``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Integer, and_, case, cast, func, or_, select
from sqlalchemy.sql.selectable import Select, Subquery

from sqo.domain.stages import StageKind, StageModel
from sqo.store import intervals as hi
from sqo.store import tables as t

FIELDS = ("stage", "amount_cents", "close_date", "owner_id", "closed_at")


def _typed(value: ColumnElement[Any], field: str) -> ColumnElement[Any]:
    if field == "amount_cents":
        return cast(value, BigInteger).label(field)
    if field == "owner_id":
        return cast(value, Integer).label(field)
    return value.label(field)


def _as_text(value: ColumnElement[Any], field: str) -> ColumnElement[Any]:
    return value.label(field)


def last_values(
    record_type: str,
    moment: datetime,
    fields: Sequence[str],
    name: str,
    *where: ColumnElement[bool],
    typed: Callable[[ColumnElement[Any], str], ColumnElement[Any]] = _as_text,
) -> Subquery:
    """One row per record of ``record_type`` with history on or before ``moment``: record_id and
    the last value written to each of ``fields`` by then (NULL if never written), as text unless
    ``typed`` says otherwise. For fields beyond the analytics ones (``history_intervals`` holds
    only those), read from ``history`` itself on the workspace database."""
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
            h.c.record_type == record_type,
            h.c.field.in_(tuple(fields)),
            h.c.changed_at <= moment,
            *where,
        )
        .subquery(f"{name}_ranked")
    )
    columns = [typed(func.max(case((ranked.c.field == f, ranked.c.new_value))), f) for f in fields]
    return (
        select(ranked.c.record_id, *columns)
        .where(ranked.c.recency == 1)
        .group_by(ranked.c.record_id)
        .subquery(name)
    )


def valid_at(moment: datetime) -> ColumnElement[bool]:
    """The history_intervals rows holding the value at ``moment``."""
    h = hi.history_intervals
    return and_(h.c.valid_from <= moment, or_(h.c.valid_until.is_(None), h.c.valid_until > moment))


def states_at(
    moment: datetime,
    fields: Sequence[str] = FIELDS,
    name: str = "states",
) -> Subquery:
    """One row per opportunity existing at ``moment``: record_id and one column per field
    (amount_cents and owner_id as integers, close_date and closed_at as ISO text)."""
    h = hi.history_intervals
    columns = [_typed(func.max(case((h.c.field == f, h.c.new_value))), f) for f in fields]
    query = select(h.c.record_id, *columns).where(
        h.c.record_type == "opportunity",
        h.c.field.in_(tuple(fields)),
        valid_at(moment),
    )
    return query.group_by(h.c.record_id).subquery(name)


def states_between(
    start: datetime,
    end: datetime,
    fields: Sequence[str],
    name: str = "states",
) -> Subquery:
    """``states_at`` for two moments in one pass over history: one row per opportunity existing
    at ``end``, with ``<field>0`` (as at ``start``, NULL if it did not exist yet) and
    ``<field>1`` (as at ``end``) per field, typed as in ``states_at``."""
    return states_over((("0", start), ("1", end)), fields, name)


def states_over(
    moments: Sequence[tuple[str, datetime]],
    fields: Sequence[str],
    name: str = "states",
    *,
    only: Select[Any] | None = None,
) -> Subquery:
    """``states_at`` for several moments ``(suffix, moment)`` in one pass over history: one row
    per opportunity existing at the latest (of those whose record_id ``only`` selects, if
    given), with ``<field><suffix>`` per field and moment (NULL where it did not exist yet),
    typed as in ``states_at``."""
    h = hi.history_intervals
    first, last = min(m for _, m in moments), max(m for _, m in moments)
    columns = [
        _typed(func.max(case((and_(h.c.field == f, valid_at(m)), h.c.new_value))), f).label(
            f + suffix
        )
        for f in fields
        for suffix, m in moments
    ]
    query = select(h.c.record_id, *columns).where(
        h.c.record_type == "opportunity",
        h.c.field.in_(tuple(fields)),
        _overlapping(first, last),
    )
    if only is not None:
        query = query.where(h.c.record_id.in_(only))
    return query.group_by(h.c.record_id).subquery(name)


def held_between(field: str, values: Sequence[str], first: datetime, last: datetime) -> Select[Any]:
    """The opportunities whose ``field`` held one of ``values`` at some time from ``first`` to
    ``last`` (their record_id)."""
    h = hi.history_intervals
    return select(h.c.record_id).where(
        h.c.record_type == "opportunity",
        h.c.field == field,
        h.c.new_value.in_(tuple(values)),
        _overlapping(first, last),
    )


def _overlapping(first: datetime, last: datetime) -> ColumnElement[bool]:
    """The history_intervals rows holding at some time from ``first`` to ``last``."""
    h = hi.history_intervals
    return and_(h.c.valid_from <= last, or_(h.c.valid_until.is_(None), h.c.valid_until > first))


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
