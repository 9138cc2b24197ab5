"""Adding up credit per campaign and per channel under each model: pure functions.

Every milestone a record reached in the window is credited once per model: to its touches
before it (:func:`sqo.analytics.attribution.credit.shares`), or, with none, to "no touch"
(records with at most one touch are counted per campaign in SQL: :mod:`.paths`). So
under every model the credit of a milestone over all lines adds up to exactly the number of
records that reached it: the funnel's count.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqo.analytics.attribution.credit import MICRO, Touch, shares
from sqo.analytics.attribution.paths import Milestones, OneTouchLine, Window
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
    reached: list[int],
    one_touch: Iterable[OneTouchLine],
    many_touch: Iterable[tuple[Milestones, Sequence[Touch], int]],
    window: Window,
) -> Totals:
    """Credit every milestone reached in ``window`` under every model: the records with at most
    one touch as counted per campaign in SQL (the same under every model), the others one by
    one. ``many_touch``: each record's milestones, touches in time order and amount (cents)."""
    totals = Totals({name: {} for name in models}, list(reached))
    for line in one_touch:
        for lines in totals.lines.values():
            key = (line.campaign_id, line.channel)
            for tally_key, counts, pipeline, won in (
                (key, line.credited, line.pipeline[0], line.won[0]),
                (NO_TOUCH, line.untouched, line.pipeline[1], line.won[1]),
            ):
                if not any(counts):
                    continue
                tally = lines.get(tally_key)
                if tally is None:
                    tally = lines[tally_key] = Tally([0] * steps.count)
                tally.credit = [a + b * MICRO for a, b in zip(tally.credit, counts, strict=True)]
                tally.pipeline += pipeline * MICRO
                tally.won += won * MICRO
    for record, path, amount in many_touch:
        credited = [i for i, at in enumerate(record.reached) if window.holds(at)]
        if not credited:
            continue
        anchors = steps.anchors(record.reached)
        for name, model in models.items():
            lines = totals.lines[name]
            for i in credited:
                at = record.reached[i]
                assert at is not None
                micro = shares(model, path, at, anchors)
                if not micro:
                    _add(lines, NO_TOUCH, i, MICRO, amount, steps, count=steps.count)
                    continue
                for touch, part in zip(path, micro, strict=True):
                    if part:
                        key = (touch.campaign_id, touch.channel)
                        _add(lines, key, i, part, amount, steps, count=steps.count)
    return totals


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
