"""Deals as they stood at one moment each: the follow-up of review decisions looks at every
decided deal on its own due date (or the end of the week reviewed), in one query."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import (
    Connection,
    DateTime,
    Integer,
    and_,
    case,
    func,
    literal,
    or_,
    select,
    union_all,
)

from sqo.store import intervals as hi


def states_at_moments(
    connection: Connection, moments: Sequence[tuple[int, int, datetime]]
) -> dict[int, tuple[str | None, str | None, int | None]]:
    """For each (key, opportunity id, moment): the deal's stage, close date (ISO text) and amount
    (cents, in its own currency) then."""
    if not moments:
        return {}
    rows = union_all(
        *(
            select(
                literal(key, Integer).label("key"),
                literal(record, Integer).label("record_id"),
                literal(moment, DateTime).label("moment"),
            )
            for key, record, moment in moments
        )
    ).subquery("moments")
    h = hi.history_intervals
    query = (
        select(
            rows.c.key,
            func.max(case((h.c.field == "stage", h.c.new_value))),
            func.max(case((h.c.field == "close_date", h.c.new_value))),
            func.max(case((h.c.field == "amount_cents", h.c.new_value))),
        )
        .join(
            h,
            and_(
                h.c.record_type == "opportunity",
                h.c.record_id == rows.c.record_id,
                h.c.field.in_(("stage", "close_date", "amount_cents")),
                h.c.valid_from <= rows.c.moment,
                or_(h.c.valid_until.is_(None), h.c.valid_until > rows.c.moment),
            ),
        )
        .group_by(rows.c.key)
    )
    return {
        int(k): (stage, close, None if amount is None else int(amount))
        for k, stage, close, amount in connection.execute(query)
    }
