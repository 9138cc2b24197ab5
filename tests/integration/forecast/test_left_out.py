"""Open deals without an amount or a close date are listed and left out of every sum, never
counted as 0 or as closing today."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqo.domain.actor import Actor
from sqo.services.forecast import forecast_report
from sqo.services.workspace import Workspace
from tests import factories

T0 = datetime(2026, 4, 2, 9, 0)
DAY = timedelta(days=1)


def test_deals_without_amount_or_close_date_are_listed(workspace: Workspace, actor: Actor) -> None:
    factories.org(workspace, actor)
    moves = [("SQO", DAY), ("Commit", 2 * DAY)]
    whole = factories.opportunity(
        workspace, actor, "Whole", at=T0, moves=moves, close_date="2026-06-10"
    )
    no_amount = factories.opportunity(
        workspace, actor, "No amount", at=T0, moves=moves, amount=None, close_date="2026-06-10"
    )
    no_date = factories.opportunity(workspace, actor, "No date", at=T0, moves=moves)
    report = forecast_report(workspace, actor, period="2026-Q2", as_of=T0 + 5 * DAY)
    assert [d.id for d in report.deals] == [whole.id]
    assert {(x.id, x.reason) for x in report.left_out} == {
        (no_amount.id, "amount"),
        (no_date.id, "close_date"),
    }
    assert report.commit_cents == 1_000_000  # the whole deal only: Commit category, in period
    assert report.p90_cents <= 1_000_000
    assert any("left out of every sum" in n for n in report.notes)
