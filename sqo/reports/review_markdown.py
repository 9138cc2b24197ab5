"""The weekly review as Markdown that pastes into Slack or an e-mail: headings, short tables."""

from __future__ import annotations

from sqo.reports.document import Document, Table


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(table: Table) -> list[str]:
    lines = [f"_{table.caption}_", ""] if table.caption else []
    lines.append("| " + " | ".join(_cell(h) for h in table.headers) + " |")
    lines.append(
        "|"
        + "|".join("---:" if i in table.right else "---" for i in range(len(table.headers)))
        + "|"
    )
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in table.rows]
    return [*lines, ""]


def review_markdown(document: Document) -> str:
    lines = [f"# {document.title}", "", f"_{document.subtitle}_", ""]
    for section in document.sections:
        lines += [f"## {section.title}", ""]
        for paragraph in section.paragraphs:
            lines += [paragraph, ""]
        for table in section.tables:
            lines += _table(table)
    return "\n".join(lines).rstrip() + "\n"
