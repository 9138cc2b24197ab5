"""The database's credit for records with several touches (shapes multiplied out, time decay in
SQL) equals the record-by-record credit in Python (:func:`shares`, checked by hand elsewhere),
on a seeded random workspace: SQLite and PostgreSQL."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest

from sqo.analytics.attribution.credit import MICRO
from sqo.analytics.attribution.paths import (
    Window,
    many_touch_records,
    one_touch_lines,
    reached,
    touch_table,
)
from sqo.analytics.attribution.shapes import decay_lines, shape_rows
from sqo.analytics.attribution.totals import ManyTouch, Steps, attribute
from sqo.analytics.attribution.touches import deal_values
from sqo.analytics.milestone_table import materialized
from sqo.analytics.milestones import milestone_ladder
from sqo.domain.attribution import shipped_models
from sqo.services import directory, leads, opportunities
from sqo.services.campaign_touches import record_touch
from sqo.services.campaigns import campaign_report
from sqo.services.workspace import init_workspace
from tests import factories

T0 = datetime(2026, 1, 5, 9, 0)
DAY = timedelta(days=1)
AS_OF = datetime(2026, 6, 30, 23, 59)


@pytest.fixture
def ws(db_url, actor):
    rng = random.Random(16)
    workspace = init_workspace(db_url, actor)
    factories.org(workspace, actor)
    for name in "ABCD":
        directory.add_campaign(workspace, actor, name, channel=f"channel {name}")
    for n in range(24):
        created = T0 + rng.randrange(0, 20) * DAY
        lead = leads.create_lead(
            workspace, actor, name=f"Lead {n}", campaign=rng.choice("ABCD"), at=created
        )
        for _ in range(rng.randrange(0, 5)):
            record_touch(
                workspace,
                actor,
                campaign=rng.choice("ABCD"),
                lead_id=lead.id,
                at=created
                + rng.randrange(-10, 60) * DAY
                + rng.randrange(0, 24) * timedelta(hours=1),
            )
        leads.move_lead(workspace, actor, lead.id, "MQL", at=created + 5 * DAY)
        if n % 3 == 0:
            continue
        leads.move_lead(workspace, actor, lead.id, "SQL", at=created + 9 * DAY)
        _l, opp = leads.convert_lead(
            workspace, actor, lead.id, at=created + 10 * DAY, amount=str(1000 * (n + 1))
        )
        moves = [("SQO", 14)] + ([("Won", 40)] if n % 2 else [("Lost", 30)])
        for stage, day in moves:
            opportunities.move_opportunity(
                workspace,
                actor,
                opp.id,
                stage,
                at=created + day * DAY,
                justification="test: promoted without recorded evidence",
                loss_reason="price" if stage == "Lost" else None,
            )
    yield workspace
    workspace.close()


def test_database_credit_equals_record_by_record_credit(ws):
    models = shipped_models().models
    ladder = milestone_ladder(ws.stage_model)
    steps = Steps(len(ladder.names), ladder.index(ws.stage_model.sqo_stage), len(ladder.names) - 1)
    window = Window()
    with (
        ws.unit_of_work() as uow,
        materialized(uow.connection, ladder, AS_OF) as times,
        touch_table(uow.connection, AS_OF) as touches,
    ):
        c = uow.connection
        values = deal_values(ws.stage_model, AS_OF, "USD")  # as a subquery: the same rows
        counts = reached(c, times, steps.count, window)
        one = one_touch_lines(c, times, touches, values, steps.count, steps.sqo, steps.won, window)
        shapes, untouched = shape_rows(
            c, times, touches, values, steps.count, steps.sqo, steps.won, window
        )
        decay = {"time-decay": decay_lines(c, times, touches, values, steps.count, 7.0, window)}
        in_db = attribute(
            models, steps, counts, one, (), window, ManyTouch(shapes, untouched, decay)
        )
        records = list(many_touch_records(c, times, touches, values, steps.count))
        by_python = attribute(models, steps, counts, one, records, window)
    assert len(records) >= 10, "the fixture must give many records several touches"
    for name in models:
        got, expected = in_db.lines[name], by_python.lines[name]
        keys = set(got) | set(expected)
        for key in keys:
            a, b = got.get(key), expected.get(key)
            credit_a = a.credit if a else [0] * steps.count
            credit_b = b.credit if b else [0] * steps.count
            if name == "time-decay":
                # Floating-point weights in the database, exact fractions of the same floats in
                # Python: the largest remainder may break a near-tie the other way.
                assert all(
                    abs(x - y) <= len(records) for x, y in zip(credit_a, credit_b, strict=True)
                )
                assert abs((a.won if a else 0) - (b.won if b else 0)) <= MICRO * 100
            else:
                assert credit_a == credit_b, (name, key)
                assert (a.pipeline if a else 0, a.won if a else 0) == (
                    b.pipeline if b else 0,
                    b.won if b else 0,
                ), (name, key)
        for step in range(steps.count):
            assert sum(t.credit[step] for t in got.values()) == counts[step] * MICRO


@pytest.mark.parametrize("period", [None, "2026-Q1"])
def test_the_analytics_copy_gives_the_databases_report(ws, actor, monkeypatch, period):
    """`sqo campaigns` reads the analytics copy (DuckDB) on a large workspace: every figure,
    time decay's micro-shares included, is the workspace database's."""
    reports = {}
    for mode in ("off", "required"):
        monkeypatch.setenv("SQO_ANALYTICS_COPY", mode)
        reports[mode] = campaign_report(ws, actor, as_of=AS_OF, period=period).to_dict()
    assert reports["required"]["funnel"]["SQO"] > 0
    assert reports["required"] == reports["off"]
