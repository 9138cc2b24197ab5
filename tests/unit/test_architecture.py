"""The package's shape: no import cycles, and no long module without a reason.

Imports are read with ``ast`` from the source, not by importing it, so that every import counts:
module-level ones, those inside functions (a cycle hidden behind a lazy import is still a
cycle), and those under ``if TYPE_CHECKING:`` (two modules that know each other's types are
still one idea split in two). Relative imports are resolved against the importing module.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "sqo"
LONG = 400
REASON = "# Long because:"


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules(root: Path = PACKAGE) -> dict[str, Path]:
    return {module_name(path, root): path for path in sorted(root.rglob("*.py"))}


def imported(name: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules that ``name`` (at ``path``) imports, anywhere in its source."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                origin = ".".join([*base, *([node.module] if node.module else [])])
            else:
                origin = node.module or ""
            # ``from pkg import mod`` imports the module pkg.mod; ``from mod import name``, mod.
            targets = [
                f"{origin}.{alias.name}" if f"{origin}.{alias.name}" in known else origin
                for alias in node.names
            ]
        else:
            continue
        for target in targets:
            # ``import a.b.c`` of a name that is no module of ours: its nearest module.
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def import_graph(root: Path = PACKAGE) -> dict[str, set[str]]:
    found = modules(root)
    known = set(found)
    return {name: imported(name, path, known) for name, path in found.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each as one cycle
    through its members, starting at its first module in sorted order."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group: set[str] = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(group)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted((_one_cycle(graph, group) for group in groups), key=lambda c: c[0])


def _one_cycle(graph: dict[str, set[str]], group: set[str]) -> list[str]:
    """A shortest path from the group's first module back to itself, inside the group."""
    start = min(group)
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for nxt in sorted(graph[node] & group):
            if nxt == start:
                return [*paths[node], start]
            if nxt not in paths:
                paths[nxt] = [*paths[node], nxt]
                queue.append(nxt)
    raise AssertionError(f"no cycle through {start}")  # a strongly connected group has one


def long_without_reason(root: Path = PACKAGE) -> list[str]:
    """Modules over LONG lines without a ``# Long because:`` comment among their first lines
    (before the code starts: the docstring, the comments and the imports' preamble)."""
    found = []
    for path in sorted(root.rglob("*.py")):
        lines = path.read_text(encoding="utf-8").splitlines()
        if len(lines) <= LONG:
            continue
        head = lines[:30]
        if not any(line.startswith(REASON) and line[len(REASON) :].strip() for line in head):
            found.append(f"{path.relative_to(root.parent).as_posix()} ({len(lines)} lines)")
    return found


def test_no_import_cycles() -> None:
    found = cycles(import_graph())
    assert not found, "import cycles:\n" + "\n".join(" -> ".join(c) for c in found)


def test_no_long_module_without_a_reason() -> None:
    found = long_without_reason()
    assert not found, (
        f"modules over {LONG} lines: split them by idea, or say at the top why not "
        f"('{REASON} ...'):\n" + "\n".join(found)
    )


# The checks themselves, on small packages written for them: each must be able to fail.


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "pkg"
    for name, source in {"__init__.py": "", **files}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        (path.parent / "__init__.py").touch()
        path.write_text(source)
    return root


def test_a_cycle_through_a_function_level_relative_import_is_found(tmp_path: Path) -> None:
    root = _package(
        tmp_path,
        {
            "a.py": "from pkg.sub import b\n",
            "sub/b.py": "def f():\n    from .. import c\n",
            "c.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import pkg.a\n",
            "d.py": "from pkg.a import x\n",  # imports into the cycle, is not part of it
        },
    )
    assert cycles(import_graph(root)) == [["pkg.a", "pkg.sub.b", "pkg.c", "pkg.a"]]


def test_imports_without_a_cycle_pass(tmp_path: Path) -> None:
    root = _package(
        tmp_path,
        {"a.py": "from .b import x\nimport pkg.c\n", "b.py": "import os\nx = 1\n", "c.py": ""},
    )
    assert import_graph(root)["pkg.a"] == {"pkg.b", "pkg.c"}
    assert cycles(import_graph(root)) == []


def test_a_long_module_needs_its_reason_at_the_top(tmp_path: Path) -> None:
    body = "x = 1\n" * LONG
    root = _package(
        tmp_path,
        {
            "short.py": body,
            "long.py": body + "y = 2\n",
            "reasoned.py": '"""Doc."""\n\n# Long because: one frozen revision.\n' + body,
            "empty_reason.py": "# Long because:\n" + body,
        },
    )
    assert long_without_reason(root) == [
        "pkg/empty_reason.py (401 lines)",
        "pkg/long.py (401 lines)",
    ]
