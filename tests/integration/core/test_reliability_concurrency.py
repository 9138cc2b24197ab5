"""Writers at the same time on SQLite and PostgreSQL: two imports at once, and deals added by
hand while an import runs. Nobody gets a traceback, nothing is lost, every record equals the
replay of its history. A write that waits too long for an import says so in one sentence."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from sqo.domain.actor import Actor
from sqo.domain.errors import WorkspaceError
from sqo.domain.history import RecordType
from sqo.services import directory, opportunities
from sqo.services.workspace import init_workspace, open_workspace
from sqo.store import tables as t
from sqo.store import transactions
from sqo.store.consistency import disagreements
from tests.reliability_data import salesforce_folder

DEALS = 1000


def sqo(db: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "sqo", "--db", db, *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.getcwd(), "COLUMNS": "200"},
    )


def finished(process: subprocess.Popen[str]) -> tuple[int, str]:
    _out, err = process.communicate(timeout=120)
    return process.returncode, err


def counts(db: str) -> tuple[int, int, int]:
    ws = open_workspace(db)
    with ws.engine.connect() as connection:
        deals = connection.execute(select(func.count()).select_from(t.opportunities)).scalar_one()
        reps = connection.execute(select(func.count()).select_from(t.reps)).scalar_one()
        wrong = disagreements(connection, RecordType.OPPORTUNITY)[0]
    ws.close()
    return deals, reps, wrong


def test_two_imports_at_once_both_land(db_url: str, tmp_path: Path, actor: Actor) -> None:
    # Both name the same owners (placeholders on first sight) and hand out ids at once.
    first = salesforce_folder(tmp_path / "a", DEALS, seed=1, prefix="006", users=False)
    second = salesforce_folder(tmp_path / "b", DEALS, seed=2, prefix="007", users=False)
    init_workspace(db_url, actor).close()
    running = [sqo(db_url, "import", "salesforce", str(f)) for f in (first, second)]
    results = [finished(p) for p in running]
    assert [code for code, _err in results] == [0, 0], results
    assert not any("Traceback" in err for _code, err in results)
    assert counts(db_url) == (2 * DEALS, 7, 0)


def test_deals_added_during_an_import_get_their_own_ids(
    db_url: str, tmp_path: Path, actor: Actor
) -> None:
    folder = salesforce_folder(tmp_path / "a", 2 * DEALS, seed=3, users=False)
    ws = init_workspace(db_url, actor)
    directory.add_rep(ws, actor, "Ann Lee")
    importing = sqo(db_url, "import", "salesforce", str(folder))
    added = 0
    while importing.poll() is None and added < 300:
        # On SQLite each waits for the import's file to be written; on PostgreSQL it runs beside.
        opportunities.create_opportunity(ws, actor, name=f"By hand {added}", owner="Ann Lee")
        added += 1
        time.sleep(0.02)
    code, err = finished(importing)
    ws.close()
    assert (code, "Traceback" in err) == (0, False), err
    assert added > 0
    assert counts(db_url) == (2 * DEALS + added, 8, 0)


def test_a_write_that_waits_too_long_for_an_import_says_so(
    sqlite_url: str, actor: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transactions, "WRITE_WAIT", 1)
    ws = init_workspace(sqlite_url, actor)
    directory.add_rep(ws, actor, "Ann Lee")
    other = open_workspace(sqlite_url)
    with other.engine.connect() as connection:
        transactions.begin_write(connection)  # what an import holds while it writes a file
        with pytest.raises(WorkspaceError) as refused:
            opportunities.create_opportunity(ws, actor, name="Late", owner="Ann Lee")
    assert refused.value.message == (
        "Another process is writing to this workspace (most likely an import, which holds it "
        "until its file is written) and it did not finish within 1 seconds; nothing was "
        "changed. Try again when the import has finished."
    )
    other.close()
    ws.close()
