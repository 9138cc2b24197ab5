"""Playbooks: named, versioned sets of qualification criteria in groups (validated YAML)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cached_property
from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sqo.domain.playbooks.conditions import Condition, parse_condition
from sqo.domain.playbooks.rules import Rule
from sqo.i18n import _, current_language

Key = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=80)]
Weight = Annotated[float, Field(gt=0, le=1000, strict=True)]


class Translation(BaseModel):
    """The Swedish (``sv:``) wording of a label and description."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    label: str | None = None
    description: str | None = None


class _Labelled(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    label: str = Field(min_length=1)
    description: str = ""
    sv: Translation | None = None

    def text(self, language: str | None = None) -> tuple[str, str]:
        """Label and description in ``language`` (default: the current one)."""
        language = language or current_language()
        if language == "sv" and self.sv is not None:
            return self.sv.label or self.label, self.sv.description or self.description
        return self.label, self.description


class Criterion(_Labelled):
    key: Key
    weight: Weight = 1.0
    required: bool = False
    condition: str | None = None
    evidence: bool = True  # may a rep's recorded evidence meet it?
    rule: Rule | None = None

    @field_validator("condition")
    @classmethod
    def _parse(cls, value: str | None) -> str | None:
        if value is not None:
            parse_condition(value)  # ConditionError is a ValueError: pydantic reports it here
        return value

    @model_validator(mode="after")
    def _met_somehow(self) -> Self:
        if not self.evidence and self.rule is None:
            raise ValueError(_("a criterion must be met by evidence, by a rule, or both"))
        return self

    @cached_property
    def parsed_condition(self) -> Condition | None:
        return parse_condition(self.condition) if self.condition else None


class Group(_Labelled):
    key: Key
    criteria: tuple[Criterion, ...] = Field(min_length=1)


class Playbook(_Labelled):
    name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$", max_length=80)]
    version: str = Field(min_length=1, max_length=40)
    groups: tuple[Group, ...] = Field(min_length=1)

    @field_validator("version", mode="before")
    @classmethod
    def _version_text(cls, value: Any) -> Any:
        return (
            str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value
        )

    def criteria(self) -> Iterator[tuple[Group, Criterion]]:
        for group in self.groups:
            for criterion in group.criteria:
                yield group, criterion

    def keys(self) -> list[str]:
        return [c.key for _g, c in self.criteria()]

    def criterion(self, key: str) -> Criterion | None:
        return next((c for _g, c in self.criteria() if c.key == key), None)

    def required_keys(self) -> list[str]:
        return [c.key for _g, c in self.criteria() if c.required]


class CriterionOverride(BaseModel):
    """A workspace's change to one criterion for a segment: its weight and/or whether required."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    weight: Weight | None = None
    required: bool | None = None


ALL_SEGMENTS = "*"


def apply_overrides(
    playbook: Playbook,
    overrides: Mapping[str, Mapping[str, CriterionOverride]],
    segment: str | None,
) -> Playbook:
    """The playbook as it applies to ``segment``: ``*`` overrides first, then the segment's."""
    changes: dict[str, CriterionOverride] = {}
    wanted = (segment or "").casefold()
    for scope, by_key in overrides.items():
        if scope == ALL_SEGMENTS:
            changes.update(by_key)
    for scope, by_key in overrides.items():
        if scope != ALL_SEGMENTS and scope.casefold() == wanted:
            for key, change in by_key.items():
                base = changes.get(key, CriterionOverride())
                changes[key] = CriterionOverride(
                    weight=change.weight if change.weight is not None else base.weight,
                    required=change.required if change.required is not None else base.required,
                )
    if not changes:
        return playbook
    groups = []
    for group in playbook.groups:
        criteria = []
        for criterion in group.criteria:
            found = changes.get(criterion.key)
            if found is not None:
                update: dict[str, Any] = {}
                if found.weight is not None:
                    update["weight"] = found.weight
                if found.required is not None:
                    update["required"] = found.required
                criterion = criterion.model_copy(update=update)
            criteria.append(criterion)
        groups.append(group.model_copy(update={"criteria": tuple(criteria)}))
    return playbook.model_copy(update={"groups": tuple(groups)})
