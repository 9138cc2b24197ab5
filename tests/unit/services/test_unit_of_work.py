"""The unit of work services get from their workspace: injectable, and with the transaction
control imports need (commit and continue, rollback, the import lock, a bulk writer)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from sqo.domain.actor import Actor
from sqo.domain.errors import UnknownReference, WorkspaceError
from sqo.services import opportunities
from sqo.services.workspace import Workspace
from sqo.store import tables as t
from sqo.store.unit_of_work import UnitOfWork, UnitOfWorkFactory

LOCKED = OperationalError("COMMIT", {}, sqlite3.OperationalError("database is locked"))


class Counting(UnitOfWork):
    """A unit of work that counts what the services do with it."""

    opened = 0
    commits = 0

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        type(self).opened += 1

    def commit(self) -> None:
        super().commit()
        type(self).commits += 1


@pytest.fixture
def counting() -> type[Counting]:
    return type("CountingHere", (Counting,), {"opened": 0, "commits": 0})


def test_services_use_the_unit_of_work_their_workspace_is_given(
    workspace_with: Callable[[UnitOfWorkFactory], Workspace],
    counting: type[Counting],
    actor: Actor,
) -> None:
    ws = workspace_with(counting)
    opportunities.create_opportunity(ws, actor, name="Acme")
    assert (counting.opened, counting.commits) == (1, 1)
    with pytest.raises(UnknownReference):
        opportunities.create_opportunity(ws, actor, name="Globex", owner="Nobody")
    assert (counting.opened, counting.commits) == (2, 1)


def test_commit_then_begin_continues_on_the_same_connection(ws: Workspace) -> None:
    with ws.unit_of_work() as uow:
        connection = uow.connection
        uow.settings.put("first", 1)
        uow.commit()
        assert not uow.in_transaction
        uow.begin()
        assert uow.connection is connection
        uow.settings.put("second", 2)
        uow.rollback()  # undoes the second transaction only
        uow.begin()
        uow.settings.put("third", 3)
    # the third was never committed: the end of the unit rolled it back
    with ws.unit_of_work() as uow:
        assert [uow.settings.get(k) for k in ("first", "second", "third")] == [1, None, None]


def test_a_second_transaction_is_not_opened_over_an_open_one(ws: Workspace) -> None:
    with ws.unit_of_work() as uow, pytest.raises(AssertionError):
        uow.begin()


def test_the_bulk_writer_lasts_until_it_is_finished_or_committed(ws: Workspace) -> None:
    with ws.unit_of_work() as uow:
        uow.lock_for_import()
        writer = uow.bulk
        assert uow.bulk is writer and writer.connection is uow.connection
        writer.add(t.teams, {"id": writer.new_id(t.teams), "name": "Nordics"})
        writer.finish()
        after_finish = uow.bulk
        assert after_finish is not writer
        # a new writer sees the ids the first one wrote
        assert after_finish.new_id(t.teams) == 2
        uow.commit()
        uow.begin()
        assert uow.bulk is not after_finish
    with ws.unit_of_work() as uow:
        assert [team.name for team in uow.people.teams()] == ["Nordics"]


def test_the_import_lock_is_taken_before_the_first_read(ws: Workspace) -> None:
    with ws.unit_of_work() as uow:
        driver = uow.connection.connection.driver_connection
        assert driver is not None
        assert not driver.in_transaction  # pysqlite's BEGIN waits for the first write
        uow.lock_for_import()
        assert driver.in_transaction  # BEGIN IMMEDIATE: the write lock, before any read


def test_a_locked_database_is_a_sentence_for_services(ws: Workspace) -> None:
    with pytest.raises(WorkspaceError) as busy, ws.unit_of_work():
        raise LOCKED
    assert busy.value.message.startswith("Another process is writing to this workspace")


def test_an_import_reports_its_own_database_errors(ws: Workspace) -> None:
    # run_import says which files were written before the error: it needs the error itself
    with pytest.raises(OperationalError), ws.unit_of_work() as uow:
        uow.lock_for_import()
        raise LOCKED
