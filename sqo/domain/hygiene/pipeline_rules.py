"""The rules that look beyond one open deal's facts: an SQO lost or moved back soon after its
promotion (premature SQO's second half), and pipeline bloat per rep and team."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqo.domain.hygiene.config import HygieneRules
from sqo.domain.hygiene.facts import FallenSqo, OwnerLoad
from sqo.domain.hygiene.findings import Finding
from sqo.domain.hygiene.rules import Context
from sqo.i18n import _


def fallen_window(rules: HygieneRules, ctx: Context) -> timedelta:
    """How far back an exit from the SQO pipeline is looked for."""
    return timedelta(days=rules.rules.premature_sqo.lookback_days)


def fell_soon(fallen: FallenSqo, rules: HygieneRules, ctx: Context) -> Finding | None:
    """Lost or moved below SQO within ``within_days`` of the promotion, in the look-back."""
    cfg = rules.rules.premature_sqo
    days = (fallen.left_at.date() - fallen.promoted_at.date()).days
    if days > cfg.within_days or fallen.left_at < ctx.as_of - fallen_window(rules, ctx):
        return None
    evidence = {
        "reason": "lost" if fallen.left_to.casefold() == "lost" else "moved_back",
        "promoted_at": fallen.promoted_at.date().isoformat(),
        "left_at": fallen.left_at.date().isoformat(),
        "left_to": fallen.left_to,
        "days_as_sqo": days,
        "overridden": fallen.overridden,
    }
    return Finding(
        fallen.opportunity_id,
        fallen.name,
        fallen.owner_id,
        fallen.owner_name,
        fallen.team_name,
        "premature_sqo",
        rules.severity("premature_sqo"),
        evidence,
        _(
            "{deal} went to {stage} on {day}, {days} days after it was promoted to SQO.",
            deal=fallen.name,
            stage=fallen.left_to,
            day=evidence["left_at"],
            days=days,
        ),
        _("Go through what the gate missed at promotion, and tighten the criteria if needed."),
    )


def bloated(load: OwnerLoad, rules: HygieneRules) -> Finding | None:
    cfg = rules.rules.pipeline_bloat
    if load.coverage is None or load.open_sqos < cfg.min_open_sqos:
        return None
    share = load.unhealthy_sqos / load.open_sqos
    if load.coverage <= cfg.coverage_above or share < cfg.unhealthy_share:
        return None
    evidence = {
        "level": load.level,
        "coverage": round(load.coverage, 2),
        "coverage_above": cfg.coverage_above,
        "open_sqo_amount": load.open_sqo_cents / 100,
        "quota_to_close": None if load.remaining_cents is None else load.remaining_cents / 100,
        "open_sqos": load.open_sqos,
        "unhealthy_sqos": load.unhealthy_sqos,
        "unhealthy_share": round(share, 4),
        "period_start": load.period_start.isoformat(),
        "period_end": load.period_end.isoformat(),
    }
    who = load.name
    return Finding(
        None,
        None,
        load.rep_id if load.level == "rep" else None,
        load.name if load.level == "rep" else None,
        load.team_name,
        "pipeline_bloat",
        rules.severity("pipeline_bloat"),
        evidence,
        _(
            "{who}: coverage is {coverage}x the quota still to close while {unhealthy} of "
            "{sqos} open SQOs have hygiene findings.",
            who=who,
            coverage=evidence["coverage"],
            unhealthy=load.unhealthy_sqos,
            sqos=load.open_sqos,
        ),
        _("Go through the unhealthy SQOs together: close or move back those that will not close."),
    )


def pipeline_findings(
    fallen: Sequence[FallenSqo],
    loads: Sequence[OwnerLoad],
    rules: HygieneRules,
    ctx: Context,
    keys: Sequence[str],
) -> list[Finding]:
    found: list[Finding] = []
    if "premature_sqo" in keys and rules.rules.premature_sqo.enabled:
        found += [f for f in (fell_soon(x, rules, ctx) for x in fallen) if f is not None]
    if "pipeline_bloat" in keys and rules.rules.pipeline_bloat.enabled:
        found += [f for f in (bloated(x, rules) for x in loads) if f is not None]
    return found
