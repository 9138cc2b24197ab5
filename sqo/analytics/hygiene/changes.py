"""Changes of a deal's fields the hygiene rules look for, read from ``history`` set-based: per deal
the latest change that matches, and how many matched (a window over the field's rows up to
``as_of``, never one query per deal).

Close date pushed (Salesforce's PushCount): a change of ``close_date`` from one date to a date
in a later calendar month. Moving it later inside the same month, or earlier, is not a push; a
first close date (no value before) is not one either.
Amount cut: a change of ``amount_cents`` to a lower, non-empty amount.
Stage moved backwards: a change of ``stage`` from an open stage to an earlier open stage in the
stage model's order (a move to Lost is a close, not a move back).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Table, case, cast, func, select
from sqlalchemy.sql.selectable import Select, Subquery

from sqo.domain.stages import StageModel
from sqo.store import tables as t

Condition = Callable[[Table], ColumnElement[bool]]


def latest_change(
    field: str, condition: Condition, as_of: datetime, name: str, among: Select[Any]
) -> Subquery:
    """Per opportunity of ``among`` (a select of ids) with a matching change of ``field`` up to
    ``as_of``: record_id, ``before``, ``after``, ``at`` of the latest one, and ``times`` (how
    many matched). Reading the deals of ``among`` only (by the record index) keeps it to the
    open deals' rows, not the whole field's history."""
    h = t.history
    order = (h.c.changed_at.desc(), h.c.id.desc())
    ranked = (
        select(
            h.c.record_id,
            h.c.old_value,
            h.c.new_value,
            h.c.changed_at,
            func.row_number().over(partition_by=h.c.record_id, order_by=order).label("recency"),
            func.count().over(partition_by=h.c.record_id).label("times"),
        )
        .where(
            h.c.record_type == "opportunity",
            h.c.record_id.in_(among),
            h.c.field == field,
            h.c.changed_at <= as_of,
            h.c.old_value.is_not(None),
            h.c.new_value.is_not(None),
            condition(h),
        )
        .subquery(f"{name}_ranked")
    )
    return (
        select(
            ranked.c.record_id,
            ranked.c.old_value.label("before"),
            ranked.c.new_value.label("after"),
            ranked.c.changed_at.label("at"),
            ranked.c.times,
        )
        .where(ranked.c.recency == 1)
        .subquery(name)
    )


def _month(value: ColumnElement[str]) -> ColumnElement[str]:
    return func.substr(value, 1, 7)  # ISO dates: "YYYY-MM" orders as the month does


def pushes(as_of: datetime, among: Select[Any]) -> Subquery:
    return latest_change(
        "close_date",
        lambda h: _month(h.c.new_value) > _month(h.c.old_value),
        as_of,
        "pushes",
        among,
    )


def amount_cuts(as_of: datetime, among: Select[Any]) -> Subquery:
    return latest_change(
        "amount_cents",
        lambda h: cast(h.c.new_value, BigInteger) < cast(h.c.old_value, BigInteger),
        as_of,
        "amount_cuts",
        among,
    )


def stage_position(value: ColumnElement[str], model: StageModel) -> ColumnElement[int]:
    """The open stage's place in the model's order; NULL for any other stage."""
    order = [s.name for s in model.open_opportunity_stages()]
    return case(*((value == name, index) for index, name in enumerate(order)), else_=None)


def stage_moves_back(as_of: datetime, model: StageModel, among: Select[Any]) -> Subquery:
    return latest_change(
        "stage",
        lambda h: stage_position(h.c.new_value, model) < stage_position(h.c.old_value, model),
        as_of,
        "stage_back",
        among,
    )
