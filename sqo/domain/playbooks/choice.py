"""A workspace's qualification settings, as kept in the ``settings`` table: which playbook,
per-segment overrides of weights and requirements, and the gate's justification length."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqo.domain.errors import ConfigurationError
from sqo.domain.playbooks.loader import DEFAULT_PLAYBOOK, parse_playbook_data, shipped_playbook
from sqo.domain.playbooks.model import CriterionOverride, Playbook, apply_overrides
from sqo.domain.playbooks.rules import ActivityRule
from sqo.i18n import _

SETTING_PLAYBOOK = "playbook"
SETTING_OVERRIDES = "playbook_overrides"
SETTING_MIN_JUSTIFICATION = "gate.min_justification_length"
DEFAULT_MIN_JUSTIFICATION = 30

Overrides = dict[str, dict[str, CriterionOverride]]


def playbook_setting(
    playbook: Playbook, *, shipped: bool, file: str | None = None
) -> dict[str, Any]:
    """What to store: a shipped playbook by name; a custom one in full (it outlives its file)."""
    if shipped:
        return {"name": playbook.name}
    return {
        "name": playbook.name,
        "file": file,
        "definition": playbook.model_dump(mode="json", exclude_none=True),
    }


def playbook_from_setting(value: Any) -> Playbook:
    if not value:
        return shipped_playbook(DEFAULT_PLAYBOOK)
    if not isinstance(value, Mapping) or "name" not in value:
        raise ConfigurationError(
            _(
                "The workspace's playbook setting is damaged; choose one again "
                "with 'sqo playbook use NAME'."
            )
        )
    definition = value.get("definition")
    if definition:
        return parse_playbook_data(definition, source=str(value.get("file") or value["name"]))
    return shipped_playbook(str(value["name"]))


def overrides_from_setting(value: Any) -> Overrides:
    result: Overrides = {}
    for segment, by_key in (value or {}).items():
        result[str(segment)] = {
            str(key): CriterionOverride.model_validate(change) for key, change in by_key.items()
        }
    return result


def overrides_setting(overrides: Overrides) -> dict[str, dict[str, dict[str, Any]]]:
    return {
        segment: {key: change.model_dump(exclude_none=True) for key, change in by_key.items()}
        for segment, by_key in overrides.items()
    }


def for_segment(playbook: Playbook, overrides: Overrides, segment: str | None) -> Playbook:
    return apply_overrides(playbook, overrides, segment)


def activity_window(playbook: Playbook) -> int:
    """How many days of activity the playbook's rules look back (0: none)."""
    return max(
        (c.rule.within_days for _g, c in playbook.criteria() if isinstance(c.rule, ActivityRule)),
        default=0,
    )


def min_justification(value: Any) -> int:
    return DEFAULT_MIN_JUSTIFICATION if value is None else int(value)
