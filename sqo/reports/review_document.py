"""The weekly review as a document: titled sections of sentences and tables, in the reader's
language. The Markdown, text and HTML renderings all write this one document, so the three
formats say the same thing."""

from __future__ import annotations

from sqo.i18n import _
from sqo.reports.document import Document, Section, Table, deal_label, reason_label
from sqo.reports.formatting import day, money, number, percent, signed, signed_money
from sqo.reports.review_deals import (
    decisions_section,
    key_deals_section,
    lost_section,
    new_sqos_section,
)
from sqo.reports.review_hygiene import hygiene_section
from sqo.services.analytics_reports import sample_text
from sqo.services.review_sections import WeeklyReview

HEADLINES = {
    "pipeline_amount": "Pipeline (SQOs closing in the period)",
    "pipeline_deals": "Deals in the pipeline",
    "new_sqos": "New SQOs",
    "won_amount": "Won",
    "lost_deals": "Deals lost",
    "pushed_out_deals": "Deals pushed out of the period",
}


def _headlines(review: WeeklyReview) -> Section:
    cur = review.currency
    rows = []
    for h in review.headlines:
        show = (lambda v: money(v, cur)) if h.money else number
        change = signed_money(h.change, cur) if h.money else signed(h.change)
        rows.append([_(HEADLINES[h.key]), show(h.this_week), show(h.last_week), change])
    table = Table([_("Measure"), _("This week"), _("Last week"), _("Change")], rows, (1, 2, 3))
    return Section("headlines", _("Headline numbers"), tables=[table])


def _changes(review: WeeklyReview) -> Section:
    c, cur = review.changes, review.currency
    rows = [[_("Pipeline at the start"), number(c.start_deals), money(c.start_cents, cur)]]
    for bar, deals, cents in review.waterfall():
        rows.append([reason_label(bar), number(deals), signed_money(cents, cur)])
    rows.append([_("Pipeline at the end"), number(c.end_deals), money(c.end_cents, cur)])
    waterfall = Table([_("Change"), _("Deals"), _("Amount")], rows, (1, 2))
    tags = []
    for reason in c.reasons:
        if reason.name in ("new", "pulled_in", "pushed_out", "won", "lost", "moved_below_sqo"):
            continue
        largest = ", ".join(deal_label(review, d.id, d.name) for d in reason.opportunities[:3])
        amount = (
            signed_money(reason.amount_cents, cur)
            if reason.name in ("amount_up", "amount_down")
            else money(reason.amount_cents, cur)
        )
        tags.append([reason_label(reason.name), number(reason.deals), amount, largest])
    other = Table(
        [_("What else changed"), _("Deals"), _("Amount"), _("Largest deals")],
        tags,
        (1, 2),
        _("Amount: the change for amount up and down, else the deals' amounts now."),
    )
    text = _(
        "Deals closing {lo} – {hi}, as they stood at the start of {start} and at the end of {end}.",
        lo=day(c.close_from),
        hi=day(c.close_to),
        start=day(review.start),
        end=day(review.end),
    )
    return Section("changes", _("What changed"), [text], [waterfall, other], chart="waterfall")


DEALS_SHOWN = 5


def _forecast(review: WeeklyReview) -> Section:
    f, cur = review.forecast, review.currency
    text = _(
        "{period} ({start} – {end}), as of the end of the week: P50 {p50} against a quota of "
        "{quota}.",
        period=f.period,
        start=day(f.period_start),
        end=day(f.period_end),
        p50=money(f.p50_cents, cur),
        quota=money(f.quota_cents, cur),
    )
    figures = [
        (_("Won so far"), f.won_cents),
        (_("Commit"), f.commit_cents),
        (_("Best case"), f.best_case_cents),
        (_("Expected"), f.expected_cents),
        (_("P10 (nine in ten forecasts reach it)"), f.p10_cents),
        (_("P50"), f.p50_cents),
        (_("P90 (one in ten forecasts reach it)"), f.p90_cents),
        (_("Quota"), f.quota_cents),
        (_("Gap to quota (quota − P50)"), f.gap_cents),
    ]
    table = Table([_("Forecast"), _("Amount")], [[k, money(v, cur)] for k, v in figures], (1,))
    movers = [
        [
            deal_label(review, m.id, m.name),
            m.owner or "—",
            money(m.amount_cents, cur),
            percent(m.probability),
            money(m.swing_cents, cur),
        ]
        for m in f.movers[:DEALS_SHOWN]
    ]
    headers = [_("Deal"), _("Owner"), _("Amount"), _("Win"), _("Swing")]
    tables = [table]
    if movers:
        tables.append(Table(headers, movers, (2, 3, 4), _("Deals that move the forecast most")))
    return Section(
        "forecast", _("Forecast range against quota"), [text, *f.notes], tables, chart="forecast"
    )


