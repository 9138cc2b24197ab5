"""`campaign_report`: leads, MQLs, SQLs, SQOs, pipeline and won revenue per campaign and channel,
under each attribution model side by side, with cost per milestone where the cost is known.

Reads where the other analytics do (``sqo.services.analytics_source``): on a large workspace the
analytics copy, which holds the campaign memberships and contact roles too and keeps every funnel
record's milestone times between commands; else the workspace database. Definitions:
:mod:`sqo.domain.attribution` (models), :mod:`sqo.analytics.attribution.touches` (what counts as
a touch), :mod:`sqo.analytics.attribution.totals` (adding up); docs/attribution.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from pathlib import Path
from typing import Any

from sqo.analytics.attribution.credit import MICRO, pure_decay
from sqo.analytics.attribution.paths import (
    Window,
    keyed,
    many_touch_records,
    one_touch_lines,
    reached,
    touch_table,
)
from sqo.analytics.attribution.shapes import decay_lines, shape_rows
from sqo.analytics.attribution.totals import (
    NO_TOUCH,
    LineKey,
    ManyTouch,
    Steps,
    Tally,
    attribute,
    by_channel,
    cost_per,
)
from sqo.analytics.attribution.touches import (
    campaign_costs,
    deal_value_table,
    unrated_deals,
)
from sqo.analytics.currency import LeftOut, left_out_notes
from sqo.analytics.milestone_table import materialized
from sqo.analytics.milestones import milestone_ladder
from sqo.domain.actor import Actor
from sqo.domain.attribution import choose, load_models, shipped_models
from sqo.domain.values import utc_now
from sqo.i18n import _
from sqo.services.analytics_source import analytics_connection
from sqo.services.named_periods import parse_period
from sqo.services.public import public, public_dict
from sqo.services.workspace import Workspace
from sqo.store.analytics_copy_digests import wanted as copied_memberships
from sqo.store.database import is_sqlite


@dataclass(frozen=True)
class ModelUsed:
    name: str
    label: str
    weights: dict[str, float]
    middle: str
    half_life_days: float | None


@dataclass(frozen=True)
class CreditLine:
    """One campaign (or channel) under one model. ``credited``: milestones credited to it (a
    fraction of a deal where the credit is shared), by milestone name; ``cost_per_cents``: its
    cost per credited milestone (None: cost unknown or nothing credited)."""

    model: str
    campaign_id: int | None
    campaign: str | None  # None: a source without a campaign, or no touch at all
    channel: str | None  # None with no campaign: no touch before the milestone
    credited: dict[str, float]
    sqo_pipeline_cents: int
    won_revenue_cents: int
    cost_cents: int | None
    cost_per_cents: dict[str, int | None]


@dataclass
class CampaignReport:
    as_of: datetime
    period: str
    start: datetime | None
    end: datetime | None
    currency: str
    milestones: list[str]
    models: list[ModelUsed]
    campaigns: list[CreditLine]
    channels: list[CreditLine]
    funnel: dict[str, int]  # records reaching each milestone in the period: what credit adds to
    notes: list[str] = field(default_factory=list)
    left_out: list[LeftOut] = field(default_factory=list)

    @property
    def reconciles(self) -> bool:
        """Under every model, each milestone's credit over all campaigns equals the funnel's
        count (exact: credit is counted in micro-shares)."""
        for model in self.models:
            for name in self.milestones:
                total = sum(
                    round(line.credited[name] * MICRO)
                    for line in self.campaigns
                    if line.model == model.name
                )
                if total != self.funnel[name] * MICRO:
                    return False
        return True

    def to_dict(self) -> dict[str, Any]:
        return public_dict(
            {
                "as_of": self.as_of,
                "period": self.period,
                "from": self.start,
                "to": self.end,
                "currency": self.currency,
                "milestones": self.milestones,
                "models": self.models,
                "campaigns": [_line_dict(line) for line in self.campaigns],
                "channels": [_line_dict(line) for line in self.channels],
                "funnel": self.funnel,
                "reconciles": self.reconciles,
                "notes": self.notes,
                "left_out": self.left_out,
            }
        )


def _line_dict(line: CreditLine) -> dict[str, Any]:
    """A line's public form: amounts in major units, the cost per milestone too."""
    data = {f.name: getattr(line, f.name) for f in fields(line)}
    per = data.pop("cost_per_cents")
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key.endswith("_cents"):
            out[key.removesuffix("_cents")] = None if value is None else value / 100
        else:
            out[key] = public(value)
    out["cost_per"] = {k: None if v is None else v / 100 for k, v in per.items()}
    return out


