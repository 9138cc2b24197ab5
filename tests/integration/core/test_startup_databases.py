"""What `--db` can point at: PostgreSQL URLs as users paste them, databases sqo does not support,
files that are not workspaces, a workspace in a read-only folder, an interrupted demo file."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from sqo.cli.app import run
from sqo.domain.actor import Actor
from sqo.services import directory, opportunities
from sqo.services.workspace import init_workspace


def sqo(capsys: pytest.CaptureFixture[str], *arguments: str) -> tuple[int, str]:
    code = run(list(arguments))
    captured = capsys.readouterr()
    return code, (captured.err or captured.out).strip()


@pytest.mark.postgres
@pytest.mark.parametrize("scheme", ["postgres", "postgresql"])
def test_postgres_urls_as_users_paste_them(
    scheme: str, postgres_url: str, actor: Actor, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = init_workspace(postgres_url, actor)
    directory.add_rep(ws, actor, "Ann Lee")
    ws.close()
    pasted = scheme + "://" + postgres_url.split("://", 1)[1]
    code, out = sqo(capsys, "--db", pasted, "rep", "list", "--json")
    assert code == 0
    assert '"Ann Lee"' in out


@pytest.mark.parametrize(
    ("url", "scheme"),
    [
        ("mysql://u@host/db", "mysql"),
        ("oracle://u@host/db", "oracle"),
        ("mssql+pyodbc://x", "mssql+pyodbc"),
    ],
)
def test_an_unsupported_database_is_one_sentence(
    url: str, scheme: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert sqo(capsys, "--db", url, "opp", "list") == (
        6,
        "Error: sqo works with SQLite files and PostgreSQL databases "
        f"(postgresql://user@host/name), not {scheme}; give a file path or a PostgreSQL URL "
        "with --db.",
    )


def test_a_file_that_is_not_a_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(os.urandom(4096))
    assert sqo(capsys, "--db", str(path), "opp", "list") == (
        6,
        f"Error: {path} is not a database; give the path of an sqo workspace with --db, or "
        "create one with 'sqo init'.",
    )
    assert sqo(capsys, "--db", str(tmp_path), "opp", "list") == (
        6,
        f"Error: {tmp_path} is a folder, not a workspace file; give a file path with --db.",
    )
    assert sqo(capsys, "--db", "/dev/zero", "opp", "list") == (
        6,
        "Error: /dev/zero is not a regular file; give a workspace file with --db.",
    )


def _read_only(folder: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    """Run `sqo` with ``folder`` mounted read-only (as root no file mode stops a write)."""
    command = " ".join(f"'{a}'" for a in [sys.executable, "-m", "sqo", *arguments])
    return subprocess.run(
        ["unshare", "-m", "sh", "-c", f"mount --bind -o ro '{folder}' '{folder}' && {command}"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": os.getcwd(), "SQO_LANG": "en"},
        timeout=60,
        check=False,
    )


def test_a_workspace_in_a_read_only_folder(tmp_path: Path, actor: Actor) -> None:
    folder = tmp_path / "shared"
    folder.mkdir()
    db = folder / "team.db"
    ws = init_workspace(str(db), actor)
    directory.add_rep(ws, actor, "Ann Lee")
    opportunities.create_opportunity(ws, actor, name="Deal", owner="Ann Lee", amount="100")
    ws.close()
    before = db.read_bytes()

    shown = _read_only(folder, "--db", str(db), "opp", "list", "--json")
    assert (shown.returncode, shown.stderr) == (0, "")
    assert '"Deal"' in shown.stdout
    funnel = _read_only(folder, "--db", str(db), "funnel", "--json")
    assert funnel.returncode == 0, funnel.stderr
    refused = _read_only(folder, "--db", str(db), "rep", "add", "Bo Berg")
    assert (refused.returncode, refused.stderr.strip()) == (
        7,
        f"Error: the folder {folder} is read-only, so sqo can read this workspace but not "
        "change it; nothing was changed. Copy the workspace to a folder you can write to.",
    )
    assert db.read_bytes() == before


def test_an_empty_demo_file_is_rebuilt_and_a_workspace_kept(
    tmp_path: Path, actor: Actor, capsys: pytest.CaptureFixture[str]
) -> None:
    from sqo.services.demo import _check_replaceable

    empty = tmp_path / "empty.db"
    empty.touch()  # what a build interrupted before its first write left
    assert _check_replaceable(str(empty)) == empty
    leftover = tmp_path / ".empty.db.building"  # a build killed outright (SIGKILL)
    leftover.write_bytes(b"half")
    real = tmp_path / "real.db"
    ws = init_workspace(str(real), actor)
    directory.add_rep(ws, actor, "Ann Lee")
    ws.close()
    code, message = sqo(capsys, "--db", str(real), "demo", "--no-serve")
    assert (code, message) == (
        6,
        f"Error: {real} is a real workspace, not a demo; the demo will not overwrite it. "
        "Choose another file with --db.",
    )
    with sqlite3.connect(real) as connection:
        assert connection.execute("SELECT name FROM reps").fetchall() == [("Ann Lee",)]
    assert shutil.which("unshare")  # the read-only test above needs it


def test_a_server_that_is_not_there_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    # Port 1 on loopback: nothing listens there, so psycopg refuses with its two-line message.
    code, out = sqo(capsys, "--db", "postgres://nobody@127.0.0.1:1/crm", "pipeline")
    assert code == 6
    assert out.splitlines() == [
        "Error: Cannot open the database 127.0.0.1:1/crm: connection failed: connection to server "
        'at "127.0.0.1", port 1 failed: Connection refused'
    ]
