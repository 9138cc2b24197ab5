"""Every moment's training rows from one reading of history equal the rows of one SQL query per
moment (``per_moment_rows``, the computation they replace): on the demo at all its snapshot
moments, labelled and not, and on SQLite and PostgreSQL on a deal whose history has ties (two
changes at the same instant), a close date moved back and forth, and moments falling exactly on
a change, an activity and a promotion."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqo.analytics.forecast.replay import history_read_once
from sqo.analytics.forecast.training_rows import (
    DealRow,
    history_span,
    rows_at,
    snapshot_moments,
    training_rows,
)
from sqo.domain.actor import Actor
from sqo.services import activities, opportunities
from sqo.services.workspace import Workspace, open_workspace
from tests import factories
from tests.conftest import DemoFile
from tests.integration.forecast.per_moment_rows import reference_rows

T0 = datetime(2026, 1, 5, 9, 0)
DAY = timedelta(days=1)


def per_moment(
    ws: Workspace,
    moments: list[datetime],
    outcome_at: datetime | None,
    only: list[int] | None = None,
) -> list[DealRow]:
    rows: list[DealRow] = []
    with ws.unit_of_work() as uow, history_read_once(uow.connection):
        for moment in moments:
            rows += reference_rows(
                uow.connection, ws.stage_model, moment, outcome_at=outcome_at, only=only
            )
    return rows


def at_once(
    ws: Workspace,
    moments: list[datetime],
    outcome_at: datetime | None,
    only: list[int] | None = None,
) -> list[DealRow]:
    with ws.unit_of_work() as uow:
        return rows_at(uow.connection, ws.stage_model, moments, outcome_at=outcome_at, only=only)


def same(found: list[DealRow], expected: list[DealRow]) -> None:
    # repr as well: 1 and 1.0 are equal, but a model fed one or the other is not the same model
    assert [r.deal_id for r in found] == [r.deal_id for r in expected]
    assert found == expected and repr(found) == repr(expected)


def test_the_demo_training_rows_equal_one_query_per_moment(demo_file: DemoFile) -> None:
    ws = open_workspace(str(demo_file.path))
    try:
        cutoff = datetime.combine(demo_file.today, datetime.min.time())
        with ws.unit_of_work() as uow:
            first, _last = history_span(uow.connection)
            assert first is not None
            found = training_rows(uow.connection, ws.stage_model, cutoff)
        moments = snapshot_moments(first, cutoff)
        expected = per_moment(ws, moments, cutoff)
        assert len(expected) > 1_000 and len({r.moment for r in expected}) > 40
        same(found, expected)
        # open deals, not labelled, at a few moments; and a handful of them by id
        some = moments[::7]
        open_rows = per_moment(ws, some, None)
        same(at_once(ws, some, None), open_rows)
        ids = sorted({r.deal_id for r in open_rows})[::5]
        same(at_once(ws, some, None, ids), per_moment(ws, some, None, ids))
    finally:
        ws.close()


def build(ws: Workspace, actor: Actor) -> tuple[int, list[datetime]]:
    """A deal with ties and reversals in its history, and the moments that fall on them."""
    factories.org(ws, actor)
    deal = factories.opportunity(
        ws, actor, "Deal", at=T0, moves=[("SQO", DAY)], close_date="2026-03-01"
    )
    other = factories.opportunity(
        ws, actor, "Other", at=T0, moves=[("SQO", 2 * DAY)], close_date="2026-02-01"
    )
    activities.log_activity(
        ws, actor, "email", opportunity_id=deal.id, direction="inbound", occurred_at=T0 + 5 * DAY
    )
    activities.log_activity(ws, actor, "call", opportunity_id=deal.id, occurred_at=T0 + 5 * DAY)
    for day, close in ((10, "2026-03-15"), (10, "2026-03-10"), (12, "2026-02-20"), (14, None)):
        opportunities.update_opportunity(ws, actor, deal.id, close_date=close, at=T0 + day * DAY)
    for day, close in ((16, "2026-04-01"), (17, "2026-04-15")):  # after none: not a push
        opportunities.update_opportunity(ws, actor, deal.id, close_date=close, at=T0 + day * DAY)
    for amount in ("12000", "15000"):  # two amounts at the same instant: the later row holds
        opportunities.update_opportunity(ws, actor, deal.id, amount=amount, at=T0 + 12 * DAY)
    opportunities.move_opportunity(ws, actor, deal.id, "Solution", at=T0 + 18 * DAY)
    opportunities.move_opportunity(
        ws, actor, other.id, "Lost", at=T0 + 20 * DAY, loss_reason="price"
    )
    activities.log_activity(ws, actor, "call", opportunity_id=deal.id, occurred_at=T0 + 40 * DAY)
    opportunities.move_opportunity(ws, actor, deal.id, "Won", at=T0 + 50 * DAY)
    exact = [T0 + d * DAY for d in (1, 2, 5, 10, 12, 14, 16, 17, 18, 20, 36, 40, 50)]
    between = [T0 + d * DAY + timedelta(hours=3) for d in range(0, 52, 3)]
    return deal.id, sorted(exact + between)


def test_ties_reversals_and_exact_moments(any_workspace: Workspace, actor: Actor) -> None:
    deal, moments = build(any_workspace, actor)
    for outcome_at in (None, T0 + 19 * DAY, T0 + 60 * DAY):
        expected = per_moment(any_workspace, moments, outcome_at)
        same(at_once(any_workspace, moments, outcome_at), expected)
    labelled = per_moment(any_workspace, moments, T0 + 60 * DAY)
    assert {r.deal_id for r in labelled} == {deal, deal + 1}
    assert max(r.pushes for r in labelled) == 2 and max(r.amount_changes for r in labelled) == 2