def _funnel(review: WeeklyReview) -> Section:
    rows = [
        [
            f"{c.from_milestone} → {c.to_milestone}",
            number(c.entered),
            number(c.converted),
            number(c.open),
            percent(c.rate),
        ]
        for c in review.funnel
    ]
    text = _(
        "Records that entered each milestone {start} – {end}, and how many went on.",
        start=day(review.benchmarks_from),
        end=day(review.end),
    )
    texts = [text]
    last = review.funnel[-1] if review.funnel else None
    if last is not None and last.open:
        # The funnel's last rate and the benchmarks' win rate differ by the open deals: say so,
        # or a reader sees 25% here and 32% in the next section for "the same" figure.
        texts.append(
            _(
                "Rate: converted ÷ entered, the records still open included. The win rate "
                "against the benchmarks counts closed deals only: {won} won of {closed} closed "
                "({share}), {open} still open.",
                won=number(last.converted),
                closed=number(last.converted + last.dropped),
                share=percent(last.converted / (last.converted + last.dropped))
                if last.converted + last.dropped
                else "—",
                open=number(last.open),
            )
        )
    headers = [_("Step"), _("Entered"), _("Converted"), _("Still open"), _("Rate")]
    table = Table(headers, rows, (1, 2, 3, 4))
    return Section("funnel", _("Funnel, last 13 weeks"), texts, [table], chart="funnel")


def _benchmarks(review: WeeklyReview) -> Section:
    rows = [
        [
            _(v.label),
            v.segment or _("All"),
            "—" if v.value is None else _shown(v.value, v.metric),
            f"{_shown(v.low, v.metric)} – {_shown(v.high, v.metric)}",
            "—" if v.sample is None else f"{number(v.sample)} {sample_text(v.metric)}",
            v.sentence,
        ]
        for v in review.benchmarks
    ]
    headers = [_("Metric"), _("Segment"), _("Value"), _("Benchmark"), _("Sample"), _("Verdict")]
    text = _(
        "Cohorts that entered {start} – {end}, as they stood at the end of the week.",
        start=day(review.benchmarks_from),
        end=day(review.end),
    )
    table = Table(headers, rows, (2,))
    return Section(
        "benchmarks",
        _("Conversion and win rates against the benchmarks"),
        [text],
        [table],
        chart="benchmarks",
    )


def _shown(value: float, metric: str) -> str:
    if metric == "sales_cycle":
        return _("{days} days", days=number(value))
    if metric == "pipeline_coverage":
        return f"{number(value, 1)}×"
    return percent(value)


def _reps(review: WeeklyReview) -> Section:
    cur = review.currency
    rows = [
        [
            r.rep,
            r.team or "—",
            money(r.pipeline_cents, cur),
            number(r.pipeline_deals),
            number(r.sqos_created),
            f"{percent(r.win_rate)} ({r.won}/{r.won + r.lost})",
            number(r.cycle_days),
            number(r.hygiene_findings),
        ]
        for r in review.reps
    ]
    headers = [
        _("Rep"),
        _("Team"),
        _("Pipeline"),
        _("Deals"),
        _("SQOs created"),
        _("Win rate (won/closed)"),
        _("Cycle, days"),
        _("Hygiene findings"),
    ]
    return Section(
        "reps", _("Per rep, for coaching"), tables=[Table(headers, rows, (2, 3, 4, 5, 6, 7))]
    )


def review_document(review: WeeklyReview) -> Document:
    who = review.rep or review.team or _("everyone")
    title = _("Weekly pipeline review {week}: {who}", week=review.week, who=who)
    subtitle = _(
        "{start} – {end}; figures as of {as_of}; amounts in {currency}.",
        start=day(review.start),
        end=day(review.end),
        as_of=day(review.as_of),
        currency=review.currency,
    )
    builders = {
        "headlines": _headlines,
        "changes": _changes,
        "new_sqos": new_sqos_section,
        "key_deals": key_deals_section,
        "decisions": decisions_section,
        "hygiene": hygiene_section,
        "forecast": _forecast,
        "funnel": _funnel,
        "benchmarks": _benchmarks,
        "lost_sqos": lost_section,
        "reps": _reps,
    }
    sections = [builders[key](review) for key in review.sections if key in builders]
    if review.notes:
        sections.insert(0, Section("notes", _("Notes"), list(review.notes)))
    return Document(title, subtitle, sections)


__all__ = ["Document", "Section", "Table", "reason_label", "review_document"]
