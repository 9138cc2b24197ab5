"""Configuration in YAML (playbooks, hygiene rules, attribution models), checked by a pydantic
model, with every problem named by file, line and field: a user who edits such a file sees where
it is wrong, not a validation dump. One reader for all of them, so each kind of file says its
problems the same way."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from sqo.domain.errors import ConfigurationError
from sqo.i18n import _

Location = tuple[str | int, ...]
Lines = dict[Location, int]
# (line or None, field, problem): one line of a refusal.
Problem = tuple[int | None, str, str]
# Makes the refusal's sentence from the problem lines, in the words of the kind of file.
Refusal = Callable[[str], str]

M = TypeVar("M", bound=BaseModel)


def line_map(node: yaml.Node | None) -> tuple[Lines, list[tuple[Location, int]]]:
    """Every path in the document with its line (1-based), and the mapping keys given twice."""
    found: Lines = {}
    twice: list[tuple[Location, int]] = []
    if node is not None:
        _walk(node, (), found, twice)
    return found, twice


def _walk(node: yaml.Node, path: Location, found: Lines, twice: list[tuple[Location, int]]) -> None:
    found.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                twice.append(((*path, key), key_node.start_mark.line + 1))
            seen.add(key)
            found[(*path, key)] = key_node.start_mark.line + 1
            _walk(value_node, (*path, key), found, twice)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), found, twice)


def line_of(path: Location, lines: Lines) -> int | None:
    """The line of ``path``, or of the nearest enclosing part the document has."""
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return lines.get(())


def refusal(source: str, problems: Sequence[Problem], sentence: Refusal) -> ConfigurationError:
    """One error listing every problem in line order."""
    text = "\n".join(
        _("  {file}, line {line}, {field}: {problem}", file=source, line=line, field=f, problem=p)
        if line
        else _("  {file}, {field}: {problem}", file=source, field=f, problem=p)
        for line, f, p in sorted(problems, key=lambda item: item[0] or 0)
    )
    return ConfigurationError(sentence(text))


# libyaml's loader reads the same documents ten times faster (the shipped playbooks are parsed on
# every command that checks a gate); pure Python where PyYAML was built without it.
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(
    text: str, *, source: str, sentence: Refusal
) -> tuple[object, Lines, list[tuple[Location, int]]]:
    """The document's data, its line map and its keys given twice; a syntax error is refused
    with its line."""
    try:
        root = yaml.compose(text, Loader=_LOADER)
        data = yaml.load(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = str(getattr(exc, "problem", exc))
        raise refusal(source, [(line, _("YAML"), problem)], sentence) from exc
    lines, twice = line_map(root)
    return data, lines, twice


def model_problems(
    exc: ValidationError,
    lines: Lines,
    *,
    top: str,
    location: Callable[[Location], Location] = lambda loc: loc,
) -> list[Problem]:
    """The validation errors as problems; ``top`` names the document as a whole, ``location``
    maps pydantic's error paths to the document's."""
    errors = [(location(tuple(err["loc"])), err) for err in exc.errors()]
    problems: list[Problem] = []
    for loc, err in errors:
        if err["type"] == "too_short" and any(
            other[: len(loc)] == loc and other != loc for other, _e in errors
        ):
            continue  # a list whose items all failed: the items' errors say it better
        message = str(err["msg"]).removeprefix("Value error, ")
        problems.append((line_of(loc, lines), ".".join(map(str, loc)) or top, message))
    return problems


def validated(
    model: type[M], data: object, lines: Lines, *, source: str, top: str, sentence: Refusal
) -> M:
    """``data`` as ``model``, or a refusal naming every problem's line and field."""
    if not isinstance(data, dict):
        # pydantic would say "Input should be a valid dictionary or instance of <class>".
        problem = _("the file must hold names with their values (name: value), not a list or text")
        raise refusal(source, [(line_of((), lines), top, problem)], sentence)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise refusal(source, model_problems(exc, lines, top=top), sentence) from exc


def read_config(path: Path, cannot_read: Callable[[str], str]) -> str:
    """The file's text; an unreadable file or one that is not UTF-8 is one sentence."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        problem = _("it is not UTF-8 text; save it as a UTF-8 YAML file")
        raise ConfigurationError(cannot_read(problem)) from exc
    except OSError as exc:
        raise ConfigurationError(cannot_read(exc.strerror or str(exc))) from exc
