"""Change reasons of a demo week against a replay of the history table written here in Python,
and against the waterfall of `sqo pipeline-change` for the same days."""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from datetime import date, datetime, time
from typing import Any

import pytest

from sqo.analytics.periods import quarter_bounds
from sqo.domain.actor import Actor
from sqo.domain.stages import load_stage_model
from sqo.services.analytics import pipeline_change_report
from sqo.services.review import weekly_review
from sqo.services.review_scope import parse_week
from sqo.services.workspace import open_workspace

WEEKS = ("2026-W14", "2026-W20")  # W14 runs across a quarter's end (Mar 30 - Apr 5)
FIELDS = ("stage", "amount_cents", "close_date", "owner_id")


def _replay(path: str, moment: datetime) -> dict[int, dict[str, Any]]:
    """Each opportunity's fields at ``moment``: the last value written on or before it."""
    db = sqlite3.connect(path)
    rows = db.execute(
        "SELECT record_id, field, new_value, changed_at, id FROM history "
        "WHERE record_type = 'opportunity' AND field IN (?, ?, ?, ?)",
        FIELDS,
    ).fetchall()
    db.close()
    latest: dict[tuple[int, str], tuple[str, int, str | None]] = {}
    for record, name, value, at, row_id in rows:
        if datetime.fromisoformat(at) > moment:
            continue
        key = (record, name)
        if key not in latest or (at, row_id) > latest[key][:2]:
            latest[key] = (at, row_id, value)
    deals: dict[int, dict[str, Any]] = defaultdict(dict)
    for (record, name), (_at, _id, value) in latest.items():
        deals[record][name] = value
    return deals


def _expected(path: str, start: datetime, end: datetime) -> tuple[Counter[str], Counter[str]]:
    model = load_stage_model()
    sqo_open = [s.name for s in model.open_opportunity_stages() if model.at_or_after_sqo(s.name)]
    opens = [s.name for s in model.open_opportunity_stages()]
    order = {s.name: i for i, s in enumerate(model.stages)}
    rank = {"Pipeline": 1, "Best Case": 2, "Commit": 3}
    category = {s.name: rank.get(s.forecast_category.value, 0) for s in model.stages}
    lo, hi = quarter_bounds(start.date())[0].isoformat(), quarter_bounds(end.date())[1].isoformat()
    then, now = _replay(path, start), _replay(path, end)
    deals, cents = Counter[str](), Counter[str]()
    for i, d1 in now.items():
        d0 = then.get(i, {})
        s0, s1 = d0.get("stage"), d1.get("stage")
        c0, c1 = d0.get("close_date"), d1.get("close_date")
        a0, a1 = int(d0.get("amount_cents") or 0), int(d1.get("amount_cents") or 0)
        in0 = s0 in sqo_open and c0 is not None and lo <= c0 <= hi
        in1 = s1 in sqo_open and c1 is not None and lo <= c1 <= hi
        if not (in0 or in1):
            continue
        reasons = []
        if in1 and not in0:
            reasons.append("pulled_in" if s0 in sqo_open else "new")
        elif in0 and not in1:
            if s1 == "Won":
                reasons.append("won")
            elif s1 == "Lost":
                reasons.append("lost")
            elif s1 in sqo_open:
                reasons.append("pushed_out")
            else:
                reasons.append("moved_below_sqo")
        if in0 and a1 > a0:
            reasons.append("amount_up")
        if in0 and a1 < a0:
            reasons.append("amount_down")
        if s0 in opens and s1 in opens:
            if order[s1] > order[s0]:
                reasons.append("stage_forward")
            if order[s1] < order[s0]:
                reasons.append("stage_back")
            if category[s1] > category[s0]:
                reasons.append("category_in")
            if category[s1] < category[s0]:
                reasons.append("category_out")
            if c0 and c1 and c1 > c0:
                reasons.append("close_date_later")
        if d0.get("owner_id") and d1.get("owner_id") and d0["owner_id"] != d1["owner_id"]:
            reasons.append("owner_changed")
        for reason in reasons:
            deals[reason] += 1
            if reason in ("new", "pulled_in"):
                cents[reason] += a1
            elif reason in ("pushed_out", "won", "lost", "moved_below_sqo"):
                cents[reason] -= a1
            elif reason in ("amount_up", "amount_down"):
                cents[reason] += a1 - a0
            else:
                cents[reason] += a1
    return deals, cents


