"""The review's charts: Vega-Lite specifications made with Altair, rendered offline to SVG by
vl-convert (no browser, no network), so that the HTML review carries them inline.

Every label on a chart comes through the translation layer like the rest of the review.
"""

from __future__ import annotations

from typing import Any, cast

import altair as alt
import vl_convert

from sqo.i18n import _
from sqo.reports.document import reason_label
from sqo.reports.formatting import money, percent
from sqo.services.review_sections import WeeklyReview

WIDTH = 620
COLOURS = {"up": "#2f7d4f", "down": "#b8433a", "total": "#3b5b8c", "band": "#d9e6f2"}


def svg(chart: alt.TopLevelMixin) -> str:
    """The chart as an SVG element (no XML prolog: it sits inside an HTML page)."""
    text: str = vl_convert.vegalite_to_svg(chart.to_dict())
    return text[text.find("<svg") :]


def waterfall(review: WeeklyReview) -> alt.LayerChart:
    """Start, each bar's rise or fall, end: floating bars whose ends meet."""
    c, cur = review.changes, review.currency
    levels = [c.start_cents]
    for _bar_name, _deals, cents in review.waterfall():
        levels.append(levels[-1] + cents)
    # Totals stand on a floor below the lowest level, so that a week's changes, small beside
    # the whole pipeline, still show.
    floor = _floor(min(levels))
    rows: list[dict[str, Any]] = [
        _bar(_("Start"), floor, c.start_cents, "total", money(c.start_cents, cur))
    ]
    for (bar, _deals, cents), level in zip(review.waterfall(), levels, strict=False):
        kind = "up" if cents >= 0 else "down"
        rows.append(_bar(reason_label(bar), level, level + cents, kind, money(cents, cur)))
    rows.append(_bar(_("End"), floor, levels[-1], "total", money(levels[-1], cur)))
    order: list[str] = [str(r["label"]) for r in rows]
    base = alt.Chart(alt.Data(values=rows))  # type: ignore[no-untyped-call]
    bars = base.mark_bar().encode(
        x=alt.X("label:N", sort=order, title=None, axis=alt.Axis(labelAngle=-30, labelLimit=140)),
        y=alt.Y(
            "low:Q",
            title=_("Amount ({currency})", currency=cur),
            axis=alt.Axis(format="~s"),
            scale=alt.Scale(zero=False),
        ),
        y2="high:Q",
        color=alt.Color(
            "kind:N",
            scale=alt.Scale(domain=list(COLOURS)[:3], range=list(COLOURS.values())[:3]),
            legend=None,
        ),
    )
    labels = base.mark_text(dy=-6, fontSize=10).encode(
        x=alt.X("label:N", sort=order), y="top:Q", text="text:N"
    )
    return cast(
        alt.LayerChart,
        (bars + labels).properties(
            width=WIDTH, height=240, title=_("Pipeline change, {week}", week=review.week)
        ),
    )


