"""Each hygiene rule, decided from hand-made facts: a case that fires and a near case that does not
(one day, one push, one percent short of the threshold)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from sqo.domain.hygiene import rules as r
from sqo.domain.hygiene.config import HygieneRules, Severity
from sqo.domain.hygiene.facts import Change, DealFacts

AS_OF = datetime(2026, 6, 30, 23, 59)
DAY = timedelta(days=1)
RULES = HygieneRules()  # the defaults of DOMAIN.md section 5
CTX = r.Context(AS_OF, {"SMB": (30.0, 50), "enterprise": (120.0, 4), None: (60.0, 80)})


def deal(**changes: object) -> DealFacts:
    """A healthy SMB SQO: amount, close date ahead, next step due tomorrow, activity yesterday."""
    base = DealFacts(
        opportunity_id=7,
        name="Acme – 50 seats",
        owner_id=1,
        owner_name="Ann Lee",
        team_name="Nordics",
        segment="SMB",
        stage="SQO",
        is_sqo=True,
        amount_cents=1_000_000,
        currency="USD",
        close_date=date(2026, 7, 31),
        next_step="Demo for the CFO",
        next_step_due=date(2026, 7, 1),
        first_contact=datetime(2026, 6, 10),
        created_at=datetime(2026, 6, 12),
        last_activity_at=datetime(2026, 6, 29, 10),
        version=3,
        roles=frozenset({"economic_buyer"}),
        expected_roles=(("economic_buyer",),),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_a_healthy_deal_has_no_findings() -> None:
    assert r.deal_findings([deal()], RULES, CTX, list(r.DEAL_RULES)) == []


def test_no_amount_fires_without_an_amount_and_not_with_zero() -> None:
    found = r.no_amount(deal(amount_cents=None), RULES, CTX)
    assert found is not None and found.rule == "no_amount" and found.severity is Severity.MEDIUM
    assert found.opportunity_id == 7 and found.owner_name == "Ann Lee" and found.version == 3
    assert "without an amount" in found.message and found.action
    assert r.no_amount(deal(amount_cents=0), RULES, CTX) is None  # a stated zero is an amount


def test_stale_fires_the_day_after_the_close_date_not_on_it() -> None:
    found = r.stale(deal(close_date=date(2026, 6, 29)), RULES, CTX)
    assert found is not None
    assert found.evidence == {"close_date": "2026-06-29", "days_past_close_date": 1}
    assert "2026-06-29" in found.message
    assert r.stale(deal(close_date=date(2026, 6, 30)), RULES, CTX) is None


def test_stale_fires_beyond_the_segments_p90_cycle_and_not_at_it() -> None:
    beyond = deal(first_contact=datetime(2026, 5, 30))  # 31 days open, p90 30
    found = r.stale(beyond, RULES, CTX)
    assert found is not None
    assert found.evidence["days_open"] == 31 and found.evidence["p90_cycle_days"] == 30.0
    assert found.evidence["won_deals"] == 50
    assert r.stale(deal(first_contact=datetime(2026, 5, 31)), RULES, CTX) is None  # 30 days


def test_stale_ignores_a_p90_from_too_few_won_deals() -> None:
    # enterprise's p90 comes from 4 won deals (the rules want 10): not held against the deal
    old = deal(segment="enterprise", first_contact=datetime(2025, 6, 1))
    assert r.stale(old, RULES, CTX) is None
    # a deal without a segment is held against the company's p90 (60 days, 80 deals)
    assert r.stale(deal(segment=None, first_contact=datetime(2026, 4, 30)), RULES, CTX) is not None
    assert r.stale(deal(segment=None, first_contact=datetime(2026, 5, 1)), RULES, CTX) is None


def test_neglected_uses_the_segments_days() -> None:
    # SMB: 7 days. Last activity 8 days before the as-of day fires; 7 days does not.
    found = r.neglected(deal(last_activity_at=datetime(2026, 6, 22, 9)), RULES, CTX)
    assert found is not None and found.severity is Severity.HIGH
    assert found.evidence["days_without_activity"] == 8 and found.evidence["limit_days"] == 7
    assert r.neglected(deal(last_activity_at=datetime(2026, 6, 23, 9)), RULES, CTX) is None
    # enterprise: 21 days; the same 8 idle days are fine, 22 are not
    ent = deal(segment="enterprise", last_activity_at=datetime(2026, 6, 22, 9))
    assert r.neglected(ent, RULES, CTX) is None
    late = replace(ent, last_activity_at=datetime(2026, 6, 8, 9))
    assert r.neglected(late, RULES, CTX) is not None


def test_neglected_without_any_activity_counts_from_creation() -> None:
    fresh = deal(last_activity_at=None, created_at=datetime(2026, 6, 23))
    assert r.neglected(fresh, RULES, CTX) is None
    old = deal(last_activity_at=None, created_at=datetime(2026, 6, 22))
    found = r.neglected(old, RULES, CTX)
    assert found is not None and found.evidence["last_activity"] is None
    assert "since it was created" in found.message


def test_no_next_step_fires_on_empty_text_only() -> None:
    assert r.no_next_step(deal(next_step=None), RULES, CTX) is not None
    assert r.no_next_step(deal(next_step="  "), RULES, CTX) is not None
    assert r.no_next_step(deal(next_step="Call"), RULES, CTX) is None


def test_next_step_overdue_fires_the_day_after_it_was_due() -> None:
    found = r.next_step_overdue(deal(next_step_due=date(2026, 6, 29)), RULES, CTX)
    assert found is not None and found.evidence["days_overdue"] == 1
    assert r.next_step_overdue(deal(next_step_due=date(2026, 6, 30)), RULES, CTX) is None
    assert r.next_step_overdue(deal(next_step_due=None), RULES, CTX) is None
    # no next step at all is the other rule's finding, not this one's
    assert (
        r.next_step_overdue(deal(next_step=None, next_step_due=date(2026, 1, 1)), RULES, CTX)
        is None
    )


def test_close_date_pushed_fires_from_the_configured_count() -> None:
    push = Change("2026-06-20", "2026-07-20", datetime(2026, 6, 18))
    found = r.close_date_pushed(deal(push_count=2, last_push=push), RULES, CTX)
    assert found is not None
    assert found.evidence == {
        "push_count": 2,
        "last_push_from": "2026-06-20",
        "last_push_to": "2026-07-20",
        "last_push_at": "2026-06-18",
    }
    assert r.close_date_pushed(deal(push_count=1, last_push=push), RULES, CTX) is None


def test_amount_cut_fires_from_ten_percent_within_the_look_back() -> None:
    cut = Change("1000000", "900000", datetime(2026, 6, 20))
    found = r.amount_cut(deal(amount_cut=cut), RULES, CTX)
    assert found is not None
    assert found.evidence["amount_before"] == 10_000 and found.evidence["amount_after"] == 9_000
    assert found.evidence["cut_share"] == 0.1
    small = Change("1000000", "900100", datetime(2026, 6, 20))
    assert r.amount_cut(deal(amount_cut=small), RULES, CTX) is None
    old = Change("1000000", "500000", datetime(2026, 5, 30))  # 31 days before the as-of day
    assert r.amount_cut(deal(amount_cut=old), RULES, CTX) is None
    assert r.amount_cut(deal(amount_cut=replace(old, at=datetime(2026, 5, 31))), RULES, CTX)


def test_stage_backwards_fires_within_the_look_back() -> None:
    back = Change("Proposal", "SQO", datetime(2026, 6, 1))
    found = r.stage_backwards(deal(stage_back=back), RULES, CTX)
    assert found is not None and found.evidence["stage_before"] == "Proposal"
    earlier = replace(back, at=datetime(2026, 5, 30))
    assert r.stage_backwards(deal(stage_back=earlier), RULES, CTX) is None


def test_missing_buying_role_names_the_missing_group() -> None:
    wanted = (("economic_buyer",), ("champion",))
    found = r.missing_buying_role(deal(expected_roles=wanted), RULES, CTX)
    assert found is not None and found.evidence["missing"] == [["champion"]]
    assert found.evidence["present"] == ["economic_buyer"]
    full = deal(expected_roles=wanted, roles=frozenset({"economic_buyer", "champion"}))
    assert r.missing_buying_role(full, RULES, CTX) is None


def test_premature_sqo_fires_on_an_overridden_promotion() -> None:
    promoted = deal(promoted_at=datetime(2026, 6, 1), promotion_overridden=True)
    found = r.premature_sqo(promoted, RULES, CTX)
    assert found is not None and found.evidence["reason"] == "overridden"
    passed = deal(promoted_at=datetime(2026, 6, 1), promotion_overridden=False)
    assert r.premature_sqo(passed, RULES, CTX) is None


def test_sqo_only_rules_skip_deals_before_the_sqo_stage() -> None:
    early = deal(stage="Qualification", is_sqo=False, expected_roles=(("champion",),))
    found = r.deal_findings([early], RULES, CTX, ["missing_buying_role", "no_amount"])
    assert found == []
    assert r.deal_findings([early], RULES, CTX, ["no_amount"]) == []
    assert r.deal_findings([replace(early, amount_cents=None)], RULES, CTX, ["no_amount"])


@pytest.mark.parametrize("key", list(r.DEAL_RULES))
def test_a_switched_off_rule_never_fires(key: str) -> None:
    bad = deal(
        amount_cents=None,
        close_date=date(2026, 1, 1),
        next_step=None,
        last_activity_at=datetime(2026, 1, 1),
        push_count=5,
        promoted_at=datetime(2026, 6, 1),
        promotion_overridden=True,
        expected_roles=(("champion",),),
    )
    rules = HygieneRules.model_validate({"rules": {key: {"enabled": False}}})
    assert all(f.rule != key for f in r.deal_findings([bad], rules, CTX, list(r.DEAL_RULES)))
