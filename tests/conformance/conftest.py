"""The conformance suite's workspaces, each on four engines, and the one Spark session.

Every fixture workspace is built once per test process as a SQLite file; the other engines read
the same rows: its Parquet export (Spark, through --parquet), a PostgreSQL database the export is
restored into, and its DuckDB analytics copy.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from sqo.domain.actor import Actor
from sqo.services import analytics_engines
from sqo.services.exports import export_workspace
from sqo.services.restore import restore_export
from sqo.services.workspace import init_workspace, open_workspace
from sqo.store.spark import session as spark
from tests.conformance.edge_workspace import AS_OF, build_edge_workspace
from tests.conformance.figures import Scenario, figures
from tests.conftest import DemoFile, _postgres_database, _require_postgres

MASTER = "local[2]"
ENGINES = ("sqlite database", "postgresql database", "duckdb copy", "spark")
SCENARIOS = {
    "demo": Scenario(
        as_of=datetime(2026, 6, 30, 23, 59, 59),
        coverage=(date(2026, 4, 1), date(2026, 6, 30)),
        change=(date(2026, 6, 1), date(2026, 6, 30)),
        close=(date(2026, 4, 1), date(2026, 9, 30)),
    ),
    "edge": Scenario(
        as_of=AS_OF,
        coverage=(date(2026, 1, 1), date(2026, 3, 31)),
        change=(date(2026, 1, 5), date(2026, 1, 31)),
        close=(date(2026, 1, 1), date(2026, 3, 31)),
        more_breakdowns=("segment,week", "month", ""),  # week: the Sunday-midnight records
    ),
}


@pytest.fixture(scope="session")
def spark_session() -> Any:
    """The process's Spark session. Never skipped: without Java or PySpark the tests fail."""
    if not spark.pyspark_found():
        pytest.fail("PySpark is not installed: pip install -e '.[dev]' (or 'sqo[spark]').")
    if not spark.java_found():
        pytest.fail("No Java runtime (JAVA_HOME or java on PATH): install openjdk-17-jre-headless.")
    return spark.spark_session(MASTER)


@dataclass(frozen=True)
class Fixture:
    name: str
    sqlite: Path
    parquet: Path


@pytest.fixture(scope="session")
def edge_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("edge") / "edge.db"
    build_edge_workspace(path)
    return path


def _exported(db: Path, folder: Path) -> Path:
    ws = open_workspace(str(db))
    try:
        export_workspace(ws, Actor("tester"), folder, fmt="parquet")
    finally:
        ws.close()
    return folder


@pytest.fixture(scope="session")
def fixtures(
    demo_file: DemoFile, edge_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Fixture]:
    out = {}
    for name, db in (("demo", demo_file.path), ("edge", edge_file)):
        folder = tmp_path_factory.mktemp(f"{name}-export") / "export"
        out[name] = Fixture(name, db, _exported(db, folder))
    return out


class Computed:
    """Figures per (fixture, engine), computed once per process: the reference (SQLite) is
    read by every comparison."""

    def __init__(self, fixtures: dict[str, Fixture], request: pytest.FixtureRequest) -> None:
        self.fixtures = fixtures
        self.request = request
        self.done: dict[tuple[str, str], dict[str, Any]] = {}
        self.postgres: dict[str, str] = {}
        self._databases: list[Any] = []

    def __call__(self, name: str, engine: str) -> dict[str, Any]:
        if (name, engine) not in self.done:
            self.done[name, engine] = self._compute(self.fixtures[name], engine)
        return self.done[name, engine]

    def _compute(self, fixture: Fixture, engine: str) -> dict[str, Any]:
        scenario = SCENARIOS[fixture.name]
        if engine == "spark":
            self.request.getfixturevalue("spark_session")
            choice = analytics_engines.engine_choice("spark", MASTER, fixture.parquet)
            with analytics_engines.using(choice):
                return figures(str(fixture.sqlite), scenario)
        mode = "required" if engine == "duckdb copy" else "off"
        before = os.environ.get("SQO_ANALYTICS_COPY")
        os.environ["SQO_ANALYTICS_COPY"] = mode
        try:
            db = self._postgres(fixture) if engine == "postgresql database" else str(fixture.sqlite)
            return figures(db, scenario)
        finally:
            if before is None:
                os.environ.pop("SQO_ANALYTICS_COPY", None)
            else:
                os.environ["SQO_ANALYTICS_COPY"] = before

    def _postgres(self, fixture: Fixture) -> str:
        if fixture.name not in self.postgres:
            database = _postgres_database(_require_postgres())
            url = database.__enter__()
            self._databases.append(database)
            ws = init_workspace(url, Actor("tester"))
            try:
                restore_export(ws, Actor("tester"), fixture.parquet)
            finally:
                ws.close()
            self.postgres[fixture.name] = url
        return self.postgres[fixture.name]

    def close(self) -> None:
        for database in self._databases:
            database.__exit__(None, None, None)


@pytest.fixture(scope="session")
def computed(fixtures: dict[str, Fixture], request: pytest.FixtureRequest) -> Iterator[Computed]:
    done = Computed(fixtures, request)
    yield done
    done.close()
