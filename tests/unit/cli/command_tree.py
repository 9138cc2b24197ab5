"""The whole `sqo` command tree, loaded (the root imports its commands only when they run)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import typer
import typer.main

# Click's own option on every command: documented once, not per command.
BUILT_IN = frozenset({"--help"})


@dataclass(frozen=True)
class Command:
    path: str  # as typed: "sqo opp list"
    command: Any

    @property
    def options(self) -> list[str]:
        """Every long option (and its --no- form), as typed."""
        found = []
        for param in self.command.params:
            if param.param_type_name != "option":
                continue
            found += [o for o in (*param.opts, *param.secondary_opts) if o.startswith("--")]
        return [o for o in found if o not in BUILT_IN]


def commands(app: typer.Typer, name: str = "sqo") -> Iterator[Command]:
    """The root and every command and group below it, each with the path a user types."""
    yield from _walk(typer.main.get_command(app), name)


def _walk(command: Any, path: str) -> Iterator[Command]:
    yield Command(path, command)
    if hasattr(command, "list_commands"):
        for name in command.list_commands(None):
            yield from _walk(command.get_command(None, name), f"{path} {name}")


def missing_help(app: typer.Typer, name: str = "sqo") -> list[str]:
    """Every command, option and argument without help text."""
    missing = []
    for item in commands(app, name):
        if not (item.command.help or "").strip():
            missing.append(item.path)
        for param in item.command.params:
            label = param.opts[0] if param.param_type_name == "option" else param.name.upper()
            if label not in BUILT_IN and not (getattr(param, "help", None) or "").strip():
                missing.append(f"{item.path} {label}")
    return missing


def sections(text: str) -> dict[str, str]:
    """The reference's sections by the command their heading names in backticks."""
    found: dict[str, str] = {}
    current = None
    for line in text.splitlines():
        if line.startswith("#") and "`" in line:
            current = line.split("`")[1]
            found[current] = ""
        elif current is not None:
            found[current] += line + "\n"
    return found


def undocumented(app: typer.Typer, text: str, name: str = "sqo") -> list[str]:
    """Every command without its own section in ``text``, and every option its section does not
    mention."""
    documented = sections(text)
    missing = []
    for item in commands(app, name):
        if item.path not in documented:
            missing.append(item.path)
            continue
        body = documented[item.path]
        missing += [f"{item.path} {o}" for o in item.options if f"`{o}" not in body]
    return missing
