"""The mapping file of ``sqo import csv``: which column holds which field, how values translate,
how dates are written, and which companion files (accounts, reps) to join. See docs/import.md."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Literal, Self

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from sqo.domain.errors import ConfigurationError
from sqo.i18n import _
from sqo.io.segments import check_value_map

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
    "lead",
)
LEAD_FIELDS = (
    "name",
    "stage",
    "created_at",
    "converted_at",
    "company",
    "email",
    "owner",
    "account",
    "source",
)
RECORD_FIELDS = {"opportunity": OPPORTUNITY_FIELDS, "lead": LEAD_FIELDS}


class Band(BaseModel):
    model_config = ConfigDict(extra="forbid")

    segment: Literal["SMB", "mid-market", "enterprise"]
    below: float | None = None  # the band holds values below this (None: everything left)


class SegmentRule(BaseModel):
    """The account's segment from a number column (``bands``: the first band whose ``below`` is
    above the value), or from a label column (``values``, optional: the source's labels to
    SMB, mid-market or enterprise)."""

    model_config = ConfigDict(extra="forbid")

    column: str
    bands: list[Band] = Field(default_factory=list)
    values: dict[str, str] = Field(default_factory=dict)

    @field_validator("values")
    @classmethod
    def _values(cls, value: dict[str, str]) -> dict[str, str]:
        return check_value_map(value)

    @model_validator(mode="after")
    def _one_kind(self) -> Self:
        if self.bands and self.values:
            raise ValueError("give bands (a number column) or values (a label column), not both")
        return self

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


class RateEntry(BaseModel):
    """``{currency: EUR, rate: 0.9195, start_date: 2026-07-01}``: units of the currency per one
    unit of the corporate currency, from the start date (always, without one)."""

    model_config = ConfigDict(extra="forbid")

    currency: str
    rate: str
    start_date: date | str | None = None

    @field_validator("rate", mode="before")
    @classmethod
    def _rate_text(cls, value: object) -> str:
        return str(value)  # YAML reads 0.9195 as a float: its shortest text is the decimal


class Mapping(BaseModel):
    """A mapping file for one kind of CSV (one row = one opportunity, or one lead)."""

    model_config = ConfigDict(extra="forbid")

    # Before ``fields``: which fields a mapping may name depends on it.
    record: Literal["opportunity", "lead"] = "opportunity"
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
    rates: list[RateEntry] = Field(default_factory=list)  # against the corporate currency

    @field_validator("fields")
    @classmethod
    def _fields(cls, value: dict[str, str], info: ValidationInfo) -> dict[str, str]:
        allowed = RECORD_FIELDS[info.data.get("record", "opportunity")]
        unknown = sorted(set(value) - set(allowed))
        if unknown:
            raise ValueError(f"unknown field(s) {', '.join(unknown)}; use {', '.join(allowed)}")
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
