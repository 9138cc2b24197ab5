"""Cohort conversion, win rate and cycle on a small hand-built history (SQLite and PostgreSQL).

Days after T0 (Monday 2026-01-05 09:00), milestones Lead(0) MQL(1) SAL(2) SQL(3) SQO(4) Won(5):
  A  lead (SMB): Lead 0, MQL 1, SAL 2, SQL 4, converted 5 (Qualification), SQO 7, Won 17
  B  opportunity created at SQO on day 1 (Globex, enterprise, Bo Ek), Lost on day 11
  C  opportunity at Qualification 2, SQO 3, back to Qualification 4, SQO again 6; open
  D  opportunity at SQO 0, Won 10, reopened to Negotiation 12 (open)
  E  lead (SMB) at Lead 0, Disqualified 3
  F  lead (mid-market) created at MQL on day 1, open
Skipped milestones count as passed at the later one, so B passed Lead..SQL on day 1, C passed
Lead..SQL on day 2 (Qualification is beyond SQL), D passed Lead..SQO on day 0, F passed Lead on 1.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from sqo.domain.errors import InvalidValue
from sqo.services import analytics, leads
from tests.conftest import T0
from tests.factories import org
from tests.integration.analytics.helpers import day, lead, lead_move, move, opp

LATER = T0 + timedelta(days=365)


@pytest.fixture
def history(any_workspace, actor):
    ws = any_workspace
    org(ws, actor)
    a = lead(ws, actor, "A", T0, segment="SMB")
    lead_move(ws, actor, a, "MQL", day(T0, 1))
    lead_move(ws, actor, a, "SAL", day(T0, 2))
    lead_move(ws, actor, a, "SQL", day(T0, 4))
    _, a_opp = leads.convert_lead(ws, actor, a, at=day(T0, 5), owner="Ann Lee", amount="100")
    move(ws, actor, a_opp.id, "SQO", day(T0, 7))
    move(ws, actor, a_opp.id, "Won", day(T0, 17))
    b = opp(ws, actor, "B", day(T0, 1), "SQO", account="Globex", owner="Bo Ek")
    move(ws, actor, b, "Lost", day(T0, 11))
    c = opp(ws, actor, "C", day(T0, 2), "Qualification")
    move(ws, actor, c, "SQO", day(T0, 3))
    move(ws, actor, c, "Qualification", day(T0, 4))
    move(ws, actor, c, "SQO", day(T0, 6))
    d = opp(ws, actor, "D", T0, "SQO")
    move(ws, actor, d, "Won", day(T0, 10))
    move(ws, actor, d, "Negotiation", day(T0, 12))
    e = lead(ws, actor, "E", T0, segment="SMB")
    lead_move(ws, actor, e, "Disqualified", day(T0, 3))
    lead(ws, actor, "F", day(T0, 1), stage="MQL", segment="mid-market")
    return ws


def _row(report, a, b, **group):
    found = [
        c
        for c in report.conversions
        if c.from_milestone == a
        and c.to_milestone == b
        and all(c.group[k] == v for k, v in group.items())
    ]
    assert len(found) == 1, found
    return found[0]


def test_conversion_counts_rates_and_days(history, actor):
    report = analytics.funnel(history, actor, as_of=LATER)
    lm = _row(report, "Lead", "MQL")
    # entered A B C D E F; E disqualified; days to MQL: A 1, others 0 -> [0,0,0,0,1]
    assert (lm.entered, lm.converted, lm.open, lm.dropped) == (6, 5, 0, 1)
    assert lm.rate == pytest.approx(5 / 6)
    assert lm.median_days == pytest.approx(0.0)
    assert lm.p90_days == pytest.approx(0.6)  # 0 + 0.6 * (1 - 0) at position 3.6
    ms = _row(report, "MQL", "SAL")
    assert (ms.entered, ms.converted, ms.open, ms.dropped) == (5, 4, 1, 0)  # F still at MQL
    assert ms.p90_days == pytest.approx(0.7)  # [0,0,0,1] at position 2.7
    sq = _row(report, "SQL", "SQO")
    # A 3 days (4 -> 7), B 0, C 1 (first time at SQO, day 3), D 0 -> [0,0,1,3]
    assert (sq.entered, sq.converted, sq.rate) == (4, 4, 1.0)
    assert sq.median_days == pytest.approx(0.5)
    assert sq.p90_days == pytest.approx(2.4)  # 1 + 0.7 * (3 - 1)
    won = _row(report, "SQO", "Won")
    # A and D reached Won (D's reopening does not undo it); B lost; C open
    assert (won.entered, won.converted, won.open, won.dropped) == (4, 2, 1, 1)
    assert won.rate == 0.5
    assert won.median_days == pytest.approx(10.0)
    to_won = _row(report, "Lead", "Won")
    assert (to_won.entered, to_won.converted, to_won.open, to_won.dropped) == (6, 2, 2, 2)
    assert to_won.median_days == pytest.approx(13.5)  # A 17, D 10
    assert to_won.p90_days == pytest.approx(16.3)  # 10 + 0.9 * 7


def test_win_rate_counts_reopened_deals_as_open_and_cycle_runs_from_first_contact(history, actor):
    report = analytics.funnel(history, actor, as_of=LATER)
    (rate,) = report.win_rates
    # SQOs A B C D: A won, B lost, C open, D reopened (open)
    assert (rate.sqos, rate.won, rate.lost, rate.open) == (4, 1, 1, 2)
    assert rate.rate == 0.5
    (cycle,) = report.cycles
    assert cycle.won == 1  # only A is won as of now
    assert cycle.median_days == pytest.approx(17.0)  # lead created day 0, won day 17


def test_breakdown_by_segment_and_period(history, actor):
    report = analytics.funnel(history, actor, by="segment,month", as_of=LATER)
    smb = _row(report, "SQO", "Won", segment="SMB", month="2026-01-01")
    assert (smb.entered, smb.converted, smb.open, smb.dropped) == (3, 2, 1, 0)  # A C D
    ent = _row(report, "SQO", "Won", segment="enterprise")
    assert (ent.entered, ent.converted, ent.dropped, ent.rate) == (1, 0, 1, 0.0)  # B
    rates = {r.group["segment"]: r.rate for r in report.win_rates}
    assert rates == {"SMB": 1.0, "enterprise": 0.0}
    weekly = analytics.funnel(history, actor, by=["owner", "week"], as_of=LATER)
    bo = _row(weekly, "Lead", "MQL", owner="Bo Ek")
    assert bo.group["week"] == "2026-01-05" and bo.entered == 1


def test_as_of_ignores_later_history(history, actor):
    report = analytics.funnel(history, actor, as_of=day(T0, 9))
    won = _row(report, "SQO", "Won")
    # on day 9 A (SQO day 7), B, C and D are SQOs; nothing won or lost yet
    assert (won.entered, won.converted, won.open, won.dropped) == (4, 0, 4, 0)
    assert report.win_rates[0].rate is None


def test_cohort_window_selects_by_entry_into_the_earlier_milestone(history, actor):
    report = analytics.funnel(
        history, actor, start=date(2026, 1, 6), end=date(2026, 1, 31), as_of=LATER
    )
    lm = _row(report, "Lead", "MQL")
    assert (lm.entered, lm.converted) == (3, 3)  # B (day 1), C (day 2), F (day 1)


def test_empty_period_gives_zeros_with_a_note(history, actor):
    report = analytics.funnel(
        history, actor, start=date(2030, 1, 1), end=date(2030, 3, 31), as_of=LATER
    )
    assert report.notes and all(c.entered == 0 and c.rate == 0.0 for c in report.conversions)
    assert len(report.conversions) == 9


def test_bad_input_names_the_valid_values(history, actor):
    with pytest.raises(InvalidValue, match="Valid breakdowns: segment, owner, manager, team"):
        analytics.funnel(history, actor, by="region")
    with pytest.raises(InvalidValue, match="is after --to"):
        analytics.funnel(history, actor, start=date(2026, 2, 1), end=date(2026, 1, 1))
    with pytest.raises(InvalidValue, match="Milestones: Lead, MQL, SAL, SQL, SQO, Won"):
        analytics.funnel(history, actor, from_stage="Proposal")
    with pytest.raises(InvalidValue, match="Valid stages"):
        analytics.stage_report(history, actor, stage="Nope")


def test_stage_drop_off_and_time_in_stage(history, actor):
    report = analytics.stage_report(history, actor, as_of=LATER)
    drops = {(c.from_milestone, c.to_milestone): c for c in report.drop_off}
    qs = drops[("Qualification", "SQO")]
    # reached Qualification: A (day 5), B, C, D (created beyond it); all reached SQO
    assert (qs.entered, qs.converted) == (4, 4)
    neg = drops[("Negotiation", "Commit")]
    # Negotiation reached by A and D (Won is beyond it, D also sits there now), B never
    assert (neg.entered, neg.converted) == (2, 2)
    times = {x.stage: x for x in report.times}
    # C: Qualification 2->3 (1 day), 4->6 (2 days); A: 5->7 (2 days) -> [1, 2, 2]
    assert times["Qualification"].completed == 3
    assert times["Qualification"].median_days == pytest.approx(2.0)
    assert times["SQL"].completed == 1 and times["SQL"].median_days == pytest.approx(1.0)
    assert times["MQL"].current == 1  # F
