"""Invariants of the day-count rules, for any dates: a rule fires exactly when its count of days
passes the threshold, and the report's counts add up to its findings."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time, timedelta

from hypothesis import given
from hypothesis import strategies as st

from sqo.domain.hygiene import rules as r
from sqo.domain.hygiene.config import HygieneRules
from tests.unit.hygiene.test_rules import deal

RULES = HygieneRules()
days = st.integers(min_value=0, max_value=400)
segments = st.sampled_from(["SMB", "mid-market", "enterprise", None, "public sector"])
LIMITS = {"SMB": 7, "mid-market": 14, "enterprise": 21}


@given(idle=days, segment=segments, hour=st.integers(0, 23))
def test_neglected_fires_exactly_beyond_the_segments_days(
    idle: int, segment: str | None, hour: int
) -> None:
    as_of = datetime(2026, 6, 30, 23, 59)
    last = datetime.combine(as_of.date() - timedelta(days=idle), time(hour))
    found = r.neglected(deal(segment=segment, last_activity_at=last), RULES, r.Context(as_of))
    assert (found is not None) == (idle > LIMITS.get(segment or "", 14))


@given(late=st.integers(-30, 400), amount=st.one_of(st.none(), st.integers(0, 10**9)))
def test_counts_add_up(late: int, amount: int | None) -> None:
    as_of = datetime(2026, 6, 30, 12)
    d = deal(
        close_date=as_of.date() - timedelta(days=late),
        next_step_due=as_of.date() - timedelta(days=late),
        amount_cents=amount,
    )
    found = r.deal_findings(
        [d, replace(d, opportunity_id=8)], RULES, r.Context(as_of), list(r.DEAL_RULES)
    )
    rules = {f.rule for f in found}
    assert ("stale" in rules) == (late > 0) == ("next_step_overdue" in rules)
    assert ("no_amount" in rules) == (amount is None)
    assert len(found) == 2 * len(rules)  # the same facts, the same findings for both deals
