"""Every command and option explains itself, in `--help` and in docs/cli.md (as sqlite-utils'
tests/test_docs.py does): a new option without help or without a line in the reference fails
here, not in a user's hands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pytest
import typer

from sqo.cli.app import app
from tests.unit.cli.command_tree import commands, missing_help, sections, undocumented

REFERENCE = Path(__file__).resolve().parents[3] / "docs" / "cli.md"


def test_the_whole_tree_is_walked() -> None:
    """The root loads its commands lazily: the walk must reach the groups' own commands."""
    paths = {c.path for c in commands(app)}
    assert {"sqo", "sqo funnel", "sqo opp list", "sqo import csv", "sqo quota set"} <= paths
    assert len(paths) > 50


def test_every_command_option_and_argument_has_help() -> None:
    assert missing_help(app) == []


def test_every_command_and_option_is_in_the_reference() -> None:
    assert undocumented(app, REFERENCE.read_text(encoding="utf-8")) == []


def test_the_reference_names_no_command_that_does_not_exist() -> None:
    documented = set(sections(REFERENCE.read_text(encoding="utf-8")))
    assert documented - {c.path for c in commands(app)} == set()


# The checks themselves, on a small app: each can fail.

toy = typer.Typer(add_completion=False, help="A small app.")


@toy.command("said")
def said(
    loud: Annotated[bool, typer.Option("--loud", help="Shout.")] = False,
) -> None:
    """Say something."""


@toy.command("silent")
def silent(
    quiet: Annotated[bool, typer.Option("--quiet")] = False,
    name: Annotated[str, typer.Argument()] = "x",
) -> None:
    pass


def test_a_command_or_option_without_help_is_found() -> None:
    assert missing_help(toy, "toy") == ["toy silent", "toy silent --quiet", "toy silent NAME"]


@pytest.mark.parametrize(
    ("text", "missing"),
    [
        ("## `toy`\n## `toy said`\n`--loud` shouts\n## `toy silent`\n`--quiet`\n", []),
        ("## `toy`\n## `toy said`\nshouts\n## `toy silent`\n`--quiet`\n", ["toy said --loud"]),
        ("## `toy`\n## `toy said`\n`--loud`\n", ["toy silent"]),
        # An option named in another command's section does not document this one's.
        (
            "## `toy`\n## `toy said`\n`--quiet`\n## `toy silent`\n`--loud`\n",
            ["toy said --loud", "toy silent --quiet"],
        ),
    ],
    ids=["complete", "option-missing", "command-missing", "wrong-section"],
)
def test_a_command_or_option_missing_from_the_reference_is_found(
    text: str, missing: list[str]
) -> None:
    assert undocumented(toy, text, "toy") == missing
