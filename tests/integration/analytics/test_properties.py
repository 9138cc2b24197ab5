"""Invariants on random histories: cohorts partition the records, rates stay in [0, 1], and the
pipeline change reconciles start + changes = end against an independent replay in Python."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sqo.domain.actor import Actor
from sqo.services import analytics
from sqo.services.workspace import init_workspace
from tests.factories import org
from tests.integration.analytics.helpers import edit, move, opp

T = datetime(2026, 1, 1, 9)
STAGES = ["Qualification", "SQO", "Solution", "Proposal", "Won", "Lost"]
OPEN_SQO = {"SQO", "Solution", "Proposal"}

step = st.tuples(
    st.integers(1, 60),  # days after the previous step
    st.sampled_from(["stage", "amount", "close"]),
    st.sampled_from(STAGES),
    st.integers(1, 50),  # amount in hundreds
    st.integers(0, 120),  # close date: days after T
)
deal = st.tuples(
    st.sampled_from(["Qualification", "SQO", "Proposal"]),
    st.integers(0, 60),
    st.sampled_from(["Acme", "Globex"]),
    st.lists(step, max_size=4),
)


def _build(tmp: Path, deals):
    actor = Actor(name="prop")
    # A fresh file per example: hypothesis may draw the same deals again with another cut.
    ws = init_workspace(str(tmp / f"p{uuid.uuid4().hex}.db"), actor)
    org(ws, actor)
    timeline = []  # per deal: list of (moment, stage, amount, close)
    for n, (stage, start, account, steps) in enumerate(deals):
        at = T + timedelta(days=start)
        amount, close = 10, T.date() + timedelta(days=30)
        oid = opp(
            ws,
            actor,
            f"D{n}",
            at,
            stage,
            account=account,
            amount=str(amount * 100),
            close_date=close.isoformat(),
        )
        states = [(at, stage, amount, close)]
        current = stage
        for gap, kind, target, new_amount, close_days in steps:
            at = at + timedelta(days=gap)
            if kind == "stage" and target != current:
                move(ws, actor, oid, target, at)
                current = target
                if target in ("Won", "Lost"):
                    close = at.date()
            elif kind == "amount":
                amount = new_amount
                edit(ws, actor, oid, at, amount=str(amount * 100))
            elif kind == "close" and current not in ("Won", "Lost"):
                close = T.date() + timedelta(days=close_days)
                edit(ws, actor, oid, at, close_date=close.isoformat())
            else:
                continue
            states.append((at, current, amount, close))
        timeline.append(states)
    return ws, actor, timeline


def _pipeline(timeline, moment: datetime, lo: date, hi: date) -> int:
    total = 0
    for states in timeline:
        seen = [s for s in states if s[0] <= moment]
        if seen:
            _at, stage, amount, close = seen[-1]
            if stage in OPEN_SQO and lo <= close <= hi:
                total += amount * 100 * 100
    return total


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    deals=st.lists(deal, min_size=1, max_size=6), split=st.integers(0, 150), span=st.integers(0, 90)
)
def test_waterfall_reconciles_with_a_replay(tmp_path, deals, split, span):
    ws, actor, timeline = _build(tmp_path, deals)
    try:
        first = T.date() + timedelta(days=split)
        last = first + timedelta(days=span)
        change = analytics.pipeline_change_report(ws, actor, start=first, end=last, limit=3)
        assert change.reconciles
        lo, hi = change.close_from, change.close_to
        start_moment = datetime.combine(first, datetime.min.time())
        assert change.start_cents == _pipeline(timeline, start_moment, lo, hi)
        end_moment = datetime.combine(last, datetime.max.time())
        assert change.end_cents == _pipeline(timeline, end_moment, lo, hi)
    finally:
        ws.close()


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(deals=st.lists(deal, min_size=1, max_size=6), cut=st.integers(0, 200))
def test_cohorts_partition_and_rates_are_bounded(tmp_path, deals, cut):
    ws, actor, _timeline = _build(tmp_path, deals)
    try:
        as_of = T + timedelta(days=cut)
        total = analytics.funnel(ws, actor, as_of=as_of)
        split = analytics.funnel(ws, actor, by="segment,month", as_of=as_of)
        for report in (total, split):
            for row in report.conversions:
                assert min(row.converted, row.open, row.dropped) >= 0
                assert 0.0 <= row.rate <= 1.0
            for rate in report.win_rates:
                assert rate.rate is None or 0.0 <= rate.rate <= 1.0
        for row in total.conversions:
            parts = [
                c
                for c in split.conversions
                if (c.from_milestone, c.to_milestone) == (row.from_milestone, row.to_milestone)
            ]
            assert sum(c.entered for c in parts) == row.entered
            assert sum(c.converted for c in parts) == row.converted
            assert sum(c.dropped for c in parts) == row.dropped
        existing = sum(1 for d in deals if T + timedelta(days=d[1]) <= as_of)
        lead_rows = [
            c for c in total.conversions if c.from_milestone == "Lead" and c.to_milestone == "MQL"
        ]
        assert sum(c.entered for c in lead_rows) == existing  # every opportunity passed Lead
    finally:
        ws.close()
