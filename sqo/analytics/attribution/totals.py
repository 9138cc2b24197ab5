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

from sqo.analytics.attribution.credit import MICRO, Touch, shape_shares, shares
from sqo.analytics.attribution.paths import Milestones, OneTouchLine, Window
from sqo.analytics.attribution.shapes import DecayLine, ShapeRow, Untouched
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


@dataclass(frozen=True)
class ManyTouch:
    """What the database counted of the records with several touches (:mod:`.shapes`)."""

    shapes: Sequence[ShapeRow] = ()
    untouched: Sequence[Untouched] = ()
    decay: Mapping[str, Sequence[DecayLine]] = field(default_factory=dict)  # by model


def add_many_touch(
    totals: Totals, models: Mapping[str, AttributionModel], steps: Steps, counted: ManyTouch
) -> None:
    """Records with several touches: shapes multiplied out for the models without time decay,
    the database's time-decay lines for the others, no touch for every model alike."""
    for name, model in models.items():
        lines = totals.lines[name]
        for gone in counted.untouched:
            _add(lines, NO_TOUCH, gone.step, gone.records * MICRO, 0, steps, count=steps.count)
            _add_cents(lines, NO_TOUCH, gone.step, gone.cents * MICRO, steps)
        if name in counted.decay:
            for d in counted.decay[name]:
                key = (d.campaign_id, d.channel)
                _add(lines, key, d.step, d.micro, 0, steps, count=steps.count)
                _add_cents(lines, key, d.step, round(d.cents * MICRO), steps)
            continue
        for row in counted.shapes:
            micro = shape_shares(model, row.n, row.lead, row.sqo, row.won)[row.rank - 1]
            if micro:
                key = (row.campaign_id, row.channel)
                _add(lines, key, row.step, row.records * micro, 0, steps, count=steps.count)
                _add_cents(lines, key, row.step, row.cents * micro, steps)


def _add_cents(
    lines: dict[LineKey, Tally], key: LineKey, step: int, micro_cents: int, steps: Steps
) -> None:
    tally = lines.get(key)
    if tally is None:
        tally = lines[key] = Tally([0] * steps.count)
    if step == steps.sqo:
        tally.pipeline += micro_cents
    if step == steps.won:
        tally.won += micro_cents


def attribute(
    models: Mapping[str, AttributionModel],
    steps: Steps,
    reached: list[int],
    one_touch: Iterable[OneTouchLine],
    many_touch: Iterable[tuple[Milestones, Sequence[Touch], int]],
    window: Window,
    counted: ManyTouch | None = None,
) -> Totals:
    """Credit every milestone reached in ``window`` under every model. Records with at most one
    touch: as counted per campaign in SQL (the same under every model). Records with several:
    as the database counted them (``counted``) for the models it can compute, record by record
    (``many_touch``: milestones, touches in time order and amount) for the others, or for every
    model when ``counted`` is None."""
    totals = Totals({name: {} for name in models}, list(reached))
    in_db = _db_models(models, counted) if counted is not None else set()
    if counted is not None:
        add_many_touch(totals, {n: m for n, m in models.items() if n in in_db}, steps, counted)
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
    by_record = {n: m for n, m in models.items() if n not in in_db}
    for record, path, amount in many_touch:
        credited = [i for i, at in enumerate(record.reached) if window.holds(at)]
        if not credited:
            continue
        anchors = steps.anchors(record.reached)
        for name, model in by_record.items():
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


def _db_models(models: Mapping[str, AttributionModel], counted: ManyTouch) -> set[str]:
    """The models the database credited: every one without time decay, and pure time decay."""
    return {n for n, m in models.items() if m.middle != "time_decay" or n in counted.decay}


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
