"""The analytics copy's folder full or read-only: analytics fall back to the workspace database
(the same figures, no traceback), as docs/analytics.md promises; ``refresh-analytics``, which
exists to write the copy, says so in one sentence."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sqo.cli.app import app
from tests.fault_runner import run_sqo

runner = CliRunner()
FULL = "fsize=1000000"  # the workspace file fits; the copy (about 1.8 MB) does not


@pytest.fixture(autouse=True)
def analytics_reads() -> Iterator[str]:
    """These tests choose where analytics read themselves (replaces the two-way conftest run)."""
    yield "fault"


def sqo(db: Path, *args: str) -> None:
    result = runner.invoke(app, ["--db", str(db), "--as", "ann", *args])
    assert result.exit_code == 0, result.output


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "faults.db"
    sqo(path, "init")
    sqo(path, "rep", "add", "Ann Lee")
    for n in range(1, 6):
        sqo(path, "opp", "add", f"Deal {n}", "--owner", "Ann Lee", "--amount", str(1000 * n))
        sqo(path, "move", str(n), "SQO", "--justify", "Budget confirmed with the CFO on Monday")
    sqo(path, "move", "1", "Won")
    sqo(path, "move", "2", "Lost", "--loss-reason", "Price")
    return path


def funnel(db: Path, mode: str, folder: Path, copy: str = "always") -> tuple[int, str, str]:
    env = {"SQO_ANALYTICS_DIR": str(folder), "SQO_ANALYTICS_COPY": copy}
    done = run_sqo(mode, "--db", str(db), "funnel", env=env)
    return done.returncode, done.stdout, done.stderr


def expected(db: Path, tmp_path: Path) -> str:
    code, out, err = funnel(db, "none", tmp_path / "unused", copy="off")
    assert code == 0, err
    return out


def read_only(folder: Path) -> Path:
    folder.mkdir(exist_ok=True)
    folder.chmod(0o555)
    return folder


def test_a_read_only_folder_with_a_stale_copy_falls_back(db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "copies"
    folder.mkdir()
    assert funnel(db, "none", folder)[0] == 0  # the copy is built
    sqo(db, "move", "3", "Won")  # the copy is now behind the workspace
    want = expected(db, tmp_path)
    try:
        code, out, err = funnel(db, "read-only", read_only(folder))
    finally:
        folder.chmod(0o755)
    assert (code, err) == (0, "")
    assert out == want


def test_a_read_only_folder_without_a_copy_falls_back(db: Path, tmp_path: Path) -> None:
    want = expected(db, tmp_path)
    parent = read_only(tmp_path / "sealed")
    try:
        for folder in (parent, parent / "copies"):  # the copy, or its folder, cannot be made
            code, out, err = funnel(db, "read-only", folder)
            assert code == 0 and "Traceback" not in err, err
            assert out.endswith(want)
    finally:
        parent.chmod(0o755)
    assert list(parent.iterdir()) == []


def test_refresh_analytics_in_a_read_only_folder_is_one_sentence(db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "copies"
    folder.mkdir()
    assert funnel(db, "none", folder)[0] == 0
    sqo(db, "move", "3", "Won")
    env = {"SQO_ANALYTICS_DIR": str(read_only(folder)), "SQO_ANALYTICS_COPY": "always"}
    try:
        done = run_sqo("read-only", "--db", str(db), "refresh-analytics", env=env)
    finally:
        folder.chmod(0o755)
    assert done.returncode == 6, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: The analytics copy ")
    assert "cannot be written" in lines[0] and "free some space" in lines[0]


def test_a_full_folder_falls_back(db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "copies"
    folder.mkdir()
    assert funnel(db, "none", folder)[0] == 0
    sqo(db, "move", "3", "Won")  # the copy is behind, and has no room to catch up
    want = expected(db, tmp_path)
    for _attempt in range(2):  # and the copy the first attempt left behind does not break it
        code, out, err = funnel(db, FULL, folder)
        assert code == 0 and "Traceback" not in err, err
        assert out.endswith(want)