@pytest.mark.parametrize("week", WEEKS)
def test_reasons_equal_a_replay_of_history(demo_file: Any, week: str) -> None:
    ws = open_workspace(str(demo_file.path))
    try:
        review = weekly_review(ws, Actor("tester"), week=week, as_of=datetime(2026, 6, 30, 12))
    finally:
        ws.close()
    reviewed = parse_week(week, date(2026, 6, 30))
    deals, cents = _expected(str(demo_file.path), reviewed.start, reviewed.end)
    got = {r.name: (r.deals, r.amount_cents) for r in review.changes.reasons}
    want = {name: (deals[name], cents[name]) for name in got}
    assert got == want
    assert sum(deals.values()) > 20  # the week is not an empty one


@pytest.mark.parametrize("week", WEEKS)
def test_movements_are_the_waterfall_bars(demo_file: Any, week: str) -> None:
    reviewed = parse_week(week, date(2026, 6, 30))
    ws = open_workspace(str(demo_file.path))
    try:
        review = weekly_review(ws, Actor("tester"), week=week, as_of=datetime(2026, 6, 30, 12))
        waterfall = pipeline_change_report(
            ws, Actor("tester"), start=reviewed.monday, end=reviewed.sunday
        )
    finally:
        ws.close()
    bars = {b.name: (b.deals, b.amount_cents) for b in waterfall.bars}
    names = {"new": "created", "moved_below_sqo": "demoted", "amount_changes": "amount_changes"}
    mine = {names.get(bar, bar): (n, cents) for bar, n, cents in review.waterfall()}
    assert mine == bars
    c = review.changes
    assert (c.start_cents, c.end_cents) == (waterfall.start_cents, waterfall.end_cents)
    assert (c.start_deals, c.end_deals) == (waterfall.start_deals, waterfall.end_deals)
    assert datetime.combine(reviewed.sunday, time.max) == reviewed.end


@pytest.mark.parametrize("week", WEEKS)
def test_last_weeks_headlines_equal_a_replay_of_the_week_before(demo_file: Any, week: str) -> None:
    # The week before is computed in the same pass over history as the week (its own close
    # window: W13's quarter is not all of W14's).
    ws = open_workspace(str(demo_file.path))
    try:
        review = weekly_review(ws, Actor("tester"), week=week, as_of=datetime(2026, 6, 30, 12))
    finally:
        ws.close()
    before = parse_week(week, date(2026, 6, 30)).previous()
    deals, cents = _expected(str(demo_file.path), before.start, before.end)
    model = load_stage_model()
    sqo_open = [s.name for s in model.open_opportunity_stages() if model.at_or_after_sqo(s.name)]
    lo = quarter_bounds(before.monday)[0].isoformat()
    hi = quarter_bounds(before.sunday)[1].isoformat()
    pipeline = [
        int(d.get("amount_cents") or 0)
        for d in _replay(str(demo_file.path), before.end).values()
        if d.get("stage") in sqo_open and lo <= (d.get("close_date") or "") <= hi
    ]
    last = {h.key: h.last_week for h in review.headlines}
    assert last["won_amount"] == -cents["won"]
    assert last["lost_deals"] == deals["lost"]
    assert last["pushed_out_deals"] == deals["pushed_out"]
    assert (last["pipeline_deals"], last["pipeline_amount"]) == (len(pipeline), sum(pipeline))
    assert pipeline and deals["won"] > 0  # a week with something in it