def _floor(cents: int) -> int:
    """Three quarters of ``cents``, rounded down to a round number (0 for small pipelines)."""
    value = int(cents * 0.75)
    step = 10 ** max(len(str(abs(value))) - 2, 0)
    return int(max(0, value // step * step))


def _bar(label: str, a: int, b: int, kind: str, text: str) -> dict[str, Any]:
    lo, hi = sorted((a / 100, b / 100))
    return {"label": label, "low": lo, "high": hi, "top": hi, "kind": kind, "text": text}


def funnel(review: WeeklyReview) -> alt.LayerChart:
    rows = [
        {
            "step": f"{c.from_milestone} → {c.to_milestone}",
            "entered": c.entered,
            "rate": c.rate,
            "text": percent(c.rate),
        }
        for c in review.funnel
    ]
    order: list[str] = [str(r["step"]) for r in rows]
    base = alt.Chart(alt.Data(values=rows))  # type: ignore[no-untyped-call]
    bars = base.mark_bar(color=COLOURS["total"]).encode(
        y=alt.Y("step:N", sort=order, title=None),
        x=alt.X(
            "rate:Q",
            title=_("Conversion"),
            axis=alt.Axis(format="%"),
            scale=alt.Scale(domain=[0, 1]),
        ),
    )
    text = base.mark_text(align="left", dx=4).encode(
        y=alt.Y("step:N", sort=order), x="rate:Q", text="text:N"
    )
    return cast(
        alt.LayerChart,
        (bars + text).properties(
            width=WIDTH - 120, height=24 * max(len(rows), 1), title=_("Funnel conversion")
        ),
    )


def benchmarks(review: WeeklyReview) -> alt.LayerChart | None:
    """The rates next to their benchmark band, overall and per segment."""
    rows = [
        {
            "name": f"{_(v.label)} · {v.segment or _('All')}",
            "value": v.value,
            "low": v.low,
            "high": v.high,
            "text": percent(v.value),
        }
        for v in review.benchmarks
        if v.metric in ("sql_to_sqo", "sqo_win_rate") and v.value is not None
    ]
    if not rows:
        return None
    order: list[str] = [str(r["name"]) for r in rows]
    base = alt.Chart(alt.Data(values=rows))  # type: ignore[no-untyped-call]
    band = base.mark_bar(color=COLOURS["band"], height=16).encode(
        y=alt.Y("name:N", sort=order, title=None, axis=alt.Axis(labelLimit=260)),
        x=alt.X("low:Q", title=_("Rate (band: the benchmark range)"), axis=alt.Axis(format="%")),
        x2="high:Q",
    )
    value = base.mark_tick(color=COLOURS["down"], thickness=3, size=18).encode(
        y=alt.Y("name:N", sort=order), x="value:Q"
    )
    text = base.mark_text(align="left", dx=6).encode(
        y=alt.Y("name:N", sort=order), x="value:Q", text="text:N"
    )
    return cast(
        alt.LayerChart,
        (band + value + text).properties(
            width=WIDTH - 220, height=24 * len(rows), title=_("Rates against the benchmarks")
        ),
    )


def forecast_range(review: WeeklyReview) -> alt.LayerChart:
    """P10 to P90 as a band, P50 as a tick, the quota as a rule, what is already won as a bar."""
    f = review.forecast
    rows = [
        {
            "name": f.period,
            "p10": f.p10_cents / 100,
            "p90": f.p90_cents / 100,
            "p50": f.p50_cents / 100,
            "won": f.won_cents / 100,
        }
    ]
    base = alt.Chart(alt.Data(values=rows))  # type: ignore[no-untyped-call]
    y = alt.Y("name:N", title=None)
    band = base.mark_bar(color=COLOURS["band"], height=28).encode(
        y=y,
        x=alt.X(
            "p10:Q", title=_("Amount ({currency})", currency=f.currency), axis=alt.Axis(format="~s")
        ),
        x2="p90:Q",
    )
    won = base.mark_bar(color=COLOURS["up"], height=10).encode(y=y, x=alt.X("won:Q"))
    p50 = base.mark_tick(color=COLOURS["total"], thickness=3, size=32).encode(y=y, x="p50:Q")
    layers = band + won + p50
    if f.quota_cents is not None:
        quota = alt.Chart(alt.Data(values=[{"quota": f.quota_cents / 100}]))  # type: ignore[no-untyped-call]
        layers = layers + quota.mark_rule(color=COLOURS["down"], strokeDash=[4, 3], size=2).encode(
            x="quota:Q"
        )
    title = _("Forecast range P10–P90 (band), P50 (tick), won (green), quota (dashed)")
    return cast(alt.LayerChart, layers.properties(width=WIDTH - 80, height=60, title=title))


def chart_svg(name: str, review: WeeklyReview) -> str | None:
    """The named chart of a section as inline SVG, None when it has nothing to draw."""
    if name == "waterfall":
        return svg(waterfall(review))
    if name == "funnel":
        return svg(funnel(review)) if review.funnel else None
    if name == "forecast":
        return svg(forecast_range(review))
    if name == "benchmarks":
        chart = benchmarks(review)
        return None if chart is None else svg(chart)
    return None
