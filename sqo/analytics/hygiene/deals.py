"""The open deals as at a moment, with who owns them: the base the hygiene facts hang on.

When nothing the rules read changed after ``as_of`` (the usual case: "now"), the record table is
the state at ``as_of`` and is read directly: an index look-up per field proves it. Otherwise only
the deals with a change after ``as_of`` are replayed from history (the last value of each field
written by then); every other deal's record is its state at ``as_of``, since each change of
these fields writes a history row. Replaying every deal of a million (a week-old review) took
22 s on SQLite; the deals changed since are a few thousand. Both give the same rows
(tests/integration/hygiene/test_facts.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    ColumnElement,
    Connection,
    Integer,
    String,
    and_,
    cast,
    func,
    select,
    text,
    union_all,
)
from sqlalchemy.sql.selectable import Select, Subquery

from sqo.analytics.states import last_values
from sqo.analytics.temp_tables import temporary
from sqo.domain.stages import StageModel
from sqo.store import tables as t

STATE_FIELDS = ("stage", "amount_cents", "close_date", "owner_id", "next_step", "next_step_due")


def state_is_current(connection: Connection, as_of: datetime) -> bool:
    """Whether no field the rules read changed after ``as_of`` (each an index look-up)."""
    h = t.history
    for name in STATE_FIELDS:
        latest = connection.execute(
            select(func.max(h.c.changed_at)).where(
                h.c.record_type == "opportunity", h.c.field == name
            )
        ).scalar()
        if latest is not None and latest > as_of:
            return False
    return True


def _current() -> Subquery:
    o = t.opportunities
    return select(
        o.c.id.label("record_id"),
        o.c.stage,
        o.c.amount_cents,
        o.c.close_date,
        o.c.owner_id,
        o.c.next_step,
        o.c.next_step_due,
    ).subquery("deal_state")


def _changed_since(as_of: datetime) -> Select[Any]:
    """The deals with a change of a state field after ``as_of`` (created since included)."""
    h = t.history
    return select(h.c.record_id).where(
        h.c.record_type == "opportunity",
        h.c.field.in_(STATE_FIELDS),
        h.c.changed_at > as_of,
    )


def _replayed(as_of: datetime) -> Select[Any]:
    changed = _changed_since(as_of)
    n = last_values(
        "opportunity", as_of, STATE_FIELDS, "deal_fields", t.history.c.record_id.in_(changed)
    )
    replayed = select(
        n.c.record_id,
        n.c.stage,
        cast(n.c.amount_cents, BigInteger).label("amount_cents"),
        n.c.close_date,
        cast(n.c.owner_id, Integer).label("owner_id"),
        func.nullif(n.c.next_step, "").label("next_step"),
        func.nullif(n.c.next_step_due, "").label("next_step_due"),
    )
    o = t.opportunities
    unchanged = select(
        o.c.id.label("record_id"),
        o.c.stage,
        o.c.amount_cents,
        cast(o.c.close_date, String).label("close_date"),  # as the replayed rows: ISO text
        o.c.owner_id,
        o.c.next_step,
        cast(o.c.next_step_due, String).label("next_step_due"),
    ).where(o.c.id.not_in(changed), o.c.created_at <= as_of)
    return union_all(unchanged, replayed).subquery("deal_state").select()


STATE_COLUMNS = (
    ("record_id", Integer),
    ("stage", String),
    ("amount_cents", BigInteger),
    ("close_date", String),
    ("owner_id", Integer),
    ("next_step", String),
    ("next_step_due", String),
)


@contextmanager
def deal_state(connection: Connection, as_of: datetime) -> Iterator[Subquery]:
    """One row per opportunity existing at ``as_of``: record_id, stage, amount_cents,
    close_date, owner_id, next_step, next_step_due (dates as ISO text when replayed). A replayed
    state is computed once into a temporary table: the command's several queries read it."""
    if state_is_current(connection, as_of):
        yield _current()
        return
    columns = [Column(name, kind()) for name, kind in STATE_COLUMNS]
    with temporary(connection, _replayed(as_of), columns, "hygiene_state") as table:
        # The SQO exits look their deals up in it: by id, not a scan per exit.
        connection.execute(text(f"CREATE INDEX {table.name}_id ON {table.name} (record_id)"))
        yield select(table).subquery("deal_state")


def open_ids(
    state: Subquery, model: StageModel, *, team_id: int | None = None, rep_id: int | None = None
) -> Select[Any]:
    """The ids of the open deals of ``state`` (of a team or rep when given)."""
    open_stages = [s.name for s in model.open_opportunity_stages()]
    query = select(state.c.record_id).where(state.c.stage.in_(open_stages))
    if team_id is not None:
        r = t.reps
        query = query.where(state.c.owner_id.in_(select(r.c.id).where(r.c.team_id == team_id)))
    if rep_id is not None:
        query = query.where(state.c.owner_id == rep_id)
    return query


def open_deals(
    state: Subquery,
    model: StageModel,
    *,
    team_id: int | None = None,
    rep_id: int | None = None,
    extra: tuple[Any, ...] = (),
) -> Select[Any]:
    """The open deals of ``state`` with their owner, team, segment and where their cycle
    started; ``extra`` columns are added (the facts' outer joins)."""
    o, r, tm, a, lead = t.opportunities, t.reps, t.teams, t.accounts, t.leads
    open_stages = [s.name for s in model.open_opportunity_stages()]
    source = (
        state.join(o, o.c.id == state.c.record_id)
        .outerjoin(r, r.c.id == state.c.owner_id)
        .outerjoin(tm, tm.c.id == r.c.team_id)
        .outerjoin(a, a.c.id == o.c.account_id)
        .outerjoin(lead, lead.c.id == o.c.lead_id)
    )
    where: list[ColumnElement[bool]] = [state.c.stage.in_(open_stages)]
    if team_id is not None:
        where.append(r.c.team_id == team_id)
    if rep_id is not None:
        where.append(state.c.owner_id == rep_id)
    return (
        select(
            o.c.id,
            o.c.name,
            state.c.owner_id,
            r.c.name.label("owner_name"),
            tm.c.name.label("team_name"),
            func.coalesce(a.c.segment, lead.c.segment).label("segment"),
            state.c.stage,
            state.c.amount_cents,
            o.c.currency,
            state.c.close_date,
            state.c.next_step,
            state.c.next_step_due,
            func.coalesce(lead.c.created_at, o.c.created_at).label("first_contact"),
            o.c.created_at,
            o.c.version,
            *extra,
        )
        .select_from(source)
        .where(and_(*where))
    )
