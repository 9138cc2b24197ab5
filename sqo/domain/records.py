"""The records the pipeline is made of. Plain dataclasses: no ORM, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqo.domain.values import ActivityKind, BuyingRole, Complexity, Direction, Segment


@dataclass
class Team:
    id: int
    name: str
    manager_id: int | None = None
    external_id: str | None = None


@dataclass
class Rep:
    id: int
    name: str
    email: str | None = None
    team_id: int | None = None
    manager_id: int | None = None
    role: str = "rep"
    active: bool = True
    external_id: str | None = None


@dataclass
class Quota:
    id: int
    period_start: date
    period_end: date
    amount_cents: int
    currency: str
    rep_id: int | None = None
    team_id: int | None = None


@dataclass
class Account:
    id: int
    name: str
    segment: Segment | None = None
    industry: str | None = None
    employees: int | None = None
    country: str | None = None
    created_at: datetime | None = None
    external_id: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass
class Contact:
    id: int
    name: str
    account_id: int | None = None
    email: str | None = None
    title: str | None = None
    buying_role: BuyingRole | None = None
    external_id: str | None = None


@dataclass
class Campaign:
    id: int
    name: str
    channel: str | None = None
    cost_cents: int | None = None
    currency: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    external_id: str | None = None


@dataclass
class Lead:
    id: int
    name: str
    stage: str
    created_at: datetime
    company: str | None = None
    email: str | None = None
    account_id: int | None = None
    owner_id: int | None = None
    segment: Segment | None = None
    source: str | None = None
    campaign_id: int | None = None
    converted_opportunity_id: int | None = None
    converted_at: datetime | None = None
    version: int = 1
    external_id: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass
class Opportunity:
    id: int
    name: str
    stage: str
    created_at: datetime
    currency: str
    account_id: int | None = None
    owner_id: int | None = None
    amount_cents: int | None = None
    close_date: date | None = None
    next_step: str | None = None
    next_step_due: date | None = None
    forecast_category: str | None = None
    probability: float | None = None
    competitors: list[str] = field(default_factory=list)
    complexity: Complexity = Complexity.STANDARD
    loss_reason: str | None = None
    lead_id: int | None = None
    campaign_id: int | None = None
    source: str | None = None
    closed_at: datetime | None = None
    version: int = 1
    external_id: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass
class Activity:
    id: int
    kind: ActivityKind
    occurred_at: datetime
    direction: Direction = Direction.OUTBOUND
    subject: str | None = None
    lead_id: int | None = None
    opportunity_id: int | None = None
    contact_id: int | None = None
    rep_id: int | None = None
    external_id: str | None = None
