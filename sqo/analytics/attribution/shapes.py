"""Records with several touches, credited without bringing them back one by one.

Without time decay, a model's split of one milestone depends only on its *shape*: how many
touches came before the milestone (``n``) and how many came before each anchor milestone
(``lead``, ``sqo``, ``won``: the anchor is the last of those, or the first touch when there is
none). The database counts, per milestone, shape, touch rank and campaign, the records and
their amounts; each shape is split once (:func:`sqo.analytics.attribution.credit.shape_shares`)
and multiplied out: exact, in integer micro-shares.

Time decay (a model whose whole weight is on the middle, split by ``time_decay``) is computed in
the database too: each touch weighs 2^(-age / half-life) in floating point, and the largest-
remainder rule turns the weights into integer micro-shares per record (``MICRO`` exactly, as in
Python). A model mixing anchors with time decay goes through Python record by record
(:mod:`sqo.analytics.attribution.paths`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    ColumnElement,
    Connection,
    Double,
    Integer,
    Table,
    and_,
    case,
    cast,
    func,
    literal,
    select,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.sql.selectable import FromClause, Select

from sqo.analytics.attribution.ages import sqlite_days_between
from sqo.analytics.attribution.credit import MICRO
from sqo.analytics.attribution.paths import Window, keyed
from sqo.analytics.sqlfuncs import days_between
from sqo.analytics.temp_tables import temporary


@dataclass(frozen=True)
class ShapeRow:
    """Records reaching milestone ``step`` with the same shape, whose touch of rank ``rank``
    was in (campaign_id, channel): how many, and their amounts (cents)."""

    step: int
    n: int
    lead: int
    sqo: int
    won: int
    rank: int
    campaign_id: int | None
    channel: str | None
    records: int
    cents: int


@dataclass(frozen=True)
class Untouched:
    """Records with several touches that reached ``step`` before any of them."""

    step: int
    records: int
    cents: int


def _before(at: ColumnElement[Any], limit: ColumnElement[Any]) -> ColumnElement[int]:
    return func.sum(case((at <= limit, 1), else_=0)).cast(Integer)


def _earlier(a: ColumnElement[Any], b: ColumnElement[Any]) -> ColumnElement[Any]:
    """``a`` when it is set and before ``b``, else ``b``."""
    return case((and_(a.is_not(None), a < b), a), else_=b)


def _per_record(
    times: Any, touches: Table, values: FromClause, steps: int, sqo: int, won: int, window: Window
) -> Select[Any]:
    """Each record with several touches: its amount and, per step, whether it reached the
    step in the window (``in``) and its shape there: one pass over the touches for every step."""
    at = touches.c.at
    columns: list[Any] = [
        touches.c.key,
        func.max(func.coalesce(values.c.cents, 0)).cast(BigInteger).label("cents"),
    ]
    for step in range(steps):
        m = times.c[f"m{step}"]
        columns += [
            func.max(case((window.sql(m), 1), else_=0)).cast(Integer).label(f"in{step}"),
            _before(at, m).label(f"n{step}"),
            _before(at, _earlier(times.c.m0, m)).label(f"lead{step}"),
            _before(at, _earlier(times.c[f"m{sqo}"], m)).label(f"sqo{step}"),
            _before(at, _earlier(times.c[f"m{won}"], m)).label(f"won{step}"),
        ]
    return (
        select(*columns)
        .select_from(
            touches.join(times, times.c.key == touches.c.key).outerjoin(
                values, values.c.record_id == touches.c.key
            )
        )
        .where(touches.c.touches > 1)
        .group_by(touches.c.key)
    )


def _shape_columns(steps: int) -> list[Column[Any]]:
    columns: list[Column[Any]] = [Column("key", Integer), Column("cents", BigInteger)]
    for step in range(steps):
        columns += [Column(f"{name}{step}", Integer) for name in SHAPE]
    return columns


SHAPE = ("in", "n", "lead", "sqo", "won")


def shape_rows(
    connection: Connection,
    times: Any,
    touches: Table,
    values: FromClause,
    steps: int,
    sqo: int,
    won: int,
    window: Window,
) -> tuple[list[ShapeRow], list[Untouched]]:
    rows: list[ShapeRow] = []
    untouched: list[Untouched] = []
    query = _per_record(times, touches, values, steps, sqo, won, window)
    with temporary(connection, query, _shape_columns(steps), "shapes") as shape:
        keyed(connection, shape)
        for step in range(steps):
            n, lead, sqo_n, won_n = (shape.c[f"{name}{step}"] for name in SHAPE[1:])
            reached = shape.c[f"in{step}"] == 1
            query = (
                select(
                    n,
                    lead,
                    sqo_n,
                    won_n,
                    touches.c.rank,
                    touches.c.campaign_id,
                    touches.c.channel,
                    func.count(),
                    func.coalesce(func.sum(shape.c.cents), 0),
                )
                .select_from(shape.join(touches, touches.c.key == shape.c.key))
                .where(reached, touches.c.rank <= n)
                .group_by(
                    n, lead, sqo_n, won_n, touches.c.rank, touches.c.campaign_id, touches.c.channel
                )
            )
            for n_, lead_, sqo_, won_, rank, campaign, channel, count, cents in connection.execute(
                query
            ):
                rows.append(
                    ShapeRow(
                        step,
                        int(n_),
                        int(lead_),
                        int(sqo_),
                        int(won_),
                        int(rank),
                        campaign,
                        channel,
                        int(count),
                        int(cents),
                    )
                )
            none = connection.execute(
                select(func.count(), func.coalesce(func.sum(shape.c.cents), 0)).where(
                    reached, n == 0
                )
            ).one()
            if none[0]:
                untouched.append(Untouched(step, int(none[0]), int(none[1])))
    return rows, untouched


@dataclass(frozen=True)
class DecayLine:
    step: int
    campaign_id: int | None
    channel: str | None
    micro: int  # micro-shares credited
    cents: float  # the deals' amounts times their credit (micro-shares / MICRO)


def decay_lines(
    connection: Connection,
    times: Any,
    touches: Table,
    values: FromClause,
    steps: int,
    half_life_days: float,
    window: Window,
    *,
    sqlite_ages: bool = False,
) -> list[DecayLine]:
    """Pure time decay for the records with several touches, in integer micro-shares. With
    ``sqlite_ages`` (a SQLite workspace, read directly or through its analytics copy) ages are
    SQLite's on every engine (:mod:`sqo.analytics.attribution.ages`)."""
    out: list[DecayLine] = []
    rate = math.log(2) / half_life_days
    age = sqlite_days_between if sqlite_ages else days_between
    for step in range(steps):
        m = times.c[f"m{step}"]
        weighted = (
            select(
                touches.c.key,
                touches.c.rank,
                touches.c.campaign_id,
                touches.c.channel,
                func.coalesce(values.c.cents, 0).cast(BigInteger).label("cents"),
                func.exp(-rate * age(touches.c.at, m)).label("w"),
            )
            .select_from(
                touches.join(times, times.c.key == touches.c.key).outerjoin(
                    values, values.c.record_id == touches.c.key
                )
            )
            .where(touches.c.touches > 1, window.sql(m), touches.c.at <= m)
            .subquery("decay_weights")
        )
        # A record's weights are added in rank order on every engine: in another order their
        # sum can differ in its last bit and move a micro-share (SQLite adds them in the order
        # they reach the window, DuckDB's threads in any order). Weights are positive: the
        # running sum's largest value is the whole.
        running = func.sum(weighted.c.w).over(
            partition_by=weighted.c.key, order_by=weighted.c.rank, rows=(None, 0)
        )
        summed = select(*weighted.c, running.label("running")).subquery("decay_running")
        whole_weight = func.max(summed.c.running).over(partition_by=summed.c.key)
        # DOUBLE: SQLAlchemy's Float is single precision on DuckDB.
        exact = cast(summed.c.w, Double) * MICRO / whole_weight
        scaled = select(*summed.c, exact.label("x")).subquery("decay_scaled")
        whole = func.floor(scaled.c.x)
        ranked = select(
            *scaled.c,
            whole.cast(BigInteger).label("floor"),
            (literal(MICRO) - func.sum(whole).over(partition_by=scaled.c.key))
            .cast(BigInteger)
            .label("left"),
            func.row_number()
            .over(partition_by=scaled.c.key, order_by=((scaled.c.x - whole).desc(), scaled.c.rank))
            .label("order"),
        ).subquery("decay_ranked")
        micro = ranked.c.floor + case((ranked.c.order <= ranked.c.left, 1), else_=0)
        # Floating point: micro-shares times cents summed over a million deals overflow 64
        # bits. A float sum depends on the order of its terms, and a last bit can round the
        # amount to the other cent: SQLite adds them in the order the window above hands them
        # over (by record, then by that window's order); DuckDB is told that order.
        amount = cast(micro, Double) * ranked.c.cents / MICRO
        if connection.dialect.name == "duckdb":
            amount = aggregate_order_by(amount, ranked.c.key, ranked.c.order)
        query = select(
            ranked.c.campaign_id,
            ranked.c.channel,
            func.sum(micro).cast(BigInteger),
            func.sum(amount),
        ).group_by(ranked.c.campaign_id, ranked.c.channel)
        for campaign, channel, parts, cents in connection.execute(query):
            out.append(DecayLine(step, campaign, channel, int(parts), float(cents or 0.0)))
    return out
