"""The weekly review as a document: titled sections of sentences and tables, in the reader's
language. The Markdown, text and HTML renderings all write this one document, so the three
formats say the same thing."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqo.i18n import _
from sqo.reports.formatting import day, money, number, percent, signed, signed_money
from sqo.services.analytics_reports import sample_text
from sqo.services.review_sections import DealChange, Promotion, WeeklyReview

HEADLINES = {
    "pipeline_amount": "Pipeline (SQOs closing in the period)",
    "pipeline_deals": "Deals in the pipeline",
    "new_sqos": "New SQOs",
    "won_amount": "Won",
    "lost_deals": "Deals lost",
    "pushed_out_deals": "Deals pushed out of the period",
}
REASONS = {
    "new": "New (created or newly qualified)",
    "pulled_in": "Pulled into the period",
    "amount_changes": "Amount changes",
    "pushed_out": "Pushed out of the period (slipped)",
    "won": "Won",
    "lost": "Lost",
    "moved_below_sqo": "Moved back below SQO",
    "amount_up": "Amount up",
    "amount_down": "Amount down",
    "stage_forward": "Stage forward",
    "stage_back": "Stage back",
    "category_in": "Forecast category up",
    "category_out": "Forecast category down",
    "close_date_later": "Close date later",
    "owner_changed": "Owner changed",
}


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]
    right: tuple[int, ...] = ()  # right-aligned columns (numbers)
    caption: str = ""


@dataclass
class Section:
    key: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    chart: str | None = None  # a chart of sqo.reports.charts, for formats that draw


@dataclass
class Document:
    title: str
    subtitle: str
    sections: list[Section]


def reason_label(name: str) -> str:
    return _(REASONS[name])


def _deal(review: WeeklyReview, deal_id: int, name: str) -> str:
    return f"#{deal_id} {name}"


def _owner(review: WeeklyReview, owner_id: int | None) -> str:
    return review.owners.get(owner_id, "—") if owner_id is not None else "—"


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
        largest = ", ".join(_deal(review, d.id, d.name) for d in reason.opportunities[:3])
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


def _new_sqos(review: WeeklyReview) -> Section:
    rows = [
        [
            _deal(review, p.opportunity_id, p.name),
            _owner(review, p.owner_id),
            percent(p.score),
            _("override") if p.overridden else _("passed") if p.passed else _("not passed"),
            p.justification or "",
        ]
        for p in review.new_sqos
    ]
    section = Section("new_sqos", _("New SQOs"))
    if not rows:
        section.paragraphs.append(_("No deal became an SQO this week."))
        return section
    overrides = sum(p.overridden for p in review.new_sqos)
    section.paragraphs.append(
        _(
            "{count} new SQO(s), {overrides} through a gate override; lowest score first.",
            count=len(rows),
            overrides=overrides,
        )
    )
    headers = [_("Deal"), _("Owner"), _("Score"), _("Gate"), _("Justification")]
    section.tables.append(Table(headers, rows, (2,)))
    return section


def _deal_rows(review: WeeklyReview, deals: list[DealChange]) -> list[list[str]]:
    cur = review.currency
    return [
        [
            _deal(review, d.id, d.name),
            _owner(review, d.owner_id),
            d.stage_now or "—",
            money(d.amount_now_cents, cur),
            money(d.expected_cents, cur),
            day(d.close_now),
            ", ".join(reason_label(r) for r in d.reasons),
        ]
        for d in deals
    ]


def _key_deals(review: WeeklyReview) -> Section:
    headers = [
        _("Deal"),
        _("Owner"),
        _("Stage"),
        _("Amount"),
        _("Expected"),
        _("Close date"),
        _("This week"),
    ]
    c = review.changes
    section = Section("key_deals", _("Key SQOs to discuss"))
    for caption, deals in (
        (_("Largest expected value"), c.largest),
        (_("Biggest movers"), c.movers),
        (_("At risk: slipped, cut, moved back or past their close date"), c.at_risk),
    ):
        if deals:
            section.tables.append(Table(headers, _deal_rows(review, deals), (3, 4), caption))
    if not section.tables:
        section.paragraphs.append(_("No open SQOs in the pipeline."))
    return section


OUTCOMES = {"held": "held", "broken": "broken", "pending": "pending"}


def _decisions(review: WeeklyReview) -> Section:
    section = Section("decisions", _("Last week's decisions: held or broken"))
    if not review.decisions:
        section.paragraphs.append(
            _("No decisions to follow up this week (record them with 'sqo decide').")
        )
        return section
    counts = Counter(f.outcome.value for f in review.decisions)
    section.paragraphs.append(
        _(
            "{held} held, {broken} broken, {pending} pending.",
            held=counts["held"],
            broken=counts["broken"],
            pending=counts["pending"],
        )
    )
    rows = [
        [
            _deal(review, f.decision.opportunity_id, f.decision.opportunity_name),
            _(DECISIONS[f.decision.decision.value]),
            f.decision.owner,
            day(f.decision.due_date),
            f"{f.decision.stage} → {f.stage_then or '—'}",
            _(OUTCOMES[f.outcome.value]),
            f.why,
        ]
        for f in review.decisions
    ]
    headers = [
        _("Deal"),
        _("Decision"),
        _("Owner"),
        _("Due"),
        _("Stage then → now"),
        _("Held?"),
        _("Why"),
    ]
    section.tables.append(Table(headers, rows))
    return section


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
            _deal(review, m.id, m.name),
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


DEALS_SHOWN = 5
DECISIONS = {
    "advance": "advance",
    "move-back": "move back",
    "park": "park",
    "close-out": "close out",
}


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
    headers = [_("Step"), _("Entered"), _("Converted"), _("Still open"), _("Rate")]
    table = Table(headers, rows, (1, 2, 3, 4))
    return Section("funnel", _("Funnel, last 13 weeks"), [text], [table], chart="funnel")


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


def _lost(review: WeeklyReview) -> Section:
    section = Section("lost_sqos", _("Lost SQOs and what was weak when they became SQOs"))
    lost = review.changes.reason("lost")
    promoted = {p.opportunity_id: p for p in review.lost_sqos}
    if not lost.opportunities:
        section.paragraphs.append(_("No SQO was lost this week."))
        return section
    weak: Counter[str] = Counter(c for p in review.lost_sqos for c in p.unmet)
    if weak:
        common = ", ".join(f"{name} ({count})" for name, count in weak.most_common(3))
        section.paragraphs.append(
            _("Most often not met at promotion: {criteria}.", criteria=common)
        )
    rows = []
    for d in lost.opportunities:
        p: Promotion | None = promoted.get(d.id)
        rows.append(
            [
                _deal(review, d.id, d.name),
                _owner(review, d.owner_id),
                money(d.amount_now_cents, review.currency),
                percent(p.score) if p else "—",
                (", ".join(p.unmet) or _("none")) if p else _("no gate record"),
            ]
        )
    headers = [_("Deal"), _("Owner"), _("Amount"), _("Score at promotion"), _("Not met then")]
    section.tables.append(Table(headers, rows, (2, 3)))
    return section


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
        "new_sqos": _new_sqos,
        "key_deals": _key_deals,
        "decisions": _decisions,
        "forecast": _forecast,
        "funnel": _funnel,
        "benchmarks": _benchmarks,
        "lost_sqos": _lost,
        "reps": _reps,
    }
    sections = [builders[key](review) for key in review.sections if key in builders]
    if review.notes:
        sections.insert(0, Section("notes", _("Notes"), list(review.notes)))
    return Document(title, subtitle, sections)
