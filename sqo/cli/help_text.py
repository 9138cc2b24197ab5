"""Translating the command line's own help (command descriptions and option help).

Typer builds help from docstrings and ``help=`` strings when the modules are imported, before the
language is known; so the English texts are the message ids, and the built command tree is
translated in place once the language is chosen (``--lang`` or ``SQO_LANG``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqo import i18n


def language_from_arguments(arguments: list[str]) -> str | None:
    """The value of ``--lang`` / ``--lang=xx`` among the arguments, if any."""
    for index, argument in enumerate(arguments):
        if argument == "--lang" and index + 1 < len(arguments):
            return arguments[index + 1]
        if argument.startswith("--lang="):
            return argument.split("=", 1)[1]
    return None


def walk(command: Any, *, load: bool = False) -> Iterator[Any]:
    """The command and every sub-command below it: those built so far, or with ``load`` every
    one (the root imports its commands only when they run, see ``sqo.cli.registry``)."""
    yield command
    if load and hasattr(command, "list_commands"):
        subs = [command.get_command(None, name) for name in command.list_commands(None)]
    else:
        subs = list(getattr(command, "commands", {}).values())
    for sub in subs:
        yield from walk(sub, load=load)


def help_texts(command: Any) -> Iterator[str]:
    """Every help text of a command tree, as written in the code (the message ids)."""
    for item in walk(command, load=True):
        if item.help:
            yield normalise(item.help)
        for param in item.params:
            text = getattr(param, "help", None)
            if text:
                yield normalise(text)


def normalise(text: str) -> str:
    """Docstrings are indented and wrapped; their message id is the text on one line."""
    return " ".join(text.split())


def translate(command: Any) -> None:
    """Replace every help text in the tree by its translation in the current language."""
    if i18n.current_language() == "en":
        return
    for item in walk(command):
        if item.help:
            item.help = i18n._(normalise(item.help))
            item.short_help = None
        for param in item.params:
            if getattr(param, "help", None):
                param.help = i18n._(normalise(param.help))
