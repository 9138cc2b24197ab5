"""``history_intervals`` (the view on SQLite and PostgreSQL) equals a plain-Python replay of
history, ties at the same second included; migration 0005 adds it to an existing workspace and
its downgrade removes it."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from alembic import command
from sqlalchemy import Engine, and_, insert, inspect, or_, select, text

from sqo.domain.actor import Actor
from sqo.services.workspace import init_workspace, open_workspace
from sqo.store import migrate
from sqo.store import tables as t
from sqo.store.intervals import history_intervals

T0 = datetime(2026, 1, 5, 9, 0, 0)
FIELDS = ("stage", "amount_cents", "close_date", "name")  # name: not an analytics field


def _history(seed: int, n: int = 400) -> list[dict[str, Any]]:
    """Random changes of a few records, on few distinct seconds so that many share one."""
    rng = random.Random(seed)
    return [
        {
            "record_type": rng.choice(("lead", "opportunity")),
            "record_id": rng.randint(1, 6),
            "field": rng.choice(FIELDS),
            "old_value": None,
            "new_value": str(rng.randint(0, 99)),
            "changed_at": T0 + timedelta(seconds=rng.randint(0, 40)),
            "actor": "tester",
        }
        for _ in range(n)
    ]


def _write(engine: Engine, rows: list[dict[str, Any]]) -> None:
    # Written directly: the services never write two changes of a field in the same second,
    # which is exactly the case the view has to get right.
    with engine.begin() as connection:
        connection.execute(insert(t.history), rows)


def _replay(engine: Engine) -> list[tuple[Any, ...]]:
    """Per record and analytics field, in (changed_at, id) order: each value holds until the
    next change, the last one until further notice (None)."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(
                t.history.c.id,
                t.history.c.record_type,
                t.history.c.record_id,
                t.history.c.field,
                t.history.c.new_value,
                t.history.c.changed_at,
            )
        ).all()
    chains: dict[tuple[Any, ...], list[Any]] = {}
    for row in rows:
        if row.field in t.ANALYTICS_FIELDS:
            chains.setdefault((row.record_type, row.record_id, row.field), []).append(row)
    expected = []
    for chain in chains.values():
        chain.sort(key=lambda r: (r.changed_at, r.id))
        for i, row in enumerate(chain):
            until = chain[i + 1].changed_at if i + 1 < len(chain) else None
            expected.append((*row, until))
    return sorted(expected)


def _view(engine: Engine) -> list[tuple[Any, ...]]:
    with engine.connect() as connection:
        return sorted(tuple(r) for r in connection.execute(select(history_intervals)))


def _value_at(engine: Engine, moment: datetime) -> dict[tuple[Any, ...], str]:
    h = history_intervals
    holding = and_(
        h.c.valid_from <= moment, or_(h.c.valid_until.is_(None), h.c.valid_until > moment)
    )
    with engine.connect() as connection:
        rows = connection.execute(
            select(h.c.record_type, h.c.record_id, h.c.field, h.c.new_value).where(holding)
        ).all()
    found: dict[tuple[Any, ...], str] = {}
    for record_type, record_id, field, value in rows:
        key = (record_type, record_id, field)
        assert key not in found, f"two values of {key} hold at {moment}"
        found[key] = value
    return found


def _ranked_at(engine: Engine, moment: datetime) -> dict[tuple[Any, ...], str]:
    """The old definition: the latest row by (changed_at, id) on or before the moment."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(t.history)
            .where(t.history.c.changed_at <= moment)
            .order_by(t.history.c.changed_at, t.history.c.id)
        ).all()
    latest: dict[tuple[Any, ...], str] = {}
    for row in rows:
        if row.field in t.ANALYTICS_FIELDS:
            latest[(row.record_type, row.record_id, row.field)] = row.new_value
    return latest


def test_the_view_equals_a_replay_of_history(db_url: str, actor: Actor) -> None:
    ws = init_workspace(db_url, actor)
    try:
        _write(ws.engine, _history(seed=11))
        assert _view(ws.engine) == _replay(ws.engine)
        for second in (-1, 0, 7, 20, 20.5, 40, 60):
            moment = T0 + timedelta(seconds=second)
            assert _value_at(ws.engine, moment) == _ranked_at(ws.engine, moment), moment
    finally:
        ws.close()


def _views(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return list(inspect(connection).get_view_names())


def _migrate(engine: Engine, revision: str) -> None:
    with engine.begin() as connection:
        config = migrate.alembic_config(connection)
        if revision == "head":
            command.upgrade(config, revision)
        else:
            command.downgrade(config, revision)


def test_the_migration_adds_the_view_to_an_existing_workspace(db_url: str, actor: Actor) -> None:
    ws = init_workspace(db_url, actor)
    engine = ws.engine
    assert "history_intervals" in _views(engine)
    _migrate(engine, "0004")  # a workspace as the previous sqo left it
    assert "history_intervals" not in _views(engine)
    assert migrate.current_revision(engine) == "0004"
    _write(engine, _history(seed=5, n=150))
    ws.close()

    ws = open_workspace(db_url)  # opening upgrades it
    try:
        assert migrate.current_revision(ws.engine) == migrate.HEAD
        assert _view(ws.engine) == _replay(ws.engine)
        _migrate(ws.engine, "0004")
        assert "history_intervals" not in _views(ws.engine)
        with ws.engine.connect() as connection:  # the downgrade leaves history as it was
            count = connection.execute(text("SELECT count(*) FROM history")).scalar()
        assert count == 150
        _migrate(ws.engine, "head")
        assert _view(ws.engine) == _replay(ws.engine)
    finally:
        ws.close()
