"""Pure arithmetic shared by the analytics: safe ratios and rounding for display."""

from __future__ import annotations


def ratio(part: int | float, whole: int | float) -> float:
    """``part / whole``, and 0.0 for an empty whole (callers add a note: there was no data)."""
    return float(part) / float(whole) if whole else 0.0


def maybe_ratio(part: int | float, whole: int | float) -> float | None:
    """``part / whole``, or ``None`` when the whole is zero or negative (undefined)."""
    return float(part) / float(whole) if whole > 0 else None
