"""The fast tier of service tests: real services on a real SQLite database held in memory.

The schema is built once per session by ``init_workspace`` (the real migrations, on a file) and
copied into memory as a template. Each test starts from a fresh copy of it: SQLite's backup API
writes the template over the session's one in-memory database (well under a millisecond), which
one engine reaches through a ``StaticPool``. Services
reach it the way they reach any workspace: ``ws.unit_of_work()``, through the workspace's
injectable factory (``Workspace(uow_factory=...)``).

One connection means one transaction at a time: a service that opens a second unit of work
while its first is open (a Salesforce import asking which history ids are known) shares its
transaction here. Such tests belong in tests/integration, on a file and on PostgreSQL.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine
from sqlalchemy.pool import StaticPool

from sqo.domain.actor import Actor
from sqo.services.workspace import Workspace, init_workspace
from sqo.store.unit_of_work import UnitOfWork, UnitOfWorkFactory


@dataclass(frozen=True)
class Template:
    database: sqlite3.Connection  # the new workspace, in memory
    stage_model: Any
    default_currency: str
    settings: dict[str, Any]


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Template]:
    path = tmp_path_factory.mktemp("template") / "template.db"
    made = init_workspace(str(path), Actor("tester"))
    model, currency, settings = made.stage_model, made.default_currency, made.settings
    made.close()
    source = sqlite3.connect(path)
    database = sqlite3.connect(":memory:", check_same_thread=False)
    source.backup(database)
    source.close()
    yield Template(database, model, currency, settings)
    database.close()


@dataclass(frozen=True)
class Memory:
    """The one in-memory database of the session, behind one engine (whose cache of compiled
    statements then serves every test), and the template it is reset to before each test."""

    template: Template
    database: sqlite3.Connection
    engine: Engine

    def reset(self) -> None:
        # The backup API replaces the whole database, schema and rows, in well under 1 ms.
        self.template.database.backup(self.database)

    def workspace(self, uow_factory: UnitOfWorkFactory = UnitOfWork) -> Workspace:
        return Workspace(
            url="sqlite://",
            engine=self.engine,
            stage_model=self.template.stage_model,
            default_currency=self.template.default_currency,
            settings=dict(self.template.settings),
            uow_factory=uow_factory,
        )


@pytest.fixture(scope="session")
def memory(template: Template) -> Iterator[Memory]:
    database = sqlite3.connect(":memory:", check_same_thread=False)
    database.execute("PRAGMA foreign_keys=ON")  # as on every workspace's connection
    engine = create_engine("sqlite://", creator=lambda: database, poolclass=StaticPool)
    yield Memory(template, database, engine)
    engine.dispose()
    database.close()


@pytest.fixture
def ws(memory: Memory) -> Workspace:
    """A new, empty workspace in memory (the default stage model, USD)."""
    memory.reset()
    return memory.workspace()


@pytest.fixture
def workspace_with(memory: Memory) -> Callable[[UnitOfWorkFactory], Workspace]:
    """A new workspace in memory whose services get the unit of work the test chooses."""
    memory.reset()
    return memory.workspace


@pytest.fixture
def csv_file(tmp_path: Path) -> Callable[[str, str], Path]:
    """A small file written as given (a CSV, a mapping)."""

    def write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write
