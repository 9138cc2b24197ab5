"""An export taken while someone writes is a snapshot: restored, every record equals the replay
of its history (on SQLite and PostgreSQL). A restore refuses an export whose records disagree
with their history, naming the first one, and writes nothing."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from sqo.domain.actor import Actor
from sqo.domain.history import RecordType
from sqo.io.export import DamagedExport
from sqo.services.exports import export_workspace
from sqo.services.imports import known_keys, run_import
from sqo.services.restore import restore_export
from sqo.services.workspace import init_workspace, open_workspace
from sqo.store import tables as t
from sqo.store.consistency import disagreements
from tests.reliability_data import salesforce_folder

EXPORTS = 2

WRITER = textwrap.dedent("""
    import random, sys
    from sqo.domain.actor import Actor
    from sqo.services import opportunities
    from sqo.services.workspace import open_workspace
    ws = open_workspace(sys.argv[1])
    actor = Actor("writer")
    rng = random.Random(5)
    ids = [o.id for o in opportunities.list_opportunities(ws, actor, limit=None)]
    print("ready", flush=True)
    while True:
        opportunities.update_opportunity(ws, actor, rng.choice(ids),
                                         amount=str(rng.randrange(100, 10**6)))
""")


def _imported(db: str, folder: Path, actor: Actor) -> None:
    from sqo.io import salesforce
    from sqo.io.salesforce_files import salesforce_files

    ws = init_workspace(db, actor)
    reader = salesforce.SalesforceReader(
        ws.stage_model,
        datetime(2026, 1, 5),
        "USD",
        salesforce.DEFAULT_STAGES,
        salesforce.DEFAULT_LEAD_STATUSES,
    )
    run_import(ws, actor, "salesforce", salesforce_files(folder, reader, known_keys(ws)))
    ws.close()


def test_exports_taken_under_a_writer_restore_consistently(
    db_url: str, tmp_path: Path, actor: Actor
) -> None:
    _imported(db_url, salesforce_folder(tmp_path / "sf", 1000, seed=9), actor)
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, db_url],
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": os.getcwd()},
    )
    assert writer.stdout is not None
    try:
        assert writer.stdout.readline().strip() == b"ready"
        source = open_workspace(db_url)
        for n in range(EXPORTS):
            export_workspace(source, actor, tmp_path / f"export-{n}")
        source.close()
    finally:
        writer.kill()
        writer.wait()
    for n in range(EXPORTS):
        copy = init_workspace(str(tmp_path / f"copy-{n}.db"), actor)
        restore_export(copy, actor, tmp_path / f"export-{n}")
        with copy.engine.connect() as connection:
            assert disagreements(connection, RecordType.OPPORTUNITY)[0] == 0
            deals = connection.execute(select(func.count()).select_from(t.opportunities))
            assert deals.scalar_one() == 1000
        copy.close()


def test_a_restore_refuses_records_that_disagree_with_their_history(
    tmp_path: Path, actor: Actor
) -> None:
    db = str(tmp_path / "source.db")
    _imported(db, salesforce_folder(tmp_path / "sf", 50, seed=4), actor)
    source = open_workspace(db)
    export_workspace(source, actor, tmp_path / "export")
    source.close()
    deals = tmp_path / "export" / "opportunities.csv"
    lines = deals.read_text(encoding="utf-8").splitlines(keepends=True)
    header = lines[0].rstrip("\r\n").split(",")
    cells = lines[3].rstrip("\r\n").split(",")
    position = header.index("stage")
    record_id, stage = cells[0], cells[position]
    cells[position] = "Closed Lost" if stage != "Closed Lost" else "Prospecting"
    lines[3] = ",".join(cells) + "\r\n"
    deals.write_text("".join(lines), encoding="utf-8")

    copy = init_workspace(str(tmp_path / "copy.db"), actor)
    with pytest.raises(DamagedExport) as refused:
        restore_export(copy, actor, tmp_path / "export")
    assert refused.value.message.startswith(
        f"1 opportunity record(s) in the export disagree with their exported history (the "
        f"first: id {record_id}, field stage is "
    )
    with copy.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(t.opportunities)).scalar() == 0
    copy.close()
