"""Which segment a Salesforce account is in: Salesforce has no segment field of its own, so it
comes from a field the org uses for it (``--segment-field``, such as ``Segment__c``), else from
``NumberOfEmployees``, else from ``AnnualRevenue``, each placed in bands (``--segments FILE``).

The default bands are the usual analyst cut-offs for small, midsize and large enterprises (as
Gartner draws them); DOMAIN.md names the segments and leaves the cut-offs to configuration:

- employees: under 100 SMB, 100 to 999 mid-market, 1,000 and more enterprise;
- annual revenue: under 50 million SMB, under 1 billion mid-market, 1 billion and more
  enterprise, in the amount's own currency, as written (not converted).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from sqo.domain.errors import ConfigurationError
from sqo.domain.values import Segment
from sqo.i18n import _
from sqo.io.segments import (
    SegmentBand,
    check_bands,
    check_value_map,
    in_bands,
    parse_amount,
    segment_label,
)

EMPLOYEES = [
    SegmentBand(segment=Segment.SMB, below=Decimal(100)),
    SegmentBand(segment=Segment.MID_MARKET, below=Decimal(1000)),
    SegmentBand(segment=Segment.ENTERPRISE),
]
REVENUE = [
    SegmentBand(segment=Segment.SMB, below=Decimal(50_000_000)),
    SegmentBand(segment=Segment.MID_MARKET, below=Decimal(1_000_000_000)),
    SegmentBand(segment=Segment.ENTERPRISE),
]


class AccountSegments(BaseModel):
    """The ``--segments`` file: the field naming the segment, its value map, and the bands
    (an empty list turns that source off)."""

    model_config = ConfigDict(extra="forbid")

    field: str | None = None
    values: dict[str, str] = Field(default_factory=dict)
    employees: list[SegmentBand] = Field(default_factory=lambda: list(EMPLOYEES))
    revenue: list[SegmentBand] = Field(default_factory=lambda: list(REVENUE))

    @field_validator("values")
    @classmethod
    def _values(cls, value: dict[str, str]) -> dict[str, str]:
        return check_value_map(value)

    @field_validator("employees", "revenue")
    @classmethod
    def _bands(cls, value: list[SegmentBand]) -> list[SegmentBand]:
        return check_bands(value)

    def of(self, row: dict[str, str], employees: int | None) -> Segment | None:
        """The account's segment, or None when the row says nothing about it."""
        named = (row.get(self.field) or "").strip() if self.field else ""
        if named:
            return segment_label(
                named,
                self.values,
                column=str(self.field),
                where=_("values in a segment file given with --segments"),
            )
        if employees is not None and self.employees:
            return in_bands(self.employees, Decimal(employees))
        revenue = (row.get("AnnualRevenue") or "").strip()
        if revenue and self.revenue:
            return in_bands(self.revenue, parse_amount(revenue, field="AnnualRevenue"))
        return None


def load_account_segments(path: Path | None, field: str | None) -> AccountSegments:
    """The file's rules (the defaults without one), with ``field`` (``--segment-field``) on top."""
    rules = AccountSegments()
    if path is not None:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise ConfigurationError(
                _("Cannot read the segment file {file}: {problem}", file=str(path), problem=exc)
            ) from exc
        try:
            rules = AccountSegments.model_validate(data)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc']) or 'file'}: {err['msg']}"
                for err in exc.errors()
            )
            raise ConfigurationError(
                _(
                    "The segment file {file} is not valid: {problems}",
                    file=str(path),
                    problems=problems,
                )
            ) from exc
    if field:
        rules = rules.model_copy(update={"field": field.strip()})
    return rules
