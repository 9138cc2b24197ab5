"""Facts for unit tests: a well-qualified deal and an empty one, built by hand."""

from datetime import date, datetime, timedelta
from typing import Any

from sqo.domain.playbooks import ActivityFact, ContactFact, EvidenceFact, Facts

NOW = datetime(2026, 3, 2, 12, 0)


def evidence(*keys: str, at: datetime = NOW - timedelta(days=1)) -> tuple[EvidenceFact, ...]:
    return tuple(EvidenceFact(key, f"note for {key}", "Ann Lee", at) for key in keys)


def empty(**values: Any) -> Facts:
    base = {"complexity": "standard", "competitors": []}
    return Facts("opportunity", 1, "Acme", {**base, **values})


def strong(*evidence_keys: str, **values: Any) -> Facts:
    """Amount, close date, next step, competitors, three buying roles, recent activity."""
    base: dict[str, Any] = {
        "amount": 48000.0,
        "close_date": date(2026, 4, 30),
        "next_step": "Security review",
        "next_step_due": date(2026, 3, 9),
        "competitors": ["Globex"],
        "complexity": "standard",
        "segment": "mid-market",
    }
    return Facts(
        "opportunity",
        1,
        "Acme",
        {**base, **values},
        activities=(
            ActivityFact("email", "inbound", NOW - timedelta(days=3)),
            ActivityFact("meeting", "outbound", NOW - timedelta(days=5)),
            ActivityFact("demo", "outbound", NOW - timedelta(days=10)),
        ),
        contacts=(
            ContactFact("Eva Buyer", "economic_buyer"),
            ContactFact("Carl Champ", "champion"),
            ContactFact("Dan Decider", "decision_maker"),
        ),
        evidence=evidence(*evidence_keys),
    )
