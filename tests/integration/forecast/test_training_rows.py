"""Training rows know only what was known at their moment: a deal's features at a past moment
against its history written here, on SQLite and PostgreSQL (the replay's temporary intervals
table included)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from sqo.analytics.forecast.replay import history_read_once
from sqo.analytics.forecast.training_rows import DealRow, deal_rows
from sqo.domain.actor import Actor
from sqo.services import activities, directory, opportunities
from sqo.services.workspace import Workspace
from sqo.store import tables as t
from tests import factories

T0 = datetime(2026, 1, 5, 9, 0)
DAY = timedelta(days=1)


def build(ws: Workspace, actor: Actor) -> int:
    factories.org(ws, actor)
    deal = factories.opportunity(
        ws, actor, "Deal", at=T0, moves=[("SQO", DAY)], close_date="2026-03-01"
    )
    activities.log_activity(
        ws, actor, "email", opportunity_id=deal.id, direction="inbound", occurred_at=T0 + 5 * DAY
    )
    opportunities.update_opportunity(ws, actor, deal.id, close_date="2026-03-15", at=T0 + 10 * DAY)
    opportunities.update_opportunity(ws, actor, deal.id, amount="12000", at=T0 + 12 * DAY)
    activities.log_activity(ws, actor, "call", opportunity_id=deal.id, occurred_at=T0 + 20 * DAY)
    opportunities.move_opportunity(ws, actor, deal.id, "Won", at=T0 + 30 * DAY)
    return deal.id


def rows_at(ws: Workspace, moment: datetime, outcome_at: datetime | None) -> list[DealRow]:
    with ws.unit_of_work() as uow, history_read_once(uow.connection):
        return deal_rows(uow.connection, ws.stage_model, moment, outcome_at=outcome_at)


def test_features_are_as_of_their_moment(any_workspace: Workspace, actor: Actor) -> None:
    deal = build(any_workspace, actor)
    (early,) = rows_at(any_workspace, T0 + 8 * DAY, T0 + 40 * DAY)
    assert early.deal_id == deal and early.stage == "SQO" and early.won is True
    assert (early.pushes, early.amount_changes, early.activities) == (0, 0, 1)
    assert early.inbound_share == 1.0 and early.amount_cents == 1_000_000
    assert early.days_in_stage == pytest.approx(7.0)
    assert early.age_days == pytest.approx(8.0)
    assert early.days_to_close == pytest.approx((datetime(2026, 3, 1) - datetime(2026, 1, 13)).days)
    assert early.days_since_activity == pytest.approx(3.0)
    # promoted by the factory over the gate: what its promotion record says
    q = t.qualification_snapshots
    with any_workspace.unit_of_work() as uow:
        score, overridden, detail = uow.connection.execute(
            select(q.c.score, q.c.overridden, q.c.detail).where(q.c.opportunity_id == deal)
        ).one()
    assert early.overridden is overridden is True and early.qualification_score == score
    assert early.group_scores == tuple((g["key"], g["score"]) for g in detail["groups"])
    assert len(early.group_scores) == 5
    (later,) = rows_at(any_workspace, T0 + 25 * DAY, None)
    assert (later.pushes, later.amount_changes, later.activities) == (1, 1, 2)
    assert later.inbound_share == 0.5 and later.amount_cents == 1_200_000
    assert later.recent_activities == 2 and later.won is None
    # closed by then: no longer an open deal; not closed by the outcome moment: no label
    assert rows_at(any_workspace, T0 + 31 * DAY, None) == []
    assert rows_at(any_workspace, T0 + 8 * DAY, T0 + 20 * DAY) == []


def test_buying_roles_count_from_when_they_became_known(
    any_workspace: Workspace, actor: Actor
) -> None:
    deal = build(any_workspace, actor)
    for name, role in (("Eva", "economic_buyer"), ("Jon", "champion"), ("Kim", "champion")):
        directory.add_contact(
            any_workspace, actor, name, account="Acme", buying_role=role, opportunity_id=deal
        )
    r = t.opportunity_contacts
    with any_workspace.unit_of_work() as uow:
        ids = list(uow.connection.execute(select(r.c.id).order_by(r.c.id)).scalars())
        # Known on day 3 (economic buyer), day 15 (champion) and day 16 (a second champion).
        for role_id, day in zip(ids, (3, 15, 16), strict=True):
            uow.connection.execute(
                r.update().where(r.c.id == role_id).values(added_at=T0 + day * DAY)
            )
        uow.commit()
    counts = [rows_at(any_workspace, T0 + d * DAY, None)[0].buying_roles for d in (2, 8, 15, 25)]
    assert counts == [0, 1, 2, 2]  # the role known exactly at the moment counts; champions once
    with any_workspace.unit_of_work() as uow:
        uow.connection.execute(r.update().where(r.c.id == ids[2]).values(added_at=None))
        uow.commit()
    # One role of unknown date: how many the deal had then cannot be told.
    assert rows_at(any_workspace, T0 + 25 * DAY, None)[0].buying_roles is None
