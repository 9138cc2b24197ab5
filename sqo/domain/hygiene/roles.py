"""Which buying roles a deal's playbook expects: every required criterion met by a
``contact_role`` rule that applies to the deal (its condition holds, with the workspace's
per-segment overrides applied). Each expectation is a group of roles, any one of which meets it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqo.domain.playbooks.model import CriterionOverride, Playbook, apply_overrides
from sqo.domain.playbooks.rules import ContactRole


def expected_roles(
    playbook: Playbook,
    overrides: Mapping[str, Mapping[str, CriterionOverride]],
    values: Mapping[str, Any],
) -> tuple[tuple[str, ...], ...]:
    applied = apply_overrides(playbook, overrides, values.get("segment"))
    found = []
    for _group, criterion in applied.criteria():
        if not criterion.required or not isinstance(criterion.rule, ContactRole):
            continue
        condition = criterion.parsed_condition
        if condition is not None and not condition.holds(values):
            continue
        found.append(tuple(r.value for r in criterion.rule.roles))
    return tuple(found)
