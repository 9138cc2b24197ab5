"""`sqo review`: the weekly pipeline review as text, Markdown, one HTML file, or JSON."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from sqo.cli import output
from sqo.cli.analytics import analytics_workspace
from sqo.cli.context import state
from sqo.cli.options import AsOfOption
from sqo.domain.errors import InvalidValue, list_values
from sqo.i18n import _
from sqo.services.periods import as_of_moment
from sqo.services.review import weekly_review
from sqo.services.review_sections import WeeklyReview

FORMATS = ("text", "md", "html", "json")


def _rendered(review: WeeklyReview, form: str) -> str:
    # Each format imports its renderer only when chosen: the charts' (Altair) cost half a second.
    from sqo.reports.review_document import review_document

    document = review_document(review)
    if form == "html":
        from sqo.reports.review_html import review_html

        return review_html(document, review)
    if form == "md":
        from sqo.reports.review_markdown import review_markdown

        return review_markdown(document)
    from sqo.reports.review_text import review_text

    return review_text(document)


def review_command(
    ctx: typer.Context,
    week: Annotated[
        str | None,
        typer.Option("--week", help="The ISO week, e.g. 2026-W49 (default: last week)."),
    ] = None,
    team: Annotated[str | None, typer.Option("--team", help="Only this team's deals.")] = None,
    rep: Annotated[str | None, typer.Option("--rep", help="Only this rep's deals.")] = None,
    form: Annotated[
        str, typer.Option("--format", help="text, md (Markdown), html (one file) or json.")
    ] = "text",
    out: Annotated[
        Path | None, typer.Option("--out", help="Write to this file instead of the screen.")
    ] = None,
    as_of: AsOfOption = None,
) -> None:
    """The weekly pipeline review: what changed, key deals, rates, lost deals, coaching."""
    chosen = form.strip().casefold()
    if chosen not in FORMATS:
        raise InvalidValue(
            _(
                "Unknown format {value!r}. Formats: {allowed}.",
                value=form,
                allowed=list_values(FORMATS),
            ),
            field="format",
            allowed=FORMATS,
        )
    st = state(ctx)
    review = weekly_review(
        analytics_workspace(st),
        st.actor(),
        week=week,
        team=team,
        rep=rep,
        as_of=as_of_moment(as_of),
    )
    if chosen == "json":
        # to_dict() is the public form already; a value it left as is (there should be none)
        # still gets it. Walking the whole again cost seconds at a million deals.
        text = output.json_text(review.to_dict(), public=True)
    else:
        text = _rendered(review, chosen)
    if out is None:
        # Imported names and notes are data: control characters are shown, not sent on.
        sys.stdout.write(text if chosen in ("html", "json") else output.visible(text))
        return
    out.write_text(text, encoding="utf-8")
    output.error_console.print(
        _("Wrote the review of {week} to {path}.", week=review.week, path=str(out))
    )
