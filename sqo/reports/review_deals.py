"""The review's sections about single deals: new SQOs, key SQOs, decisions, lost SQOs and
hygiene findings."""

from __future__ import annotations

from collections import Counter

from sqo.i18n import _
from sqo.reports.document import Section, Table, deal_label, owner_name, reason_label
from sqo.reports.formatting import day, money, percent
from sqo.services.review_sections import DealChange, Promotion, WeeklyReview


def new_sqos_section(review: WeeklyReview) -> Section:
    rows = [
        [
            deal_label(review, p.opportunity_id, p.name),
            owner_name(review, p.owner_id),
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
            deal_label(review, d.id, d.name),
            owner_name(review, d.owner_id),
            d.stage_now or "—",
            money(d.amount_now_cents, cur),
            money(d.expected_cents, cur),
            day(d.close_now),
            ", ".join(reason_label(r) for r in d.reasons),
        ]
        for d in deals
    ]


def key_deals_section(review: WeeklyReview) -> Section:
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


def decisions_section(review: WeeklyReview) -> Section:
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
            deal_label(review, f.decision.opportunity_id, f.decision.opportunity_name),
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


DECISIONS = {
    "advance": "advance",
    "move-back": "move back",
    "park": "park",
    "close-out": "close out",
}


def lost_section(review: WeeklyReview) -> Section:
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
                deal_label(review, d.id, d.name),
                owner_name(review, d.owner_id),
                money(d.amount_now_cents, review.currency),
                percent(p.score) if p else "—",
                (", ".join(p.unmet) or _("none")) if p else _("no gate record"),
            ]
        )
    headers = [_("Deal"), _("Owner"), _("Amount"), _("Score at promotion"), _("Not met then")]
    section.tables.append(Table(headers, rows, (2, 3)))
    return section
