"""An account's segment (SMB, mid-market, enterprise) from an export: a label a column holds,
or a number (head count, revenue) placed in bands.

Labels are read as the workspace knows the segments, case and spacing aside ("Mid Market",
"ENTERPRISE", "smb"), or through a value map for a CRM's own words ("Strategic": enterprise).
Anything else is refused, never guessed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation

from pydantic import BaseModel, ConfigDict, field_validator

from sqo.domain.errors import InvalidValue
from sqo.domain.values import Segment, parse_enum
from sqo.i18n import _
from sqo.io.values import parse_money


def segment_named(text: str) -> Segment | None:
    """The segment a label names, or None."""
    try:
        return parse_enum(Segment, text, field="segment")
    except InvalidValue:
        return None


def check_value_map(values: Mapping[str, str]) -> dict[str, str]:
    """A value map whose targets are segments, keyed case-insensitively (for pydantic)."""
    wrong = sorted(v for v in values.values() if segment_named(v) is None)
    if wrong:
        raise ValueError(
            f"{', '.join(map(repr, wrong))} is not a segment; use SMB, mid-market or enterprise"
        )
    return {k.strip().casefold(): v for k, v in values.items()}


def segment_label(text: str, values: Mapping[str, str], *, column: str, where: str) -> Segment:
    """The segment of a label, through ``values`` (keys case-insensitive) when it lists it."""
    found = segment_named(values.get(text.strip().casefold(), text))
    if found is None:
        raise InvalidValue(
            _(
                "the segment {value!r} ({column}) is not SMB, mid-market or enterprise; "
                "map it under {where}.",
                value=text.strip(),
                column=column,
                where=where,
            ),
            field=column,
        )
    return found


class SegmentBand(BaseModel):
    """Values below ``below`` (everything left, without it) are in ``segment``."""

    model_config = ConfigDict(extra="forbid")

    segment: Segment
    below: Decimal | None = None

    @field_validator("segment", mode="before")
    @classmethod
    def _segment(cls, value: object) -> Segment:
        found = segment_named(str(value))
        if found is None:
            raise ValueError(f"{value!r} is not a segment; use SMB, mid-market or enterprise")
        return found


def check_bands(bands: list[SegmentBand]) -> list[SegmentBand]:
    """Bands in rising order, only the last one open (for pydantic)."""
    limits = [b.below for b in bands]
    if any(limit is None for limit in limits[:-1]):
        raise ValueError("only the last band may leave out 'below'")
    bounded = [limit for limit in limits if limit is not None]
    if bounded != sorted(bounded):
        raise ValueError("list the bands from the smallest 'below' up")
    return bands


def in_bands(bands: Sequence[SegmentBand], value: Decimal) -> Segment:
    for band in bands:
        if band.below is None or value < band.below:
            return band.segment
    return bands[-1].segment


def parse_amount(text: str, *, field: str) -> Decimal:
    """A plain number (``25000000.0``, ``2.5E7``) or an amount as exports write it
    (``$25,000,000``, ``25 000 000 kr``), in the unit written: for comparing with bands."""
    try:
        value = Decimal(text.strip())
        if value.is_finite():
            return value
    except InvalidOperation:
        pass
    cents, _currency = parse_money(text, field=field)
    return Decimal(cents) / 100
