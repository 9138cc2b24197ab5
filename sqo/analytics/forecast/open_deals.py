"""The open SQO deals a forecast weighs, as they were at ``as_of``: one row each.

A forecast needs every open deal's own probability (the Monte Carlo draws each deal), so this is
the one query that returns a row per deal; everything it needs comes in that one query (stage,
amount in the corporate currency, close date, forecast category and close-date pushes as of then,
segment, owner), never one query per deal.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, func, select

from sqo.analytics.breakdowns import attributes
from sqo.analytics.currency import deal_value
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
) -> list[OpenDeal]:
    """Open SQO-pipeline deals at ``as_of`` (of ``owners`` when given), by id."""
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
    source = (
        attrs.source.join(o, o.c.id == s.c.record_id)
        .outerjoin(r, r.c.id == s.c.owner_id)
        .outerjoin(categories, categories.c.record_id == s.c.record_id)
        .outerjoin(pushes, pushes.c.record_id == s.c.record_id)
    )
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
            categories.c.forecast_category,
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
    return deals
