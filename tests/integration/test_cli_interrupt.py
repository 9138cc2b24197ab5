"""Ctrl-C at any moment: one line, exit 130, and the workspace as it was.

Real `sqo` processes get a real SIGINT: while the command modules are still loading, and in the
middle of building the demo (which writes a whole workspace).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from sqo.domain.actor import Actor
from sqo.services import directory, opportunities
from sqo.services.workspace import init_workspace

MESSAGE = "Interrupted; nothing was changed."


def _as_from_a_terminal() -> None:
    # A job started in the background by a non-interactive shell (CI's, say) inherits SIGINT
    # ignored, and Python then never sees the Ctrl-C; a user's terminal delivers it.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start(*arguments: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": os.getcwd(), "SQO_LANG": "en"}
    return subprocess.Popen(
        [sys.executable, "-m", "sqo", *arguments],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        preexec_fn=_as_from_a_terminal,
    )


def loaded(process: subprocess.Popen[str], library: str) -> None:
    """Wait until the process has loaded a C extension: a moment known to be inside sqo's own
    start-up (``_decimal``: the CLI's modules are loading; ``_sqlite3``: the command's)."""
    deadline = time.monotonic() + 30
    maps = Path(f"/proc/{process.pid}/maps")
    while library not in maps.read_text():
        assert process.poll() is None, "the command ended before it was interrupted"
        assert time.monotonic() < deadline
        time.sleep(0.002)


def interrupt(process: subprocess.Popen[str], after: float | str) -> tuple[int, str]:
    if isinstance(after, str):
        loaded(process, after)
    else:
        time.sleep(after)
    process.send_signal(signal.SIGINT)
    _out, err = process.communicate(timeout=60)
    return process.returncode, err


def rows(db: Path, table: str) -> int:
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        count = connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    assert isinstance(count, int)
    return count


def test_ctrl_c_while_a_command_loads_is_one_line(tmp_path: Path) -> None:
    db = tmp_path / "w.db"
    actor = Actor("test")
    ws = init_workspace(str(db), actor)
    directory.add_rep(ws, actor, "Ann Lee")
    opportunities.create_opportunity(ws, actor, name="Deal", owner="Ann Lee", amount="100")
    ws.close()
    for moment in ("_decimal", "_sqlite3"):  # while the CLI loads; while the command loads
        code, err = interrupt(start("--db", str(db), "opp", "add", "New deal"), moment)
        assert (code, err.strip()) == (130, MESSAGE)
    assert rows(db, "opportunities") == 1  # nothing was added


def test_ctrl_c_during_the_demo_build_leaves_the_previous_demo(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    actor = Actor("test")
    ws = init_workspace(str(db), actor)  # a small stand-in for an earlier demo
    directory.add_rep(ws, actor, "Ann Lee")
    opportunities.create_opportunity(ws, actor, name="Earlier demo deal", owner="Ann Lee")
    with ws.unit_of_work() as uow:
        uow.settings.put("demo", {"seed": 7, "today": "2026-01-15"})
        uow.commit()
    ws.close()

    code, err = interrupt(start("--db", str(db), "demo", "--no-serve"), 2.0)
    assert "Traceback" not in err
    assert (code, err.strip()) == (130, MESSAGE)
    assert rows(db, "opportunities") == 1  # the previous demo, whole
    assert [p.name for p in tmp_path.iterdir() if "building" in p.name] == []
