"""The backtest as a chart: each method's reliability (mean predicted against observed share won,
per tenth of probability; the diagonal is perfect calibration), made with Altair and rendered
offline by vl-convert (SVG or PNG) or written as a self-contained HTML page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqo.i18n import _
from sqo.services.forecast_backtest import BacktestReport


def reliability_chart(report: BacktestReport) -> Any:
    import altair as alt  # only when a chart is asked for: it takes a while to import

    rows = [
        {
            "method": r.method,
            "predicted": b.predicted,
            "observed": b.observed,
            "deals": b.deals,
            "brier": f"{r.method} (Brier {r.brier:.3f})" if r.brier is not None else r.method,
        }
        for r in report.results
        for b in r.reliability
        if b.deals
    ]
    data = alt.Data(values=rows)  # type: ignore[no-untyped-call]
    diagonal = alt.Data(values=[{"x": 0, "y": 0}, {"x": 1, "y": 1}])  # type: ignore[no-untyped-call]
    scale = alt.Scale(domain=[0, 1])
    line = (
        alt.Chart(diagonal)
        .mark_line(color="#999999", strokeDash=[4, 4])
        .encode(x=alt.X("x:Q", scale=scale), y=alt.Y("y:Q", scale=scale))
    )
    points = (
        alt.Chart(data)
        .mark_line(point=True)
        .encode(
            x=alt.X("predicted:Q", scale=scale, title=_("Predicted win probability")),
            y=alt.Y("observed:Q", scale=scale, title=_("Share won")),
            color=alt.Color("brier:N", title=_("Method")),
            tooltip=["method:N", "predicted:Q", "observed:Q", "deals:Q"],
        )
    )
    title = _(
        "Forecast backtest {start} – {end}: reliability",
        start=report.start.isoformat(),
        end=report.end.isoformat(),
    )
    return (line + points).properties(width=480, height=480, title=title)


def write_chart(report: BacktestReport, path: Path) -> None:
    """``.html``: a page that draws the chart in a browser; ``.png``: an image; else SVG."""
    chart = reliability_chart(report)
    suffix = path.suffix.lower()
    if suffix == ".html":
        chart.save(str(path))
        return
    import vl_convert

    if suffix == ".png":
        path.write_bytes(vl_convert.vegalite_to_png(chart.to_dict()))
    else:
        path.write_text(vl_convert.vegalite_to_svg(chart.to_dict()), encoding="utf-8")
