"""The review's hygiene section: `sqo hygiene` as of the week's end, by owner and rule."""

from __future__ import annotations

from sqo.domain.hygiene.labels import rule_label
from sqo.i18n import _
from sqo.reports.document import Section, Table
from sqo.reports.formatting import day, number
from sqo.services.review_sections import WeeklyReview

HIGH_SHOWN = 15


def hygiene_section(review: WeeklyReview) -> Section:
    h = review.hygiene
    section = Section("hygiene", _("Hygiene findings by owner"))
    section.paragraphs.append(
        _(
            "{count} finding(s) on {deals} open deals as of {day}; the full list: sqo hygiene "
            "--as-of {iso}.",
            count=number(len(h.findings)),
            deals=number(h.open_deals),
            day=day(h.as_of),
            iso=h.as_of.date().isoformat(),
        )
    )
    rules = [[rule_label(k), number(n)] for k, n in h.rule_counts.items() if n]
    if rules:
        section.tables.append(Table([_("Rule"), _("Findings")], rules, (1,)))
    owners = [
        [
            c.owner_name or _("(team)"),
            c.team_name or "—",
            number(c.high),
            number(c.medium),
            number(c.low),
            number(c.total),
        ]
        for c in h.owner_counts
    ]
    if owners:
        headers = [_("Owner"), _("Team"), _("High"), _("Medium"), _("Low"), _("Total")]
        section.tables.append(Table(headers, owners, (2, 3, 4, 5)))
    high = [f for f in h.findings if f.severity.value == "high"]
    if high:
        rows = [
            [
                f"#{f.opportunity_id} {f.opportunity_name}" if f.opportunity_id else "—",
                f.owner_name or f.team_name or "—",
                rule_label(f.rule),
                f.message,
                f.action,
            ]
            for f in high[:HIGH_SHOWN]
        ]
        headers = [_("Deal"), _("Owner"), _("Rule"), _("Finding"), _("Suggested action")]
        caption = _(
            "High severity: {shown} of {count}.", shown=min(len(high), HIGH_SHOWN), count=len(high)
        )
        section.tables.append(Table(headers, rows, (), caption))
    return section
