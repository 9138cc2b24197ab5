"""The weekly review as one self-contained HTML file: the style inline, the charts inline SVG,
no script, font or image fetched from anywhere, so it opens from an e-mail attachment and
prints on A4 (a section's heading stays with its first table; a table row is never split)."""

from __future__ import annotations

from html import escape

from sqo import i18n
from sqo.reports.charts import chart_svg
from sqo.reports.document import Document, Section, Table
from sqo.services.review_sections import WeeklyReview

STYLE = """
@page { size: A4; margin: 14mm 12mm; }
* { box-sizing: border-box; }
body { font-family: "Helvetica Neue", Arial, "Liberation Sans", sans-serif; font-size: 10.5pt;
  color: #1f2933; margin: 0 auto; max-width: 186mm; line-height: 1.35; }
header { border-bottom: 3px solid #3b5b8c; margin-bottom: 10px; padding-bottom: 6px; }
h1 { font-size: 18pt; margin: 8px 0 2px; }
header p { margin: 0; color: #52606d; }
h2 { font-size: 13pt; color: #3b5b8c; margin: 18px 0 6px; break-after: avoid;
  page-break-after: avoid; }
section { break-inside: auto; }
section.headlines, section.notes { break-inside: avoid; }
p { margin: 4px 0 6px; }
table { border-collapse: collapse; width: 100%; margin: 4px 0 10px; font-size: 9pt; }
caption { text-align: left; font-weight: bold; padding: 4px 0; caption-side: top; }
th { text-align: left; background: #eef2f7; border-bottom: 1px solid #9aa5b1; padding: 3px 5px; }
td { border-bottom: 1px solid #e4e7eb; padding: 3px 5px; vertical-align: top; }
td.n, th.n { text-align: right; white-space: nowrap; }
tr { break-inside: avoid; page-break-inside: avoid; }
thead { display: table-header-group; }
figure { margin: 6px 0 12px; break-inside: avoid; page-break-inside: avoid; }
figure svg { max-width: 100%; height: auto; }
footer { color: #7b8794; font-size: 8pt; margin-top: 16px; border-top: 1px solid #e4e7eb; }
@media print { a { color: inherit; text-decoration: none; } }
"""


def _table(table: Table) -> str:
    def cell(tag: str, i: int, text: str) -> str:
        kind = ' class="n"' if i in table.right else ""
        return f"<{tag}{kind}>{escape(text)}</{tag}>"

    head = "".join(cell("th", i, h) for i, h in enumerate(table.headers))
    body = "".join(
        "<tr>" + "".join(cell("td", i, c) for i, c in enumerate(row)) + "</tr>"
        for row in table.rows
    )
    caption = f"<caption>{escape(table.caption)}</caption>" if table.caption else ""
    return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _section(section: Section, review: WeeklyReview) -> str:
    parts = [
        f'<section class="{section.key}" id="{section.key}">',
        f"<h2>{escape(section.title)}</h2>",
    ]
    parts += [f"<p>{escape(p)}</p>" for p in section.paragraphs]
    drawn = chart_svg(section.chart, review) if section.chart else None
    if drawn:
        parts.append(f'<figure class="chart" data-chart="{section.chart}">{drawn}</figure>')
    parts += [_table(t) for t in section.tables]
    parts.append("</section>")
    return "\n".join(parts)


def review_html(document: Document, review: WeeklyReview) -> str:
    sections = "\n".join(_section(s, review) for s in document.sections)
    return (
        f'<!DOCTYPE html>\n<html lang="{i18n.current_language()}">\n<head>\n'
        '<meta charset="utf-8">\n<meta name="viewport" content="width=device-width">\n'
        f"<title>{escape(document.title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        f"<header><h1>{escape(document.title)}</h1><p>{escape(document.subtitle)}</p></header>\n"
        f"{sections}\n<footer>sqo · {escape(review.week)}</footer>\n</body>\n</html>\n"
    )
