"""Reading playbook YAML: validation errors name the file, the line and the field."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from sqo.domain.errors import ConfigurationError, UnknownReference, list_values
from sqo.domain.playbooks.model import Playbook
from sqo.i18n import _

SHIPPED_DIR = Path(__file__).resolve().parent.parent.parent / "defaults" / "playbooks"
DEFAULT_PLAYBOOK = "sqo-default"

Location = tuple[str | int, ...]


def _lines(node: yaml.Node, path: Location, found: dict[Location, int], dups: list[Any]) -> None:
    """Map every path in the document to its line (1-based); collect duplicate mapping keys."""
    found.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                dups.append(((*path, key), key_node.start_mark.line + 1))
            seen.add(key)
            found[(*path, key)] = key_node.start_mark.line + 1
            _lines(value_node, (*path, key), found, dups)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _lines(item, (*path, index), found, dups)


def _line_of(path: Location, lines: dict[Location, int]) -> int | None:
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return lines.get(())


def _where(path: Iterable[str | int]) -> str:
    return ".".join(str(p) for p in path) or _("playbook")


def _refuse(source: str, problems: list[tuple[int | None, str, str]]) -> ConfigurationError:
    text = "\n".join(
        _("  {file}, line {line}, {field}: {problem}", file=source, line=line, field=f, problem=p)
        if line
        else _("  {file}, {field}: {problem}", file=source, field=f, problem=p)
        for line, f, p in sorted(problems, key=lambda item: item[0] or 0)
    )
    return ConfigurationError(
        _("The playbook {file} is not valid:\n{problems}", file=source, problems=text)
    )


def parse_playbook_text(text: str, *, source: str = "<playbook>") -> Playbook:
    """Parse and validate playbook YAML text; :class:`ConfigurationError` lists every problem."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise _refuse(source, [(line, _("YAML"), str(getattr(exc, "problem", exc)))]) from exc
    lines: dict[Location, int] = {}
    dups: list[tuple[Location, int]] = []
    if root is not None:
        _lines(root, (), lines, dups)
    if dups:
        raise _refuse(
            source,
            [(line, _where(p), _("the key {key!r} appears twice", key=p[-1])) for p, line in dups],
        )
    return parse_playbook_data(data, source=source, lines=lines)


def parse_playbook_data(
    data: object, *, source: str = "<playbook>", lines: dict[Location, int] | None = None
) -> Playbook:
    lines = lines or {}
    try:
        playbook = Playbook.model_validate(data)
    except ValidationError as exc:
        problems = []
        errors = [(_drop_tags(tuple(err["loc"])), err) for err in exc.errors()]
        for loc, err in errors:
            if err["type"] == "too_short" and any(
                other[: len(loc)] == loc and other != loc for other, _e in errors
            ):
                continue  # a list whose items all failed: the items' errors say it better
            message = str(err["msg"]).removeprefix("Value error, ")
            problems.append((_line_of(loc, lines), _where(loc), message))
        raise _refuse(source, problems) from exc
    seen: dict[str, Location] = {}
    problems = []
    for g, group in enumerate(playbook.groups):
        for c, criterion in enumerate(group.criteria):
            path: Location = ("groups", g, "criteria", c, "key")
            if criterion.key in seen:
                problems.append(
                    (
                        _line_of(path, lines),
                        _where(path),
                        _(
                            "duplicate criterion key {key!r} (first at {first})",
                            key=criterion.key,
                            first=_where(seen[criterion.key]),
                        ),
                    )
                )
            seen.setdefault(criterion.key, path)
    group_keys = [group.key for group in playbook.groups]
    for g, key in enumerate(group_keys):
        if group_keys.index(key) != g:
            path = ("groups", g, "key")
            problems.append(
                (_line_of(path, lines), _where(path), _("duplicate group key {key!r}", key=key))
            )
    if problems:
        raise _refuse(source, problems)
    return playbook


def _drop_tags(loc: Location) -> Location:
    """Pydantic puts the union member's tag after ``rule`` (``rule.activity.within_days``)."""
    out: list[str | int] = []
    for index, part in enumerate(loc):
        if index > 0 and loc[index - 1] == "rule" and isinstance(part, str) and part in _TAGS:
            continue
        out.append(part)
    return tuple(out)


_TAGS = frozenset(
    {"field_present", "activity", "contact_role", "contacts", "next_step", "close_date"}
)


def load_playbook(path: Path) -> Playbook:
    """Read and validate a playbook file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(
            _("Cannot read the playbook {file}: {problem}", file=str(path), problem=exc.strerror)
        ) from exc
    return parse_playbook_text(text, source=str(path))


@cache
def shipped_playbooks() -> dict[str, Playbook]:
    """The playbooks that come with sqo, by name."""
    found = {}
    for path in sorted(SHIPPED_DIR.glob("*.yaml")):
        playbook = load_playbook(path)
        found[playbook.name] = playbook
    return found


def shipped_playbook(name: str) -> Playbook:
    playbooks = shipped_playbooks()
    found = playbooks.get(name.strip().casefold())
    if found is None:
        raise UnknownReference(
            _(
                "Unknown playbook {name!r}. Shipped playbooks: {allowed}; or give a YAML file.",
                name=name,
                allowed=list_values(playbooks),
            ),
            field="playbook",
            allowed=list(playbooks),
        )
    return found
