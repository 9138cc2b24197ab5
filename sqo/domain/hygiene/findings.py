"""A hygiene finding: which deal (or rep or team), which rule, how bad, the evidence, what to do."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqo.domain.hygiene.config import Severity
from sqo.domain.hygiene.facts import DealFacts


@dataclass(frozen=True)
class Finding:
    """One rule that fired. For a deal, the opportunity fields name it; pipeline bloat is about a
    rep or a team, so its ``opportunity_id`` and ``opportunity_name`` are None (and for a team,
    ``owner_id`` and ``owner_name`` too: ``team_name`` names it).

    ``evidence`` holds plain JSON values (ISO dates, counts, amounts in minor units);
    ``message`` is one translated sentence naming that evidence, ``action`` the suggested next
    step, translated."""

    opportunity_id: int | None
    opportunity_name: str | None
    owner_id: int | None
    owner_name: str | None
    team_name: str | None
    rule: str
    severity: Severity
    evidence: dict[str, Any] = field(default_factory=dict)
    message: str = ""
    action: str = ""
    version: int | None = None  # the deal's version when seen (for a clean-up's version check)

    def to_dict(self) -> dict[str, Any]:
        return {
            "opportunity_id": self.opportunity_id,
            "opportunity_name": self.opportunity_name,
            "owner_id": self.owner_id,
            "owner_name": self.owner_name,
            "team_name": self.team_name,
            "rule": self.rule,
            "severity": self.severity.value,
            "evidence": dict(self.evidence),
            "message": self.message,
            "action": self.action,
            "version": self.version,
        }


def deal_finding(
    deal: DealFacts,
    rule: str,
    severity: Severity,
    evidence: dict[str, Any],
    message: str,
    action: str,
) -> Finding:
    return Finding(
        deal.opportunity_id,
        deal.name,
        deal.owner_id,
        deal.owner_name,
        deal.team_name,
        rule,
        severity,
        evidence,
        message,
        action,
        deal.version,
    )
