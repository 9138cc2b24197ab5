"""Screenshots of the weekly review for the documentation, English and Swedish.

    make screenshots        (or: python docs/screenshots.py [--week 2026-W20])

Builds the demo (seed 7, today 2026-06-30, the tests' demo) in a temporary folder, writes the
HTML review of one week in each language with `sqo review --format html`, and photographs the
first A4-shaped screen of each in headless Chromium (Debian's ``chromium`` package:
``apt-get install -y chromium``). The PNGs go to docs/review-en.png and docs/review-sv.png.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqo.services.workspace import Workspace

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
WINDOW = "1240,1754"  # A4's proportions at 150 dpi
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    sys.exit("No Chromium found: install it with 'apt-get install -y chromium'.")


def _decide(ws: Workspace, week: str) -> None:
    """Decisions taken at the Monday meeting of ``week`` on three deals of the week before's
    review, so that the screenshot's follow-up section has something to show."""
    from sqo.domain.actor import Actor
    from sqo.services.decisions import record_decision
    from sqo.services.review import weekly_review
    from sqo.services.review_scope import parse_week

    monday = parse_week(week, date(2026, 6, 30)).monday
    meeting = datetime.combine(monday, time(10))
    manager = Actor("Sales manager")
    before = weekly_review(
        ws, manager, week=parse_week(week, monday).previous().label, as_of=meeting
    )
    names = before.owners
    largest, risky = before.changes.largest, before.changes.at_risk
    due = monday + timedelta(days=4)
    for deal, kind in ((largest[0], "advance"), (largest[1], "close-out"), (risky[0], "advance")):
        owner = names[deal.owner_id] if deal.owner_id is not None else "Sales manager"
        record_decision(ws, manager, deal.id, decision=kind, owner=owner, due=due, at=meeting)
    if len(risky) > 1 and risky[1].owner_id is not None:
        record_decision(
            ws,
            manager,
            risky[1].id,
            decision="park",
            owner=names[risky[1].owner_id],
            due=due,
            until=monday + timedelta(days=21),
            note="Budget frozen until next month",
            at=meeting,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--week", default="2026-W20")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from sqo.domain.actor import Actor
    from sqo.services.demo import build_demo

    browser = chromium()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        db = work / "demo.db"
        built = build_demo(str(db), Actor("demo"), seed=7, today=date(2026, 6, 30))
        _decide(built.workspace, args.week)
        built.workspace.close()
        for lang in ("en", "sv"):
            page = work / f"review-{lang}.html"
            subprocess.run(
                [
                    *(sys.executable, "-m", "sqo", "--lang", lang, "--db", str(db), "review"),
                    *("--week", args.week, "--as-of", "2026-06-30", "--format", "html"),
                    *("--out", str(page)),
                ],
                check=True,
                cwd=ROOT,
            )
            target = DOCS / f"review-{lang}.png"
            profile = work / f"profile-{lang}"
            subprocess.run(
                [
                    *(browser, *FLAGS, f"--user-data-dir={profile}"),
                    *(f"--window-size={WINDOW}", f"--screenshot={target}", page.as_uri()),
                ],
                check=True,
                capture_output=True,
            )
            print(f"{target.relative_to(ROOT)}: {target.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
