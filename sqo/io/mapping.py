"""The mapping file of ``sqo import csv``: which column holds which field, how values translate,
how dates are written, and which companion files (accounts, reps) to join. See docs/import.md."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from sqo.domain.errors import ConfigurationError
from sqo.i18n import _

OPPORTUNITY_FIELDS = (
    "name",
    "stage",
    "amount",
    "currency",
    "close_date",
    "created_at",
    "closed_at",
    "owner",
    "account",
    "next_step",
    "next_step_due",
    "forecast_category",
    "probability",
    "loss_reason",
    "source",
    "competitors",
)


class Band(BaseModel):
    model_config = ConfigDict(extra="forbid")

    segment: Literal["SMB", "mid-market", "enterprise"]
    below: float | None = None  # the band holds values below this (None: everything left)


class SegmentRule(BaseModel):
    """The account's segment from a number column: the first band whose ``below`` is above
    the value."""

    model_config = ConfigDict(extra="forbid")

    column: str
    bands: list[Band] = Field(min_length=1)

    def segment(self, value: float) -> str:
        for band in self.bands:
            if band.below is None or value < band.below:
                return band.segment
        return self.bands[-1].segment


class Companion(BaseModel):
    """A second file joined to the main one by a key column: accounts or reps (owners)."""

    model_config = ConfigDict(extra="forbid")

    file: str  # relative to the imported file's folder (or absolute)
    entity: Literal["account", "owner"]
    key: str  # the companion's column holding the key
    on: str | None = None  # the main file's column holding it (default: the entity's field)
    fields: dict[str, str] = Field(default_factory=dict)  # field -> companion column
    attributes: list[str] = Field(default_factory=list)
    segment: SegmentRule | None = None

    @field_validator("fields")
    @classmethod
    def _known_fields(cls, value: dict[str, str]) -> dict[str, str]:
        allowed = {"name", "industry", "employees", "country", "email", "team", "manager"}
        unknown = sorted(set(value) - allowed)
        if unknown:
            raise ValueError(
                f"unknown field(s) {', '.join(unknown)}; use {', '.join(sorted(allowed))}"
            )
        return value


class Mapping(BaseModel):
    """A mapping file for one kind of CSV (one row = one opportunity)."""

    model_config = ConfigDict(extra="forbid")

    source: str = Field(default="csv", pattern=r"^[a-z0-9_-]+$")  # prefix of external ids
    id: str  # the column holding the source's own id
    fields: dict[str, str]  # field -> column, or a template such as "{product} – {account}"
    values: dict[str, dict[str, str]] = Field(default_factory=dict)  # field -> {source: ours}
    stage_entered: dict[str, str] = Field(default_factory=dict)  # stage -> date column
    date_format: str = "iso"  # iso, day-first, month-first, or a strptime pattern
    start_stage: str | None = None  # where a closed deal without stage dates started
    currency: str = "USD"
    encoding: str | None = None  # default: detected
    delimiter: str | None = None  # default: detected
    attributes: list[str] = Field(default_factory=list)  # columns kept as they are
    companions: list[Companion] = Field(default_factory=list)

    @field_validator("fields")
    @classmethod
    def _fields(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - set(OPPORTUNITY_FIELDS))
        if unknown:
            raise ValueError(
                f"unknown field(s) {', '.join(unknown)}; use {', '.join(OPPORTUNITY_FIELDS)}"
            )
        if "stage" not in value:
            raise ValueError("map the stage: fields.stage names the column holding it")
        return value

    @field_validator("date_format")
    @classmethod
    def _date_format(cls, value: str) -> str:
        if value not in ("iso", "day-first", "month-first") and "%" not in value:
            raise ValueError("use iso, day-first, month-first or a strptime pattern like %d.%m.%Y")
        return value

    def columns(self) -> list[str]:
        """Every column of the main file the mapping reads."""
        wanted = [self.id]
        for spec in self.fields.values():
            wanted += template_columns(spec) or [spec]
        wanted += list(self.stage_entered.values()) + list(self.attributes)
        wanted += [c.on for c in self.companions if c.on]
        return list(dict.fromkeys(wanted))


def template_columns(spec: str) -> list[str]:
    """The columns a template like ``{product} – {account}`` reads ([] if it is a column)."""
    import string

    if "{" not in spec:
        return []
    return [name for _text, name, _f, _c in string.Formatter().parse(spec) if name]


def load_mapping(path: Path) -> Mapping:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigurationError(
            _("Cannot read the mapping {file}: {problem}", file=str(path), problem=exc)
        ) from exc
    try:
        return Mapping.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'mapping'}: {err['msg']}"
            for err in exc.errors()
        )
        raise ConfigurationError(
            _("The mapping {file} is not valid: {problems}", file=str(path), problems=problems)
        ) from exc
