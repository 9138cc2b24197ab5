"""Every command, given hostile arguments, answers with a sentence and a documented exit code:
never a traceback, never an unexpected exception.

The command tree is walked (so a new command is covered without editing this file); each option
and argument gets a few values from ``HOSTILE`` in turn, the others valid fillers. The command
line runs in-process through ``sqo.cli.app.run`` (what ``sqo`` runs, minus the last-resort
handler), so an exception that would reach a user fails here. Bytes that are not UTF-8 need a
real argv: a few cases run ``sqo`` as a subprocess.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.main

from sqo.cli.app import app, run
from sqo.domain.actor import Actor
from sqo.services import directory, leads, opportunities
from sqo.services.workspace import init_workspace

# The exit codes the README documents (1 is only Abort and the last-resort handler, and neither
# may happen here).
DOCUMENTED = {0, 2, 3, 4, 5, 6, 7, 8}
VALUES_PER_PARAMETER = 4
SKIPPED_FLAGS = {"live"}  # reaches out to Salesforce / HubSpot servers


def hostile(tmp: Path) -> list[str]:
    (tmp / "a-folder").mkdir(exist_ok=True)
    (tmp / "not-a-database.db").write_text("hello, I am not a database\n")
    return [
        "",
        " ",
        "x" * 5000,
        "%",
        "[/]",
        "-0",
        "1e308",
        "-1e308",
        "NaN",
        "inf",
        "12345678901234567890",
        "-12345678901234567890",
        "9999-12-31",
        "2026-02-30",
        "0001-01-01",
        "/dev/zero",
        str(tmp / "a-folder"),
        str(tmp / "missing.csv"),
        str(tmp / "not-a-database.db"),
        "💥 Ünïcødé",
        "'; DROP TABLE opportunities; --",
        "-1",
    ]


def fillers(tmp: Path) -> dict[str, str]:
    """Valid values for the parameters a case does not make hostile."""
    csv_file = tmp / "deals.csv"
    csv_file.write_text("Name,Amount\nDeal,100\n")
    mapping = tmp / "mapping.yaml"
    mapping.write_text("fields:\n  name: Name\n  amount: Amount\n")
    return {
        "opportunity_id": "1",
        "lead_id": "1",
        "record_id": "1",
        "stage": "Discovery",
        "name": "Hostile",
        "kind": "call",
        "amount": "100",
        "folder": str(tmp / "export-out"),
        "file": str(csv_file),
        "mapping": str(mapping),
        "path": str(mapping),
        "reference": "default",
        "segment": "smb",
        "criterion": "budget",
        "length": "20",
        "note": "a note",
        "period_from": "2026-01-01",
        "period_to": "2026-03-31",
    }


def leaves(command: Any, path: list[str]) -> Iterator[tuple[list[str], Any]]:
    if hasattr(command, "list_commands"):
        for name in command.list_commands(None):
            yield from leaves(command.get_command(None, name), [*path, name])
    else:
        yield path, command


def command_tree() -> list[tuple[list[str], Any]]:
    return list(leaves(typer.main.get_command(app), []))


def cases(path: list[str], command: Any, tmp: Path, offset: int) -> Iterator[list[str]]:
    """A few hostile values for each parameter in turn, every other parameter valid."""
    values = hostile(tmp)
    fill = fillers(tmp)
    params = [p for p in command.params if not getattr(p, "is_flag", False)]
    for index, param in enumerate(params):
        for k in range(VALUES_PER_PARAMETER):
            value = values[(offset + index * VALUES_PER_PARAMETER + k) % len(values)]
            arguments: list[str] = []
            options: list[str] = []
            for other in params:
                given = value if other is param else fill.get(other.name or "")
                if other.param_type_name == "argument":
                    arguments.append(given if given is not None else "1")
                elif other is param or other.required:
                    options += [other.opts[0], given if given is not None else "1"]
            yield [*path, *options, "--", *arguments] if arguments else [*path, *options]


@pytest.fixture(scope="module")
def hostile_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    db = folder / "hostile.db"
    actor = Actor("hostile-test")
    ws = init_workspace(str(db), actor)
    directory.add_rep(ws, actor, "Ann Lee")
    directory.add_account(ws, actor, "Acme", segment="smb")
    opportunities.create_opportunity(ws, actor, name="Deal", owner="Ann Lee", amount="1000")
    leads.create_lead(ws, actor, name="Lena Lead", company="Acme")
    ws.close()
    return db


TREE = command_tree()


@pytest.mark.parametrize(("path", "command"), TREE, ids=[" ".join(path) for path, _command in TREE])
def test_hostile_arguments_never_give_a_traceback(
    path: list[str],
    command: Any,
    hostile_workspace: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)  # a folder named "%" or "[/]" lands here, not in the checkout
    failures = []
    offset = TREE.index((path, command))
    for number, arguments in enumerate(cases(path, command, tmp_path, offset)):
        if path == ["demo"] and arguments[1:2] not in (["--today"],):
            continue  # a valid demo takes seconds: its hostile --today is what is checked here
        # Half the analytics cases read the workspace database instead of the analytics copy.
        monkeypatch.setenv("SQO_ANALYTICS_COPY", "off" if number % 2 else "always")
        line = ["--db", str(hostile_workspace), *arguments]
        try:
            code = run(line)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except Exception as exc:  # what a user would have seen as a traceback
            failures.append(f"{' '.join(line)!r}: {type(exc).__name__}: {exc}"[:400])
            continue
        output = capsys.readouterr()
        if "Traceback" in output.out + output.err or code not in DOCUMENTED:
            failures.append(f"{' '.join(line)!r}: exit {code}: {output.err[-300:]}")
    assert not failures, "\n".join(failures)


def test_the_tree_has_every_command_and_hundreds_of_cases(tmp_path: Path) -> None:
    names = {" ".join(path) for path, _command in TREE}
    assert {"opp show", "import csv", "funnel", "demo", "quota set", "playbook use"} <= names
    total = sum(len(list(cases(p, c, tmp_path, 0))) for p, c in TREE)
    assert total >= 609  # what the issue fuzzed


def sqo_bytes(*arguments: bytes) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONPATH": os.getcwd(), "SQO_LANG": "en"}
    return subprocess.run(
        [sys.executable, "-m", "sqo", *arguments],
        capture_output=True,
        env=env,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    "arguments",
    [
        [b"opp", b"show", b"\xff\xfe"],
        [b"rep", b"add", b"Ann \xc3\x28 Lee"],
        [b"opp", b"list", b"--owner", b"\x80"],
        [b"import", b"csv", b"\xe9t\xe9.csv", b"--mapping", b"m.yaml"],
    ],
)
def test_bytes_that_are_not_utf8_are_refused_in_one_sentence(
    arguments: list[bytes], hostile_workspace: Path
) -> None:
    result = sqo_bytes(b"--db", os.fsencode(hostile_workspace), *arguments)
    assert b"Traceback" not in result.stderr + result.stdout
    assert result.returncode == 2
    position = 3 + next(i for i, a in enumerate(arguments) if not _is_utf8(a))
    assert result.stderr.decode().strip() == (
        f"Error: argument {position} is not valid UTF-8 text; give names, values and paths "
        "as UTF-8."
    )


def _is_utf8(value: bytes) -> bool:
    try:
        value.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _run(line: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    try:
        code = run(line)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    return code, capsys.readouterr().err.strip()


# The cases that crashed before (issue 17 and issue 11), each with its exit code and sentence.
KNOWN = [
    (
        ["opp", "show", "12345678901234567890"],
        2,
        "Error: Invalid value for 'OPP': 12345678901234567890 is too large: sqo keeps whole "
        "numbers of up to 18 digits. See 'sqo opp show --help'.",
    ),
    (
        ["opp", "add", "Deal", "--campaign", "12345678901234567890"],
        2,
        "Error: a number given is too large to store (at most 18 digits); nothing was changed.",
    ),
    *[
        (
            arguments,
            2,
            f"Error: The {field} {value} is too large: sqo keeps amounts up to "
            "10,000,000,000,000 in any currency.",
        )
        for field, value, arguments in (
            ("amount", "1e308", ["opp", "add", "Deal", "--owner", "Ann Lee", "--amount", "1e308"]),
            ("amount", "1e30", ["opp", "update", "1", "--amount", "1e30"]),
            (
                "amount",
                "1e308",
                [
                    "quota",
                    "set",
                    "1e308",
                    "--from",
                    "2026-01-01",
                    "--to",
                    "2026-03-31",
                    "--rep",
                    "1",
                ],
            ),
            ("cost", "1e308", ["campaign", "add", "Launch", "--cost", "1e308"]),
            (
                "amount",
                "99999999999999999999",
                ["opp", "update", "1", "--amount", "99999999999999999999"],
            ),
        )
    ],
    (
        ["funnel", "--as-of", "9999-12-31"],
        2,
        "Error: Invalid value for '--as-of': '9999-12-31' is out of range: dates run from 1900 "
        "to 2999. See 'sqo funnel --help'.",
    ),
    (
        ["coverage", "--to", "9999-12-31"],
        2,
        "Error: Invalid value for '--to': '9999-12-31' is out of range: dates run from 1900 to "
        "2999. See 'sqo coverage --help'.",
    ),
    (
        ["import", "csv", "deals.csv", "--mapping", "/dev/zero"],
        2,
        "Error: Invalid value for '--mapping': /dev/zero is a device, not a file; give a file. "
        "See 'sqo import csv --help'.",
    ),
    (
        ["import", "salesforce", ".", "--stages", "/dev/zero"],
        2,
        "Error: Invalid value for '--stages': /dev/zero is a device, not a file; give a file. "
        "See 'sqo import salesforce --help'.",
    ),
    (
        ["import", "salesforce", ".", "--segments", "a-folder"],
        2,
        "Error: Invalid value for '--segments': a-folder is not a settings file (a YAML file "
        "of at most 10 MB). See 'sqo import salesforce --help'.",
    ),
    (
        ["demo", "--today", "2026-02-30"],
        2,
        "Error: Invalid --today '2026-02-30': write a date as YYYY-MM-DD, e.g. 2026-03-31.",
    ),
    (
        ["demo", "--today", "9999-12-31"],
        2,
        "Error: The demo's --today must be between 1990-01-01 and 2100-12-31, not 9999-12-31.",
    ),
]


@pytest.mark.parametrize(
    ("arguments", "code", "message"), KNOWN, ids=[" ".join(k[0]) for k in KNOWN]
)
def test_known_crashes_are_one_sentence(
    arguments: list[str],
    code: int,
    message: str,
    hostile_workspace: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a-folder").mkdir()
    (tmp_path / "deals.csv").write_text("Name\nDeal\n")
    assert _run(["--db", str(hostile_workspace), *arguments], capsys) == (code, message)


def test_stages_as_of_the_last_day_with_the_copy_off(
    hostile_workspace: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SQO_ANALYTICS_COPY", "off")
    code, message = _run(
        ["--db", str(hostile_workspace), "stages", "--as-of", "9999-12-31"], capsys
    )
    assert code == 2
    assert "'9999-12-31' is out of range: dates run from 1900 to 2999" in message
