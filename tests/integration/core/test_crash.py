"""A process killed with SIGKILL in the middle of writing leaves a consistent workspace:
every committed change is there with its history, nothing half-written is."""

import os
import signal
import subprocess
import sys
import textwrap
import time

from sqlalchemy import text

from sqo.domain.history import RecordType, decode_state, replay
from sqo.services import opportunities
from sqo.services.workspace import open_workspace

WRITER = textwrap.dedent("""
    import sys
    from sqo.domain.actor import Actor
    from sqo.services import directory, opportunities
    from sqo.services.workspace import init_workspace
    actor = Actor("crash-test")
    ws = init_workspace(sys.argv[1], actor)
    directory.add_rep(ws, actor, "Ann Lee")
    print("ready", flush=True)
    i = 0
    while True:
        i += 1
        opp = opportunities.create_opportunity(ws, actor, name=f"Deal {i}", owner="Ann Lee",
                                               amount=str(i * 100))
        opportunities.move_opportunity(ws, actor, opp.id, "SQO", justification="x" * 40)
        opportunities.update_opportunity(ws, actor, opp.id, amount=str(i * 100 + 1))
""")


def test_sigkill_mid_write_leaves_the_workspace_consistent(tmp_path, actor):
    db = str(tmp_path / "crash.db")
    process = subprocess.Popen(
        [sys.executable, "-c", WRITER, db],
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": os.getcwd()},
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == b"ready"
    time.sleep(1.5)
    process.send_signal(signal.SIGKILL)
    process.wait()

    ws = open_workspace(db)
    with ws.unit_of_work() as uow:
        assert uow.connection.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
    found = opportunities.list_opportunities(ws, actor, limit=None)
    assert len(found) > 5, "the writer should have committed a few deals before the kill"
    with ws.unit_of_work() as uow:
        for opp in found:
            state = decode_state(
                replay(uow.history.for_record(RecordType.OPPORTUNITY, opp.id)),
                RecordType.OPPORTUNITY,
            )
            assert (state["stage"], state["amount_cents"]) == (opp.stage, opp.amount_cents)
            # each deal is written by three separate commands; any prefix of them is consistent
            assert opp.version in (1, 2, 3)
            assert (opp.stage == "SQO") == (opp.version >= 2)
    ws.close()
