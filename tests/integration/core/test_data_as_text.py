"""Data is text: names that look like Rich markup and control characters in imported text are
printed as typed (control characters as visible escapes), never interpreted."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from sqo.cli import output
from sqo.cli.app import app

runner = CliRunner()

DEAL = "[/]"
REP = "[red]Ann"
ACCOUNT = "Acme [link=http://x]y"
NEXT_STEP = "Call\x1b[2Jback"  # the escape clears a terminal's screen
EMOJI = "Ship :rocket: it"


def sqo(db: str, *args: str) -> str:
    # wide enough that no name wraps inside a table cell
    result = runner.invoke(app, ["--db", db, "--as", "ann", *args], env={"COLUMNS": "240"})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = str(tmp_path / "text.db")
    sqo(path, "init")
    sqo(path, "rep", "add", REP)
    sqo(path, "account", "add", ACCOUNT)
    sqo(path, "opp", "add", DEAL, "--owner", REP, "--account", ACCOUNT, "--next-step", NEXT_STEP)
    sqo(path, "opp", "add", EMOJI)
    return path


def test_a_name_that_looks_like_markup_is_listed_as_typed(db: str) -> None:
    listed = sqo(db, "opp", "list")
    assert DEAL in listed and REP in listed and EMOJI in listed


def test_a_name_that_looks_like_markup_is_shown_as_typed(db: str) -> None:
    shown = sqo(db, "opp", "show", "1")
    assert shown.splitlines()[0] == "[/]  (#1, v1)"
    assert REP in shown and ACCOUNT in shown


def test_history_prints_markup_and_escapes_as_text(db: str) -> None:
    history = sqo(db, "history", "1")
    assert "\x1b" not in history
    assert "Call\\x1b[2Jback" in history
    assert DEAL in history or REP in history


def test_control_characters_reach_the_terminal_as_escapes(db: str) -> None:
    shown = sqo(db, "opp", "show", "1")
    assert "\x1b" not in shown
    assert "Call\\x1b[2Jback" in shown
    listed = sqo(db, "account", "list")
    assert ACCOUNT in listed


def test_visible_writes_every_control_character_as_its_escape() -> None:
    assert (
        output.visible("a\x00b\x07c\rd\x7fe\x9bf\u202eg")
        == "a\\x00b\\x07c\\x0dd\\x7fe\\x9bf\\u202eg"
    )
    assert output.visible("line\nnext\ttab [b]ÅÄÖ") == "line\nnext\ttab [b]ÅÄÖ"
