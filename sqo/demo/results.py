"""What a demo simulation produces, before it is written to the workspace."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqo.demo.timeline import Timeline
from sqo.domain.records import Activity, Contact


@dataclass(frozen=True)
class Promotion:
    opportunity_id: int
    at: datetime
    actor: str
    premature: bool
    justification: str


@dataclass
class Simulated:
    leads: list[Timeline] = field(default_factory=list)
    opportunities: list[Timeline] = field(default_factory=list)
    activities: list[Activity] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    roles: list[tuple[int, int, str, datetime]] = field(
        default_factory=list
    )  # opp, contact, role, named at
    evidence: list[dict[str, object]] = field(default_factory=list)
    promotions: list[Promotion] = field(default_factory=list)
    members: list[tuple[int, int, datetime]] = field(default_factory=list)  # campaign, lead, at
