"""`loss_report`: what SQOs closed lost had in common, against those won.

Loss reasons and competitors per quarter, the stage deals were lost from and how long after
becoming an SQO, and the qualification criteria and groups that were weak at promotion
(:mod:`sqo.analytics.loss_patterns`): a finding is a plain sentence with its counts, claimed
only with enough deals on both sides and a Holm-adjusted p-value under 0.05.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from babel.numbers import format_decimal

from sqo import i18n
from sqo.analytics.loss_patterns import Comparison, Outcome, compare, weak_keys
from sqo.analytics.losses import ClosedSqo, closed_sqos
from sqo.domain.actor import Actor
from sqo.domain.values import utc_now
from sqo.i18n import _
from sqo.services import lookups
from sqo.services.named_periods import parse_period
from sqo.services.public import public_dict
from sqo.services.workspace import Workspace

MIN_GROUP = 20  # deals on each side of a comparison before anything is claimed


@dataclass(frozen=True)
class Count:
    name: str
    count: int
    quarter: str | None = None


@dataclass(frozen=True)
class CompetitorCount:
    competitor: str
    lost: int
    won: int


@dataclass
class LossReport:
    as_of: datetime
    period: str
    team: str | None
    won: int
    lost: int
    reasons: list[Count]
    reasons_by_quarter: list[Count]
    competitors: list[CompetitorCount]
    competitors_by_quarter: list[Count]
    lost_at_stage: list[Count]
    median_days_to_loss: float | None
    median_days_to_win: float | None
    comparisons: list[Comparison]
    findings: list[str]
    min_group: int
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return public_dict(self)


def _quarter(moment: datetime) -> str:
    return f"{moment.year}-Q{(moment.month - 1) // 3 + 1}"


def _days(deals: list[ClosedSqo]) -> float | None:
    spans = [(d.closed_at - d.sqo_at).total_seconds() / 86_400 for d in deals]
    return round(statistics.median(spans), 1) if spans else None


def loss_report(
    ws: Workspace,
    actor: Actor,
    *,
    period: str | None = None,
    team: str | None = None,
    as_of: datetime | None = None,
    min_group: int = MIN_GROUP,
) -> LossReport:
    """Lost SQOs against won ones, for the SQOs closed in ``period`` (default all time)."""
    as_of = as_of or utc_now()
    window = parse_period(period, as_of)
    with ws.unit_of_work() as uow:
        team_id = lookups.team(uow, team).id if team else None
        deals = closed_sqos(uow.connection, ws.stage_model, as_of, window.start, window.end)
    if team_id is not None:
        deals = [d for d in deals if d.team_id == team_id]
    lost = [d for d in deals if d.lost]
    won = [d for d in deals if not d.lost]
    reasons = Counter(d.loss_reason or _("(no reason given)") for d in lost)
    by_quarter = Counter(
        (_quarter(d.closed_at), d.loss_reason or _("(no reason given)")) for d in lost
    )
    rivals_lost = Counter(c for d in lost for c in d.competitors)
    rivals_won = Counter(c for d in won for c in d.competitors)
    rivals_quarter = Counter((_quarter(d.closed_at), c) for d in lost for c in d.competitors)
    stages = Counter(d.lost_from or _("(unknown)") for d in lost)
    comparisons, unevaluated = _comparisons(deals, min_group)
    notes = []
    if not deals:
        notes.append(_("No SQO closed in this period: nothing to analyse."))
    if unevaluated:
        notes.append(
            _(
                "{count} closed SQO(s) have no evaluation stored at promotion (imported or "
                "promoted before the gate): they are left out of the criteria comparison.",
                count=unevaluated,
            )
        )
    if deals and not any(c.enough_data for c in comparisons):
        notes.append(
            _(
                "Too few closed SQOs to compare criteria: each side of a comparison needs at "
                "least {minimum} deals. Nothing is claimed.",
                minimum=min_group,
            )
        )
    elif comparisons and not any(c.claimed for c in comparisons):
        notes.append(
            _(
                "No criterion weak at promotion went with clearly more (or fewer) losses: the "
                "differences are within what chance gives. Nothing is claimed."
            )
        )
    return LossReport(
        as_of,
        window.label,
        team,
        len(won),
        len(lost),
        [Count(n, c) for n, c in reasons.most_common()],
        [Count(n, c, q) for (q, n), c in sorted(by_quarter.items())],
        [
            CompetitorCount(n, c, rivals_won.get(n, 0))
            for n, c in sorted(rivals_lost.items(), key=lambda x: (-x[1], x[0]))
        ],
        [Count(n, c, q) for (q, n), c in sorted(rivals_quarter.items())],
        [Count(n, c) for n, c in stages.most_common()],
        _days(lost),
        _days(won),
        comparisons,
        [finding(c) for c in comparisons if c.claimed],
        min_group,
        notes,
    )


def _comparisons(deals: list[ClosedSqo], min_group: int) -> tuple[list[Comparison], int]:
    outcomes: list[Outcome] = []
    labels: dict[str, tuple[str, str]] = {}
    unevaluated = 0
    for deal in deals:
        if deal.evaluation is None:
            unevaluated += 1
            continue
        weak, assessed = weak_keys(deal.evaluation)
        outcomes.append(Outcome(deal.lost, frozenset(weak), frozenset(assessed)))
        for item in deal.evaluation.get("criteria") or []:
            if isinstance(item, dict) and item.get("key"):
                labels.setdefault(
                    str(item["key"]), (str(item.get("label") or item["key"]), "criterion")
                )
        for item in deal.evaluation.get("groups") or []:
            if isinstance(item, dict) and item.get("key"):
                labels.setdefault(
                    "group:" + str(item["key"]), (str(item.get("label") or item["key"]), "group")
                )
    found = compare(outcomes, labels, min_group=min_group)
    found.sort(key=lambda c: (not c.claimed, c.p_value if c.p_value is not None else 2.0, c.key))
    return found, unevaluated


def finding(c: Comparison) -> str:
    """A claimed comparison in one plain sentence with its counts."""
    loc = i18n.locale()
    ratio = c.ratio
    value = c.p_value or 0.0
    # The threshold in the reader's decimals too: "p < 0,001" in Swedish.
    shown = format_decimal(max(value, 0.001), format="0.000", locale=loc)
    p = ("< " if value < 0.001 else "= ") + shown
    if ratio is None:
        return _(
            "Every deal promoted with {label} met was won, against {a} of {n} lost when it "
            "was not (p {p}).",
            label=c.label,
            a=c.lost_weak,
            n=c.weak,
            p=p,
        )
    times = format_decimal(ratio if ratio >= 1 else 1 / ratio, format="0.0", locale=loc)
    if c.kind == "group":
        if ratio >= 1:
            text = _(
                "Deals promoted with {label} weak (under half met) were lost {times}x as often: "
                "{a} of {n} vs {b} of {m} (p {p}).",
                label=c.label,
                times=times,
                a=c.lost_weak,
                n=c.weak,
                b=c.lost_met,
                m=c.met,
                p=p,
            )
        else:
            text = _(
                "Deals promoted with {label} weak (under half met) were lost {times}x less "
                "often: {a} of {n} vs {b} of {m} (p {p}).",
                label=c.label,
                times=times,
                a=c.lost_weak,
                n=c.weak,
                b=c.lost_met,
                m=c.met,
                p=p,
            )
        return text
    if ratio >= 1:
        return _(
            "Deals promoted without \u201c{label}\u201d were lost {times}x as often: {a} of {n} vs "
            "{b} of {m} (p {p}).",
            label=c.label,
            times=times,
            a=c.lost_weak,
            n=c.weak,
            b=c.lost_met,
            m=c.met,
            p=p,
        )
    return _(
        "Deals promoted without \u201c{label}\u201d were lost {times}x less often: {a} of {n} vs "
        "{b} of {m} (p {p}).",
        label=c.label,
        times=times,
        a=c.lost_weak,
        n=c.weak,
        b=c.lost_met,
        m=c.met,
        p=p,
    )
