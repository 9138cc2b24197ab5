"""Adding up credit per campaign and per channel under each model: pure functions.

Every milestone a record reached in the window is credited once per model: to its touches
before it (:func:`sqo.analytics.attribution.credit.shares`), or, with none, to "no touch". So
under every model the credit of a milestone over all lines adds up to exactly the number of
records that reached it: the funnel's count.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqo.analytics.attribution.credit import MICRO, Touch, shares
from sqo.analytics.attribution.touches import Milestones
from sqo.domain.attribution import Anchor, AttributionModel

# A line is (campaign id, channel); (None, None) is "no touch before the milestone".
LineKey = tuple[int | None, str | None]
NO_TOUCH: LineKey = (None, None)


@dataclass
class Tally:
    """Micro-shares of each ladder step, and micro-share-weighted cents of SQO pipeline and of
    won revenue (divide by MICRO for the credited amount)."""

    credit: list[int]
    pipeline: int = 0
    won: int = 0


@dataclass(frozen=True)
class Window:
    start: datetime | None = None
    end: datetime | None = None  # exclusive

    def holds(self, moment: datetime | None) -> bool:
        if moment is None:
            return False
        return (self.start is None or moment >= self.start) and (
            self.end is None or moment < self.end
        )


@dataclass(frozen=True)
class Steps:
    """Which ladder steps are the anchors and which carry amounts."""

    count: int
    sqo: int
    won: int

    def anchors(self, reached: Sequence[datetime | None]) -> dict[Anchor, datetime | None]:
        return {
            "lead_created": reached[0],
            "sqo_created": reached[self.sqo],
            "closed_won": reached[self.won],
        }


@dataclass
class Totals:
    """Per model, per line, the tally; and the records reaching each step in the window."""

    lines: dict[str, dict[LineKey, Tally]] = field(default_factory=dict)
    reached: list[int] = field(default_factory=list)


def attribute(
    models: Mapping[str, AttributionModel],
    steps: Steps,
    records: Iterable[Milestones],
    touches: Mapping[int, Sequence[Touch]],
    values: Mapping[int, int],
    window: Window,
) -> Totals:
    """Credit every milestone reached in ``window`` under every model. ``values``: deal amounts
    (cents, corporate currency) by opportunity id (funnel records of opportunities)."""
    totals = Totals({name: {} for name in models}, [0] * steps.count)
    for record in records:
        credited = [i for i, at in enumerate(record.reached) if window.holds(at)]
        if not credited:
            continue
        for i in credited:
            totals.reached[i] += 1
        path = touches.get(record.key, ())
        anchors = steps.anchors(record.reached)
        amount = values.get(record.key, 0)
        for name, model in models.items():
            lines = totals.lines[name]
            for i in credited:
                at = record.reached[i]
                assert at is not None
                micro = _shares(model, path, at, anchors)
                if not micro:
                    _add(lines, NO_TOUCH, i, MICRO, amount, steps, count=steps.count)
                    continue
                for touch, part in zip(path, micro, strict=True):
                    if part:
                        key = (touch.campaign_id, touch.channel)
                        _add(lines, key, i, part, amount, steps, count=steps.count)
    return totals


def _shares(
    model: AttributionModel,
    path: Sequence[Touch],
    at: datetime,
    anchors: Mapping[Anchor, datetime | None],
) -> list[int]:
    # Most records have one touch: every model gives it everything; skip the exact split.
    if len(path) == 1:
        return [MICRO] if path[0].at <= at else []
    return shares(model, path, at, anchors)


def _add(
    lines: dict[LineKey, Tally],
    key: LineKey,
    step: int,
    part: int,
    amount: int,
    steps: Steps,
    *,
    count: int,
) -> None:
    tally = lines.get(key)
    if tally is None:
        tally = lines[key] = Tally([0] * count)
    tally.credit[step] += part
    if step == steps.sqo:
        tally.pipeline += part * amount
    if step == steps.won:
        tally.won += part * amount


def by_channel(lines: Mapping[LineKey, Tally]) -> dict[str | None, Tally]:
    """The lines of one model added up per channel (no touch stays apart, as channel None)."""
    out: dict[str | None, Tally] = {}
    for (_campaign, channel), tally in lines.items():
        sums = out.get(channel)
        if sums is None:
            sums = out[channel] = Tally([0] * len(tally.credit))
        sums.credit = [a + b for a, b in zip(sums.credit, tally.credit, strict=True)]
        sums.pipeline += tally.pipeline
        sums.won += tally.won
    return out


def cost_per(cost_cents: int | None, micro_credit: int) -> int | None:
    """Cost (cents) per credited milestone; None when the cost is unknown or nothing was
    credited (never a division by zero)."""
    if cost_cents is None or micro_credit <= 0:
        return None
    return round(cost_cents * MICRO / micro_credit)
