"""The command line is a face over the services: it imports only services, domain, i18n, the
reports (documents rendered from service results, shared with the web app) and its own modules,
never the store, analytics or io layers, and never opens a unit of work itself.

A route or a web page must be able to offer every use case the CLI offers without copying CLI
code; a CLI module that reaches past the services holds logic a route would have to copy.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import sqo.cli

CLI = Path(sqo.cli.__file__).parent
ALLOWED = ("sqo.services", "sqo.domain", "sqo.i18n", "sqo.cli", "sqo.reports")
REPORTS = Path(sqo.cli.__file__).parent.parent / "reports"
REPORTS_ALLOWED = ("sqo.services", "sqo.domain", "sqo.i18n", "sqo.reports")
FORBIDDEN_TEXT = ("from sqo.store", "from sqo.analytics", "unit_of_work")


def _modules() -> list[Path]:
    return sorted(CLI.glob("*.py"))


def _sqo_imports(path: Path) -> list[tuple[int, str]]:
    """Every ``sqo.*`` module the file imports, at the top or inside a function."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        found += [(node.lineno, name) for name in names if name.split(".")[0] == "sqo"]
    return found


def _allowed(name: str) -> bool:
    return name == "sqo" or any(name == a or name.startswith(a + ".") for a in ALLOWED)


def test_every_cli_module_is_checked() -> None:
    names = {p.name for p in _modules()}
    assert {"app.py", "analytics.py", "workspace.py", "records.py", "imports.py"} <= names


@pytest.mark.parametrize("path", _modules(), ids=lambda p: p.name)
def test_the_cli_imports_only_services_domain_i18n_and_itself(path: Path) -> None:
    wrong = [
        f"{path.name}:{line} imports {name}"
        for line, name in _sqo_imports(path)
        if not _allowed(name)
    ]
    assert wrong == []


@pytest.mark.parametrize("path", _modules(), ids=lambda p: p.name)
def test_the_cli_neither_reaches_the_store_nor_opens_a_unit_of_work(path: Path) -> None:
    """What ``grep -r "from sqo.store\\|from sqo.analytics\\|unit_of_work" sqo/cli`` finds."""
    lines = path.read_text(encoding="utf-8").splitlines()
    hits = [
        f"{path.name}:{number}: {line.strip()}"
        for number, line in enumerate(lines, start=1)
        if any(text in line for text in FORBIDDEN_TEXT)
    ]
    assert hits == []


@pytest.mark.parametrize("path", sorted(REPORTS.glob("*.py")), ids=lambda p: p.name)
def test_the_reports_import_only_services_domain_i18n_and_themselves(path: Path) -> None:
    """A rendering reads a service's result; it never queries or writes by itself."""
    wrong = [
        f"{path.name}:{line} imports {name}"
        for line, name in _sqo_imports(path)
        if name != "sqo" and not any(name == a or name.startswith(a + ".") for a in REPORTS_ALLOWED)
    ]
    assert wrong == []


def test_the_checks_can_fail(tmp_path: Path) -> None:
    """The two checks see what they look for (a test that cannot fail proves nothing)."""
    module = tmp_path / "reaching.py"
    module.write_text(
        "from sqo.store.database import sqlite_path\n"
        "import sqo.io.mapping\n"
        "def f(ws):\n"
        "    from sqo.analytics import funnel\n"
        "    with ws.unit_of_work() as uow:\n"
        "        return uow\n",
        encoding="utf-8",
    )
    imported = [name for _, name in _sqo_imports(module)]
    assert [name for name in imported if not _allowed(name)] == [
        "sqo.store.database",
        "sqo.io.mapping",
        "sqo.analytics",
    ]
    text = module.read_text(encoding="utf-8")
    assert all(any(t in line for line in text.splitlines()) for t in FORBIDDEN_TEXT)
