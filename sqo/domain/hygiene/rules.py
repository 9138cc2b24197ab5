"""The hygiene rules: pure decisions from a deal's facts (``DealFacts``) and the configuration.

Each deal rule returns a Finding or None; :func:`deal_findings` runs the enabled ones. Days are
whole calendar days between the as-of day and the day of the fact (UTC)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from babel.numbers import format_currency

from sqo import i18n
from sqo.domain.hygiene.config import HygieneRules
from sqo.domain.hygiene.facts import DealFacts
from sqo.domain.hygiene.findings import Finding, deal_finding
from sqo.i18n import _, days_ago


@dataclass(frozen=True)
class Context:
    """What a rule needs besides the deal: the moment, and the won-cycle p90 per segment
    (segment -> (p90 days, won deals it is computed from); None is the whole company)."""

    as_of: datetime
    p90_cycle: Mapping[str | None, tuple[float, int]] = field(default_factory=dict)

    @property
    def day(self) -> date:
        return self.as_of.date()


def money(cents: int | None, currency: str) -> str:
    if cents is None:
        return "—"
    return format_currency(
        Decimal(cents) / 100, currency, locale=i18n.locale(), format="¤#,##0", currency_digits=False
    )


def _days(later: date, earlier: date) -> int:
    return (later - earlier).days


def no_amount(deal: DealFacts, rules: HygieneRules, ctx: Context) -> Finding | None:
    if deal.amount_cents is not None:
        return None
    return deal_finding(
        deal,
        "no_amount",
        rules.severity("no_amount"),
        {"stage": deal.stage, "amount": None},
        _("{deal} is in {stage} without an amount.", deal=deal.name, stage=deal.stage),
        _("Enter the amount being discussed with the buyer, or move the deal back."),
    )


def stale(deal: DealFacts, rules: HygieneRules, ctx: Context) -> Finding | None:
    cfg = rules.rules.stale
    evidence: dict[str, object] = {}
    passed = cfg.close_date_passed and deal.close_date is not None and deal.close_date < ctx.day
    late = 0
    if passed and deal.close_date is not None:
        late = _days(ctx.day, deal.close_date)
        evidence["close_date"] = deal.close_date.isoformat()
        evidence["days_past_close_date"] = late
    age = _days(ctx.day, deal.first_contact.date())
    p90, won = ctx.p90_cycle.get(deal.segment) or ctx.p90_cycle.get(None) or (None, 0)
    beyond = cfg.beyond_p90_cycle and p90 is not None and won >= cfg.min_won_deals and age > p90
    if beyond:
        evidence |= {
            "days_open": age,
            "p90_cycle_days": round(float(p90 or 0), 1),
            "won_deals": won,
            "segment": deal.segment,
        }
    if not passed and not beyond:
        return None
    if passed and beyond:
        message = _(
            "{deal}: the close date {close} passed {ago}, and it has been open {age} days, "
            "beyond the p90 sales cycle of {p90} days.",
            deal=deal.name,
            close=evidence["close_date"],
            ago=days_ago(late),
            age=age,
            p90=round(float(p90 or 0)),
        )
    elif passed:
        message = _(
            "{deal}: the close date {close} passed {ago}.",
            deal=deal.name,
            close=evidence["close_date"],
            ago=days_ago(late),
        )
    else:
        message = _(
            "{deal} has been open {age} days, beyond the p90 sales cycle of {p90} days.",
            deal=deal.name,
            age=age,
            p90=round(float(p90 or 0)),
        )
    return deal_finding(
        deal,
        "stale",
        rules.severity("stale"),
        evidence,
        message,
        _("Agree a realistic close date with the buyer, or close the deal as lost."),
    )


def neglected(deal: DealFacts, rules: HygieneRules, ctx: Context) -> Finding | None:
    limit = rules.rules.neglected.days.for_segment(deal.segment)
    since = (deal.last_activity_at or deal.created_at).date()
    idle = _days(ctx.day, since)
    if idle <= limit:
        return None
    evidence = {
        "last_activity": None if deal.last_activity_at is None else since.isoformat(),
        "days_without_activity": idle,
        "limit_days": limit,
        "segment": deal.segment,
    }
    if deal.last_activity_at is None:
        message = _(
            "{deal} has had no activity since it was created {days} days ago (limit {limit}).",
            deal=deal.name,
            days=idle,
            limit=limit,
        )
    else:
        message = _(
            "{deal} has had no activity for {days} days, since {day} (limit {limit}).",
            deal=deal.name,
            days=idle,
            day=since.isoformat(),
            limit=limit,
        )
    return deal_finding(
        deal,
        "neglected",
        rules.severity("neglected"),
        evidence,
        message,
        _("Contact the buyer this week and log it, or close the deal."),
    )


def no_next_step(deal: DealFacts, rules: HygieneRules, ctx: Context) -> Finding | None:
    if deal.next_step and deal.next_step.strip():
        return None
    return deal_finding(
        deal,
        "no_next_step",
        rules.severity("no_next_step"),
        {"next_step": None},
        _("{deal} has no next step.", deal=deal.name),
        _("Agree a next step and its due date with the buyer."),
    )


def next_step_overdue(deal: DealFacts, rules: HygieneRules, ctx: Context) -> Finding | None:
    grace = rules.rules.next_step_overdue.grace_days
    due = deal.next_step_due
    if not (deal.next_step and deal.next_step.strip()) or due is None:
        return None
    late = _days(ctx.day, due)
    if late <= grace:
        return None
    return deal_finding(
        deal,
        "next_step_overdue",
        rules.severity("next_step_overdue"),
        {"next_step": deal.next_step, "next_step_due": due.isoformat(), "days_overdue": late},
        _(
            "{deal}: the next step \u201c{step}\u201d was due {due}, {ago}.",
            deal=deal.name,
            step=deal.next_step,
            due=due.isoformat(),
            ago=days_ago(late),
        ),
        _("Do the next step, or set a new one with a due date."),
    )


def close_date_pushed(deal: DealFacts, rules: HygieneRules, ctx: Context) -> Finding | None:
    least = rules.rules.close_date_pushed.min_pushes
    if deal.push_count < least:
        return None
    last = deal.last_push
    evidence: dict[str, object] = {"push_count": deal.push_count}
    if last is not None:
        evidence |= {
            "last_push_from": last.before,
            "last_push_to": last.after,
            "last_push_at": last.at.date().isoformat(),
        }
    return deal_finding(
        deal,
        "close_date_pushed",
        rules.severity("close_date_pushed"),
        evidence,
        _(
            "{deal}: the close date was pushed to a later month {count} times, last from "
            "{before} to {after}.",
            deal=deal.name,
            count=deal.push_count,
            before=evidence.get("last_push_from") or "—",
            after=evidence.get("last_push_to") or "—",
        ),
        _("Ask the buyer what changed in their process and re-qualify the timeline."),
    )


def amount_cut(deal: DealFacts, rules: HygieneRules, ctx: Context) -> Finding | None:
    cfg = rules.rules.amount_cut
    cut = deal.amount_cut
    if cut is None or cut.before is None or cut.after is None:
        return None
    before, after = int(cut.before), int(cut.after)
    if before <= 0 or cut.at.date() < ctx.day - timedelta(days=cfg.lookback_days):
        return None
    share = (before - after) / before
    if share < cfg.min_cut_share:
        return None
    return deal_finding(
        deal,
        "amount_cut",
        rules.severity("amount_cut"),
        {
            "amount_before": before / 100,  # major units, as every public amount
            "amount_after": after / 100,
            "cut_share": round(share, 4),
            "changed_at": cut.at.date().isoformat(),
            "currency": deal.currency,
        },
        _(
            "{deal}: the amount was cut from {before} to {after} ({share}%) on {day}.",
            deal=deal.name,
            before=money(before, deal.currency),
            after=money(after, deal.currency),
            share=round(share * 100),
            day=cut.at.date().isoformat(),
        ),
        _("Confirm the scope and the budget with the economic buyer."),
    )


def stage_backwards(deal: DealFacts, rules: HygieneRules, ctx: Context) -> Finding | None:
    back = deal.stage_back
    lookback = rules.rules.stage_backwards.lookback_days
    if back is None or back.at.date() < ctx.day - timedelta(days=lookback):
        return None
    return deal_finding(
        deal,
        "stage_backwards",
        rules.severity("stage_backwards"),
        {
            "stage_before": back.before,
            "stage_after": back.after,
            "changed_at": back.at.date().isoformat(),
        },
        _(
            "{deal} moved back from {before} to {after} on {day}.",
            deal=deal.name,
            before=back.before,
            after=back.after,
            day=back.at.date().isoformat(),
        ),
        _("Discuss in the review what the deal lost and what it needs to move forward."),
    )


def missing_buying_role(deal: DealFacts, rules: HygieneRules, ctx: Context) -> Finding | None:
    missing = [group for group in deal.expected_roles if not deal.roles & set(group)]
    if not missing:
        return None
    names = [" / ".join(group) for group in missing]
    return deal_finding(
        deal,
        "missing_buying_role",
        rules.severity("missing_buying_role"),
        {
            "expected": [list(g) for g in deal.expected_roles],
            "present": sorted(deal.roles),
            "missing": [list(g) for g in missing],
        },
        _(
            "{deal} is an SQO without a contact in the role {roles} its playbook expects.",
            deal=deal.name,
            roles=", ".join(names),
        ),
        _("Identify the {roles} and add them to the deal's contacts.", roles=", ".join(names)),
    )


def premature_sqo(deal: DealFacts, rules: HygieneRules, ctx: Context) -> Finding | None:
    if not rules.rules.premature_sqo.overridden or not deal.promotion_overridden:
        return None
    if deal.promoted_at is None:
        return None
    return deal_finding(
        deal,
        "premature_sqo",
        rules.severity("premature_sqo"),
        {
            "reason": "overridden",
            "promoted_at": deal.promoted_at.date().isoformat(),
            "justification": deal.promotion_justification,
        },
        _(
            "{deal} was promoted to SQO on {day} with the gate overridden.",
            deal=deal.name,
            day=deal.promoted_at.date().isoformat(),
        ),
        _("Check the unmet criteria with the rep; move the deal back if they still fail."),
    )


DealRule = Callable[[DealFacts, HygieneRules, Context], Finding | None]

DEAL_RULES: dict[str, DealRule] = {
    "premature_sqo": premature_sqo,
    "neglected": neglected,
    "stale": stale,
    "no_next_step": no_next_step,
    "next_step_overdue": next_step_overdue,
    "close_date_pushed": close_date_pushed,
    "amount_cut": amount_cut,
    "stage_backwards": stage_backwards,
    "no_amount": no_amount,
    "missing_buying_role": missing_buying_role,
}


def deal_findings(
    deals: Sequence[DealFacts], rules: HygieneRules, ctx: Context, keys: Sequence[str]
) -> list[Finding]:
    """Every finding of the rules ``keys`` (enabled ones only) over ``deals``."""
    chosen = [
        (key, DEAL_RULES[key])
        for key in keys
        if key in DEAL_RULES and getattr(rules.rules, key).enabled
    ]
    found: list[Finding] = []
    for deal in deals:
        for key, rule in chosen:
            if getattr(rules.rules, key).applies_to == "sqo" and not deal.is_sqo:
                continue
            finding = rule(deal, rules, ctx)
            if finding is not None:
                found.append(finding)
    return found
