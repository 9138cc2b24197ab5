"""The weekly review as plain text for a terminal: aligned columns, no markup."""

from __future__ import annotations

import textwrap

from sqo.reports.document import Document, Table

WIDEST_CELL = 48  # free text (justifications, deal lists) is cut to keep rows on one line


def _fit(text: str) -> str:
    return text if len(text) <= WIDEST_CELL else text[: WIDEST_CELL - 1] + "…"


def _table(table: Table) -> list[str]:
    rows = [[_fit(c) for c in row] for row in [table.headers, *table.rows]]
    widths = [max(len(r[i]) for r in rows) for i in range(len(table.headers))]

    def line(row: list[str]) -> str:
        cells = [
            c.rjust(widths[i]) if i in table.right else c.ljust(widths[i])
            for i, c in enumerate(row)
        ]
        return "  ".join(cells).rstrip()

    out = [table.caption] if table.caption else []
    out += [line(rows[0]), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in rows[1:]]
    return [*out, ""]


def review_text(document: Document) -> str:
    lines = [document.title, document.subtitle, ""]
    for section in document.sections:
        lines += [section.title, "=" * len(section.title)]
        for paragraph in section.paragraphs:
            lines += [*textwrap.wrap(paragraph, 100), ""]
        for table in section.tables:
            lines += _table(table)
    return "\n".join(lines).rstrip() + "\n"
