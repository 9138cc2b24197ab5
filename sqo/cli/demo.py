"""`sqo demo`: build the demo workspace and show its pipeline."""

from __future__ import annotations

import os
import sys
import time
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from sqo.cli import output
from sqo.cli.context import state
from sqo.cli.workspace import render_summary
from sqo.domain.actor import Actor
from sqo.domain.errors import InvalidValue
from sqo.domain.values import parse_date
from sqo.i18n import _
from sqo.services.demo import DEFAULT_SEED, build_demo
from sqo.services.opportunities import list_opportunities
from sqo.services.pipeline import pipeline_summary
from sqo.services.workspace import Workspace

EARLIEST_TODAY = date(1990, 1, 1)
LATEST_TODAY = date(2100, 12, 31)


def _showcase(ws: Workspace) -> int:
    """The biggest open SQO: the deal a manager would look at first."""
    deals = list_opportunities(ws, Actor("demo"), open_only=True, limit=None)
    sqos = [o for o in deals if ws.stage_model.at_or_after_sqo(o.stage)] or deals
    return max(sqos, key=lambda o: o.amount_cents or 0).id if sqos else 1


def _today(value: str | None) -> date | None:
    """The demo's 'today': a real date, late enough for 18 months before it and early enough
    for the simulated deals that close after it."""
    if value is None:
        return None
    day = parse_date(value, field="--today")
    if not EARLIEST_TODAY <= day <= LATEST_TODAY:
        raise InvalidValue(
            _(
                "The demo's --today must be between {earliest} and {latest}, not {value}.",
                earliest=EARLIEST_TODAY.isoformat(),
                latest=LATEST_TODAY.isoformat(),
                value=day.isoformat(),
            ),
            field="today",
        )
    return day


def demo_command(
    ctx: typer.Context,
    seed: Annotated[int, typer.Option(help="Same seed and --today, same data.")] = DEFAULT_SEED,
    today: Annotated[
        str | None, typer.Option(help="The demo's 'today', YYYY-MM-DD (default: today).")
    ] = None,
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve the web app afterwards.")
    ] = True,
) -> None:
    """Build a realistic demo workspace (3 teams, 28 people, 18 months) and show its pipeline."""
    st = state(ctx)
    day = _today(today)
    started = time.perf_counter()
    with output.console.status(_("Building the demo organisation…")):
        built = build_demo(st.db, st.actor(), seed=seed, today=day)
    seconds = time.perf_counter() - started
    c = built.counts
    output.console.print(
        _(
            "Demo workspace {db} built in {seconds} s: {reps} people, {accounts} accounts, "
            "{leads} leads, {opps} opportunities, {activities} activities, {history} history rows "
            "(seed {seed}, today {today}).",
            db=built.workspace.url.removeprefix("sqlite:///"),
            seconds=f"{seconds:.1f}",
            reps=c["reps"],
            accounts=c["accounts"],
            leads=output.number(c["leads"]),
            opps=output.number(c["opportunities"]),
            activities=output.number(c["activities"]),
            history=output.number(c["history"]),
            seed=built.seed,
            today=built.today,
        )
    )
    render_summary(pipeline_summary(built.workspace, st.actor()))
    showcase = _showcase(built.workspace)
    db_flag = f"--db {st.db} " if st.db else ""
    output.console.print(_("Try next:"))
    for command in (
        "opp list --open",
        f"qualify {showcase}",
        f"history {showcase}",
        "funnel --by segment",
        "benchmarks",
        "near-misses",
        "forecast",
        "hygiene",
        "review --format html --out review.html",
    ):
        output.console.print(f"  sqo {db_flag}{command}")
    if not os.environ.get("VIRTUAL_ENV") and sys.prefix != sys.base_prefix:
        output.console.print(
            _(
                "(The sqo command is in {bin}; run 'source {activate}' to use it directly.)",
                bin=str(Path(sys.prefix) / "bin"),
                activate=str(Path(sys.prefix) / "bin" / "activate"),
            )
        )
    built.workspace.close()
    if serve:
        output.console.print(_("The web app is not part of this release yet; nothing to serve."))
