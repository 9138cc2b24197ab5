"""An import killed with SIGKILL at random moments (a fixed seed, a few kills per engine) leaves
a workspace that is whole: integrity holds, every record equals the replay of its history, each
file is there completely or not at all, no index is lost, and running the import again gives
exactly what an uninterrupted import gives. A dry run and a refused file keep the indexes too."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from typer.testing import CliRunner

from sqo.cli.app import app
from sqo.domain.actor import Actor
from sqo.domain.history import RecordType
from sqo.services.workspace import init_workspace, open_workspace
from sqo.store import tables as t
from sqo.store.consistency import disagreements
from sqo.store.database import make_engine, resolve_url
from sqo.store.indexes import missing_indexes
from tests.reliability_data import salesforce_folder

DEALS = 1500
KILLS = 3


def sqo(db: str, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "sqo", "--db", db, *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": os.getcwd(), "COLUMNS": "200"},
    )


def contents(db: str) -> dict[str, Any]:
    """What the workspace holds, by external id (ids may differ between two runs)."""
    engine = make_engine(resolve_url(db))
    o, h, r = t.opportunities, t.history, t.reps
    with engine.connect() as connection:
        reps = {row.external_id: row.name for row in connection.execute(select(r))}
        rep_keys = {str(row.id): row.external_id for row in connection.execute(select(r))}
        deals = {
            row.external_id: (row.name, row.stage, row.amount_cents, row.close_date, row.owner)
            for row in connection.execute(
                select(o, r.c.external_id.label("owner"))
                .join(r, r.c.id == o.c.owner_id, isouter=True)
                .where(o.c.external_id.is_not(None))
            )
        }
        history = Counter(
            (key, field, rep_keys.get(str(new)) if field == "owner_id" else new, at)
            for key, field, new, at in connection.execute(
                select(o.c.external_id, h.c.field, h.c.new_value, h.c.changed_at).join(
                    o, (o.c.id == h.c.record_id) & (h.c.record_type == "opportunity")
                )
            )
        )
    engine.dispose()
    return {"deals": deals, "history": history, "reps": reps}


def check_whole(db: str) -> None:
    engine = make_engine(resolve_url(db))
    with engine.connect() as connection:
        # Before anything opens the workspace (which would rebuild them): no index lost.
        assert [i.name for i in missing_indexes(connection)] == []
        if connection.dialect.name == "sqlite":
            assert connection.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
        assert disagreements(connection, RecordType.OPPORTUNITY)[0] == 0
        deals = connection.execute(select(t.opportunities.c.id)).all()
        users = connection.execute(select(t.reps.c.id)).all()
        history = connection.execute(select(t.history.c.id)).all()
    engine.dispose()
    assert len(deals) in (0, DEALS)  # the deal file: all of it or nothing
    assert len(users) == (7 if deals else 0)  # the owners the deals name
    assert (len(deals) == 0) == (len(history) == 0)


def test_an_import_killed_at_random_moments_leaves_a_whole_workspace(
    db_url: str, tmp_path: Path, actor: Actor
) -> None:
    folder = salesforce_folder(tmp_path / "export", DEALS, seed=17, users=False)
    reference = str(tmp_path / "reference.db")
    init_workspace(reference, actor).close()
    assert _cli(reference, "import", "salesforce", str(folder)) == 0
    expected = contents(reference)

    init_workspace(db_url, actor).close()
    rng = random.Random(20261201)
    for _kill in range(KILLS):
        process = sqo(db_url, "import", "salesforce", str(folder))
        time.sleep(rng.uniform(0.4, 1.6))
        process.send_signal(signal.SIGKILL)
        process.wait()
        check_whole(db_url)
    run = sqo(db_url, "import", "salesforce", str(folder))
    assert run.wait() == 0, run.stderr.read() if run.stderr else ""
    check_whole(db_url)
    assert contents(db_url) == expected


def _cli(db: str, *args: str) -> int:
    """The command run in this process (quicker than a subprocess), its exit code."""
    return CliRunner().invoke(app, ["--db", db, *args]).exit_code


def _without_indexes_after(db: str, *args: str) -> list[str]:
    _cli(db, *args)
    engine = make_engine(resolve_url(db))
    with engine.connect() as connection:
        missing = [str(i.name) for i in missing_indexes(connection)]
    engine.dispose()
    return missing


def test_a_dry_run_and_a_refused_file_keep_every_index(
    sqlite_url: str, tmp_path: Path, actor: Actor
) -> None:
    folder = salesforce_folder(tmp_path / "export", 1500, seed=3, users=False)
    init_workspace(sqlite_url, actor).close()
    assert (
        _without_indexes_after(sqlite_url, "import", "salesforce", str(folder), "--dry-run") == []
    )
    opportunities = folder / "Opportunity.csv"
    lines = opportunities.read_text(encoding="utf-8").splitlines()
    lines[-1] = lines[-1].replace('"2024-', '"not a date ', 1)  # the last deal is refused
    opportunities.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    assert _without_indexes_after(sqlite_url, "import", "salesforce", str(folder)) == []


def test_opening_a_workspace_rebuilds_lost_indexes(sqlite_url: str, actor: Actor) -> None:
    init_workspace(sqlite_url, actor).close()
    engine = make_engine(resolve_url(sqlite_url))
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP INDEX ix_history_record_type_record_id_changed_at")
        connection.exec_driver_sql("DROP INDEX ix_opportunities_stage")
    engine.dispose()
    open_workspace(sqlite_url).close()
    engine = make_engine(resolve_url(sqlite_url))
    with engine.connect() as connection:
        assert missing_indexes(connection) == []
    engine.dispose()


@pytest.mark.postgres
def test_the_analytics_index_rebuilt_on_postgresql_is_partial(
    postgres_url: str, actor: Actor
) -> None:
    # The partial index's PostgreSQL condition is attached when a PostgreSQL engine is made (so
    # that SQLite commands need not load that dialect); a rebuild must still carry it, as the
    # migration does.
    init_workspace(postgres_url, actor).close()
    engine = make_engine(postgres_url)
    definition = "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_history_analytics'"
    with engine.begin() as connection:
        migrated = connection.exec_driver_sql(definition).scalar_one()
        connection.exec_driver_sql("DROP INDEX ix_history_analytics")
    open_workspace(postgres_url).close()
    with engine.connect() as connection:
        rebuilt = connection.exec_driver_sql(definition).scalar_one()
    engine.dispose()
    assert "WHERE" in migrated
    assert rebuilt == migrated