def campaign_report(
    ws: Workspace,
    actor: Actor,
    *,
    model: str | None = None,
    period: str | None = None,
    as_of: datetime | None = None,
    models_file: Path | None = None,
) -> CampaignReport:
    """Credit per campaign and channel for the milestones reached in ``period`` (default: all
    time), under ``model`` (default: every model)."""
    as_of = as_of or utc_now()
    chosen = choose(load_models(models_file) if models_file else shipped_models(), model)
    window = parse_period(period, as_of)
    ladder = milestone_ladder(ws.stage_model)
    steps = Steps(len(ladder.names), ladder.index(ws.stage_model.sqo_stage), len(ladder.names) - 1)
    currency = ws.default_currency
    credit_window = Window(window.start, window.end)
    with (
        copied_memberships(),
        analytics_connection(ws) as connection,
        materialized(connection, ladder, as_of, kept=True) as times,
        touch_table(connection, as_of) as touches,
        deal_value_table(connection, ws.stage_model, as_of, currency) as values,
    ):
        keyed(connection, times)
        count = steps.count
        shapes, untouched = shape_rows(
            connection, times, touches, values, count, steps.sqo, steps.won, credit_window
        )
        decay = {
            name: decay_lines(
                connection,
                times,
                touches,
                values,
                count,
                m.half_life_days or 1.0,
                credit_window,
                sqlite_ages=is_sqlite(ws.url),
            )
            for name, m in chosen.items()
            if pure_decay(m)
        }
        # Only a model mixing anchors with time decay needs the records one by one.
        mixed = any(m.middle == "time_decay" and not pure_decay(m) for m in chosen.values())
        totals = attribute(
            chosen,
            steps,
            reached(connection, times, count, credit_window),
            one_touch_lines(
                connection, times, touches, values, count, steps.sqo, steps.won, credit_window
            ),
            many_touch_records(connection, times, touches, values, count) if mixed else (),
            credit_window,
            ManyTouch(shapes, untouched, decay),
        )
        unrated = unrated_deals(connection, values)
        campaigns = campaign_costs(connection)
    names = list(ladder.names)
    known = {cid: (name, channel) for cid, name, channel, _c, _cur in campaigns}
    costs = {cid: cost if cur in ("", currency) else None for cid, _n, _ch, cost, cur in campaigns}
    foreign = sorted(
        {cur for _i, _n, _ch, cost, cur in campaigns if cost and cur not in ("", currency)}
    )
    campaign_lines: list[CreditLine] = []
    channel_lines: list[CreditLine] = []
    for name, lines in totals.lines.items():
        keys: list[LineKey] = [(cid, channel) for cid, (_n, channel) in known.items()]
        keys += sorted((k for k in lines if k not in keys and k != NO_TOUCH), key=_order)
        keys.append(NO_TOUCH)
        for key in keys:
            tally = lines.get(key) or Tally([0] * steps.count)
            cid = key[0]
            cost = costs.get(cid) if cid is not None else None
            label = known[cid][0] if cid is not None and cid in known else None
            campaign_lines.append(_line(name, cid, label, key[1], tally, cost, names))
        channel_costs = _channel_costs(known, costs)
        for channel, tally in sorted(
            by_channel(lines).items(), key=lambda c: (c[0] is None, str(c[0]))
        ):
            channel_lines.append(
                _line(name, None, None, channel, tally, channel_costs.get(channel), names)
            )
    notes = _notes(costs, foreign, totals.reached, unrated)
    if not shapes and len(chosen) > 1 and any(totals.reached):
        # The demo gives every lead one touch: identical columns would otherwise look like a bug.
        notes.append(
            _(
                "No record had more than one touch before a milestone, "
                "so every model gives the same credit."
            )
        )
    report = CampaignReport(
        as_of,
        window.label,
        window.start,
        window.end,
        currency,
        names,
        [_model_used(n, m) for n, m in chosen.items()],
        campaign_lines,
        channel_lines,
        dict(zip(names, totals.reached, strict=True)),
        notes,
        [LeftOut(c, n) for c, n in sorted(unrated.items())],
    )
    return report


def _order(key: LineKey) -> tuple[bool, str]:
    return (key[0] is not None, str(key[1]))


def _model_used(name: str, model: Any) -> ModelUsed:
    return ModelUsed(
        name,
        model.label or name,
        {k: float(v) for k, v in model.weights.items()},
        model.middle,
        model.half_life_days,
    )


def _line(
    model: str,
    campaign_id: int | None,
    campaign: str | None,
    channel: str | None,
    tally: Tally,
    cost: int | None,
    names: list[str],
) -> CreditLine:
    return CreditLine(
        model,
        campaign_id,
        campaign,
        channel,
        {n: c / MICRO for n, c in zip(names, tally.credit, strict=True)},
        round(tally.pipeline / MICRO),
        round(tally.won / MICRO),
        cost,
        {n: cost_per(cost, c) for n, c in zip(names, tally.credit, strict=True)},
    )


def _channel_costs(
    known: dict[int, tuple[str, str | None]], costs: dict[int, int | None]
) -> dict[str | None, int | None]:
    """A channel's cost is known when every campaign in it has a known cost."""
    out: dict[str | None, int | None] = {}
    for cid, (_name, channel) in known.items():
        cost = costs.get(cid)
        if channel in out:
            before = out[channel]
            out[channel] = None if before is None or cost is None else before + cost
        else:
            out[channel] = cost
    return out


def _notes(
    costs: dict[int, int | None],
    foreign: list[str],
    reached: list[int],
    unrated: dict[str, int],
) -> list[str]:
    notes = []
    if not any(reached):
        notes.append(_("No record reached a funnel milestone in this period: nothing to credit."))
    unknown = sum(1 for cost in costs.values() if cost is None)
    if unknown:
        notes.append(
            _(
                "{count} campaign(s) have no known cost: their cost per milestone is not shown, "
                "nor is it for their channel.",
                count=unknown,
            )
        )
    if foreign:
        notes.append(
            _(
                "Campaign costs in {currencies} are left out (not the workspace currency).",
                currencies=", ".join(foreign),
            )
        )
    if unrated:
        notes += left_out_notes(LeftOut(c, n) for c, n in sorted(unrated.items()))
    return notes
