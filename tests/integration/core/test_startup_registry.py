"""The lazy command registry: `sqo --help` lists every command without importing any of them,
in the words each command uses for itself, translated."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest
import typer.main

from sqo import i18n
from sqo.cli import registry
from sqo.cli.app import app, run
from sqo.cli.help_text import normalise

HEAVY = ("sqlalchemy", "duckdb", "pandas", "pyarrow", "sqo.services", "sqo.cli.analytics")


def imported_after(*arguments: str) -> set[str]:
    """The modules a real `sqo` process has imported when it exits."""
    code = (
        "import sys\nfrom sqo.cli.app import run\n"
        f"run({list(arguments)!r})\n"
        "print('\\n'.join(sorted(sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": os.getcwd()},
        check=True,
        timeout=60,
    )
    return set(result.stdout.split())


def test_help_imports_no_command_module() -> None:
    loaded = imported_after("--help")
    assert sorted(m for m in loaded if m.startswith(HEAVY)) == []


def test_a_command_imports_only_its_own_module() -> None:
    loaded = imported_after("--db", "/nonexistent/x.db", "opp", "show", "1")
    assert "sqo.cli.opportunities" in loaded
    unneeded = ("duckdb", "pandas", "pyarrow", "sqo.cli.analytics", "sqo.cli.imports")
    assert sorted(m for m in loaded if m.startswith(unneeded)) == []


def test_each_listed_help_is_the_commands_own() -> None:
    root: Any = typer.main.get_command(app)
    for name, entry in registry.COMMANDS.items():
        command = root.get_command(None, name)
        assert command is not None
        assert normalise(command.help or "").startswith(entry.help), name


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--help"]) == 0
    shown = capsys.readouterr().out
    for name in registry.COMMANDS:
        assert f" {name} " in shown


def test_help_lists_commands_in_swedish(capsys: pytest.CaptureFixture[str]) -> None:
    try:
        assert run(["--lang", "sv", "--help"]) == 0
    finally:
        i18n.set_language(None)
    shown = " ".join(capsys.readouterr().out.split())
    assert "Skapa, lista, visa och redigera affärsmöjligheter." in shown


def test_a_mistyped_command_is_suggested_among_all(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["funel"]) == 2
    assert capsys.readouterr().err.strip() == (
        "Error: No such command 'funel'. Did you mean 'funnel'? See 'sqo --help'."
    )


def _built_subcommands(arguments: list[str]) -> list[str]:
    """The subcommands Typer built for the group named first in ``arguments``."""
    root: Any = typer.main.get_command(app)
    root.resolve_command(None, arguments)
    return sorted(root.commands[arguments[0]].commands)


def test_a_subcommand_builds_only_itself_and_the_group_still_lists_all() -> None:
    assert _built_subcommands(["opp", "show", "1"]) == ["show"]
    everything = _built_subcommands(["opp", "--help"])
    assert {"add", "list", "move", "show", "update"} <= set(everything)
    # A mistyped name, or a group option first, builds the whole group (to suggest, to parse).
    assert _built_subcommands(["opp", "shw"]) == everything


def test_one_process_runs_two_subcommands_of_a_group(
    tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "w.db")
    assert run(["--db", db, "init"]) == 0
    assert run(["--db", db, "opp", "add", "Acme – 200 seats", "--json"]) == 0
    assert run(["--db", db, "opp", "list", "--json"]) == 0
    assert "Acme – 200 seats" in capsys.readouterr().out
