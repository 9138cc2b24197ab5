"""The open SQO deals a forecast weighs, as they were at ``as_of``: one row each.

A forecast needs every open deal's own probability (the Monte Carlo draws each deal), so this is
the one query that returns a row per deal; everything it needs comes in that one query (stage,
amount in the corporate currency, close date, forecast category and close-date pushes as of then,
segment, owner), never one query per deal.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import Connection, func, null, select

from sqo.analytics.breakdowns import attributes
from sqo.analytics.currency import deal_value
from sqo.analytics.forecast.as_of import IN_SQL_UP_TO
from sqo.analytics.forecast.timing import pushes_at
from sqo.analytics.states import last_values, open_sqo_stages, states_at
from sqo.domain.stages import StageModel
from sqo.store import tables as t


@dataclass(frozen=True)
class OpenDeal:
    id: int
    name: str
    owner_id: int | None
    owner: str | None
    stage: str
    segment: str | None
    source: str | None
    amount_cents: int | None  # corporate currency; None without an amount (or without a rate)
    close_date: date | None
    forecast_category: str
    pushes: int
    unrated_currency: str | None  # its currency, when that has no exchange rate


def open_deals(
    connection: Connection,
    model: StageModel,
    as_of: datetime,
    *,
    currency: str,
    owners: Collection[int] | None = None,
    records: Connection | None = None,
) -> list[OpenDeal]:
    """Open SQO-pipeline deals at ``as_of`` (of ``owners`` when given), by id. The forecast
    categories are history beyond the analytics fields: when ``connection`` is the analytics
    copy, which holds only those, ``records`` (the workspace database) reads them after."""
    apart = records is not None and records is not connection
    s = states_at(as_of, ("stage", "amount_cents", "close_date", "owner_id"), name="open_states")
    categories = last_values("opportunity", as_of, ("forecast_category",), "categories")
    pushes = pushes_at(as_of)
    o, r = t.opportunities, t.reps
    value = deal_value(
        s.c.amount_cents,
        o.c.currency,
        s.c.stage,
        s.c.close_date,
        as_of=as_of.date(),
        model=model,
        corporate=currency,
    )
    attrs = attributes(s, ("segment",), key_column="record_id")
    source = attrs.source.join(o, o.c.id == s.c.record_id).outerjoin(r, r.c.id == s.c.owner_id)
    if not apart:
        source = source.outerjoin(categories, categories.c.record_id == s.c.record_id)
    source = source.outerjoin(pushes, pushes.c.record_id == s.c.record_id)
    category = null() if apart else categories.c.forecast_category
    query = (
        select(
            s.c.record_id,
            o.c.name,
            s.c.owner_id,
            r.c.name,
            s.c.stage,
            attrs.columns["segment"],
            o.c.source,
            s.c.amount_cents,
            value.amount,
            value.unrated,
            o.c.currency,
            s.c.close_date,
            category,
            func.coalesce(pushes.c.pushes, 0),
        )
        .select_from(source)
        .where(s.c.stage.in_(open_sqo_stages(model)))
        .order_by(s.c.record_id)
    )
    if owners is not None:
        query = query.where(s.c.owner_id.in_(list(owners)))
    deals = []
    for row in connection.execute(query):
        (rid, name, owner_id, owner, stage, segment, src, raw, amount, unrated, cur) = row[:11]
        close, category, pushed = row[11:]
        deals.append(
            OpenDeal(
                int(rid),
                str(name),
                owner_id,
                owner,
                str(stage),
                segment,
                src,
                None if raw is None or unrated else int(amount),
                None if close is None else date.fromisoformat(str(close)[:10]),
                str(category or model.stage(stage).forecast_category.value),
                int(pushed or 0),
                str(cur) if unrated else None,
            )
        )
    if apart and records is not None:
        kept = forecast_categories(records, as_of, [d.id for d in deals])
        deals = [replace(d, forecast_category=kept[d.id]) if d.id in kept else d for d in deals]
    return deals


def forecast_categories(
    connection: Connection, as_of: datetime, ids: Sequence[int]
) -> dict[int, str]:
    """The forecast category last written by ``as_of`` of each of the deals ``ids`` that has
    one (read by id up to ``IN_SQL_UP_TO`` of them, else of every deal)."""
    wanted = set(ids)
    if not wanted:
        return {}
    by_id = [t.history.c.record_id.in_(sorted(wanted))] if len(wanted) <= IN_SQL_UP_TO else []
    found = last_values("opportunity", as_of, ("forecast_category",), "categories", *by_id)
    query = select(found.c.record_id, found.c.forecast_category)
    return {
        int(rid): str(category)
        for rid, category in connection.execute(query)
        if rid in wanted and category is not None
    }
