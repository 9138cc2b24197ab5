"""Reading playbook YAML: validation errors name the file, the line and the field."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path

from pydantic import ValidationError

from sqo.domain.errors import UnknownReference, list_values
from sqo.domain.playbooks.model import Playbook
from sqo.domain.yaml_files import (
    Location,
    Refusal,
    line_of,
    model_problems,
    parse_yaml,
    read_config,
    refusal,
)
from sqo.i18n import _

SHIPPED_DIR = Path(__file__).resolve().parent.parent.parent / "defaults" / "playbooks"
DEFAULT_PLAYBOOK = "sqo-default"


def _where(path: Iterable[str | int]) -> str:
    return ".".join(str(p) for p in path) or _("playbook")


def _sentence(source: str) -> Refusal:
    return lambda problems: _(
        "The playbook {file} is not valid:\n{problems}", file=source, problems=problems
    )


def parse_playbook_text(text: str, *, source: str = "<playbook>") -> Playbook:
    """Parse and validate playbook YAML text; :class:`ConfigurationError` lists every problem."""
    data, lines, twice = parse_yaml(text, source=source, sentence=_sentence(source))
    if twice:
        raise refusal(
            source,
            [(line, _where(p), _("the key {key!r} appears twice", key=p[-1])) for p, line in twice],
            _sentence(source),
        )
    return parse_playbook_data(data, source=source, lines=lines)


def parse_playbook_data(
    data: object, *, source: str = "<playbook>", lines: dict[Location, int] | None = None
) -> Playbook:
    lines = lines or {}
    try:
        playbook = Playbook.model_validate(data)
    except ValidationError as exc:
        problems = model_problems(exc, lines, top=_("playbook"), location=_drop_tags)
        raise refusal(source, problems, _sentence(source)) from exc
    seen: dict[str, Location] = {}
    problems = []
    for g, group in enumerate(playbook.groups):
        for c, criterion in enumerate(group.criteria):
            path: Location = ("groups", g, "criteria", c, "key")
            if criterion.key in seen:
                problems.append(
                    (
                        line_of(path, lines),
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
                (line_of(path, lines), _where(path), _("duplicate group key {key!r}", key=key))
            )
    if problems:
        raise refusal(source, problems, _sentence(source))
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
    text = read_config(
        path,
        lambda problem: _(
            "Cannot read the playbook {file}: {problem}", file=str(path), problem=problem
        ),
    )
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
