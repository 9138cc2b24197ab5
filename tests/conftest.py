"""Shared fixtures: real workspaces on a SQLite file and on a real PostgreSQL server.

``SQO_TEST_POSTGRES_URL`` points at a PostgreSQL server (CI sets it and sets
``SQO_REQUIRE_POSTGRES=1`` so that an unreachable server fails the run instead of skipping).
Each PostgreSQL test gets a database of its own, created from scratch and dropped afterwards.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from sqo.domain.actor import Actor
from sqo.i18n import set_language
from sqo.services.demo import build_demo
from sqo.services.workspace import Workspace, init_workspace, open_workspace

# No per-example deadline: this 2-core machine is shared and its speed drifts, so a 200 ms deadline
# failed property tests that were right (tests/unit/attribution/test_credit.py under load). The
# number of examples, and so what the properties check, is unchanged.
settings.register_profile("sqo", deadline=None)
settings.load_profile("sqo")

# pytest-xdist's workers start with COLUMNS set (80 without a terminal); a serial run has none.
# The CLI's consoles take their width from COLUMNS when sqo.cli.output is imported, so in a worker
# every table would be 80 wide whatever COLUMNS a test gives its command: workers get the serial
# run's environment.
if os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ.pop("COLUMNS", None)

POSTGRES_URL = os.environ.get("SQO_TEST_POSTGRES_URL")
REQUIRE_POSTGRES = os.environ.get("SQO_REQUIRE_POSTGRES") == "1"

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
MAVEN_DIR = SHARED / "data" / "maven-crm"

T0 = datetime(2026, 1, 5, 9, 0)

DEMO_SEED = 7
DEMO_TODAY = date(2026, 6, 30)


def _postgres_problem() -> str | None:
    if not POSTGRES_URL:
        return "SQO_TEST_POSTGRES_URL is not set (point it at a PostgreSQL server to run these)"
    try:
        engine = create_engine(POSTGRES_URL)
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # any failure to connect means: no server here
        return f"cannot reach PostgreSQL at {POSTGRES_URL}: {exc.__class__.__name__}"
    return None


_PG_PROBLEM: str | None = None
_PG_CHECKED = False


def postgres_problem() -> str | None:
    global _PG_PROBLEM, _PG_CHECKED
    if not _PG_CHECKED:
        _PG_PROBLEM = _postgres_problem()
        _PG_CHECKED = True
    return _PG_PROBLEM


@pytest.fixture(autouse=True, scope="session")
def analytics_copies(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Analytics copies of the tests' workspaces go to a temporary folder, not ~/.cache."""
    folder = tmp_path_factory.mktemp("analytics-copies")
    before = os.environ.get("SQO_ANALYTICS_DIR")
    os.environ["SQO_ANALYTICS_DIR"] = str(folder)
    yield folder
    if before is None:
        os.environ.pop("SQO_ANALYTICS_DIR", None)
    else:
        os.environ["SQO_ANALYTICS_DIR"] = before


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Tests read English messages unless they ask for another language."""
    set_language("en")
    yield
    set_language(None)


@pytest.fixture
def actor() -> Actor:
    return Actor(name="tester")


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return str(tmp_path / "sqo.db")


def _require_postgres() -> str:
    problem = postgres_problem()
    if problem:
        if REQUIRE_POSTGRES:
            pytest.fail(f"PostgreSQL is required here but unavailable: {problem}")
        pytest.skip(problem)
    assert POSTGRES_URL
    return POSTGRES_URL


@contextmanager
def _postgres_database(server: str, template: str | None = None) -> Iterator[str]:
    """A new database on the server (a copy of ``template``, else empty), dropped on exit."""
    name = f"sqo_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    copy_of = f' TEMPLATE "{template}"' if template else ""
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"{copy_of}'))
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test."""
    with _postgres_database(_require_postgres()) as url:
        yield url


TEMPLATE_ACTOR = Actor(name="tester")


@pytest.fixture(scope="session")
def postgres_workspace_template() -> Iterator[str]:
    """The name of a PostgreSQL database holding a new, empty workspace made by ``actor``.
    Why: creating a workspace runs every migration, a few seconds of DDL round trips on
    PostgreSQL; ``CREATE DATABASE ... TEMPLATE`` copies the result in a fraction of that."""
    with _postgres_database(_require_postgres()) as url:
        init_workspace(url, TEMPLATE_ACTOR).close()  # no connection left: a template needs none
        name = make_url(url).database
        assert name
        yield name


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """Run the test on a SQLite file and on PostgreSQL."""
    if request.param == "sqlite":
        return str(request.getfixturevalue("sqlite_url"))
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def workspace(sqlite_url: str, actor: Actor) -> Iterator[Workspace]:
    """A new, empty workspace on a SQLite file (the default stage model, USD)."""
    ws = init_workspace(sqlite_url, actor)
    yield ws
    ws.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_workspace(request: pytest.FixtureRequest, actor: Actor) -> Iterator[Workspace]:
    """A new, empty workspace on SQLite and on PostgreSQL (there, a copy of the session's
    template workspace, which is what a new workspace made by ``actor`` holds)."""
    if request.param == "sqlite" or actor != TEMPLATE_ACTOR:
        db = (
            str(request.getfixturevalue("sqlite_url"))
            if request.param == "sqlite"
            else str(request.getfixturevalue("postgres_url"))
        )
        ws = init_workspace(db, actor)
        yield ws
        ws.close()
        return
    template = request.getfixturevalue("postgres_workspace_template")
    with _postgres_database(_require_postgres(), template) as url:
        ws = open_workspace(url)
        yield ws
        ws.close()


@dataclass(frozen=True)
class DemoFile:
    """The demo workspace built once for the session: its SQLite file and what the build said."""

    path: Path
    seed: int
    today: date
    counts: dict[str, int]


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> DemoFile:
    """The demo (seed 7, today 2026-06-30) built once per test run, in a folder of its own.
    Why: a build takes seconds, and many tests only read it. A test that only reads opens this
    file; a test that writes takes ``demo_copy``. pytest-xdist's workers share the run's
    temporary root: the first to need the demo builds it there, the others wait for it."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    folder = root / "demo-shared"
    folder.mkdir(exist_ok=True)
    path, said = folder / "demo.db", folder / "counts.json"
    with open(folder / "building.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not said.exists():
            built = build_demo(str(path), Actor("demo"), seed=DEMO_SEED, today=DEMO_TODAY)
            built.workspace.close()
            said.write_text(json.dumps(built.counts))
        counts = json.loads(said.read_text())
    return DemoFile(path, DEMO_SEED, DEMO_TODAY, counts)


@pytest.fixture
def demo_copy(demo_file: DemoFile, tmp_path: Path) -> Path:
    """A copy of the session's demo file for one test to change as it likes."""
    target = tmp_path / demo_file.path.name
    for suffix in ("", "-wal", "-shm"):  # a closed workspace has none, but a copy must be whole
        source = demo_file.path.with_name(demo_file.path.name + suffix)
        if source.exists():
            shutil.copyfile(source, target.with_name(target.name + suffix))
    return target


def pytest_report_header(config: pytest.Config) -> str:
    problem = postgres_problem()
    return "postgres: " + (problem or f"using {POSTGRES_URL}")


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # type: ignore[no-untyped-def]
    problem = postgres_problem()
    if problem:
        terminalreporter.write_line(f"PostgreSQL tests skipped: {problem}")
