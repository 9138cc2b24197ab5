"""What the hygiene rules decide from: the facts of one open deal as at a moment, and of one rep
or team for pipeline bloat. Gathered by set-based queries (``sqo.analytics.hygiene``); the rules
themselves (``sqo.domain.hygiene.rules``) are pure functions of these."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class Change:
    """One change of a field: the value before and after, and when."""

    before: str | None
    after: str | None
    at: datetime


@dataclass(frozen=True)
class DealFacts:
    opportunity_id: int
    name: str
    owner_id: int | None
    owner_name: str | None
    team_name: str | None
    segment: str | None
    stage: str
    is_sqo: bool  # at or after the SQO stage
    amount_cents: int | None
    currency: str
    close_date: date | None
    next_step: str | None
    next_step_due: date | None
    first_contact: datetime  # where the sales cycle starts: the lead's creation, else the deal's
    created_at: datetime  # the deal's own creation (neglected counts from it without activity)
    last_activity_at: datetime | None
    version: int
    push_count: int = 0  # close date moved to a later month (Salesforce's PushCount)
    last_push: Change | None = None
    amount_cut: Change | None = None  # the latest cut within the rule's look-back
    stage_back: Change | None = None  # the latest move to an earlier open stage, in look-back
    roles: frozenset[str] = frozenset()  # buying roles of the deal's contacts
    expected_roles: tuple[tuple[str, ...], ...] = ()  # each: one of these roles is expected
    promoted_at: datetime | None = None  # the latest promotion to SQO (its gate evaluation)
    promotion_overridden: bool = False
    promotion_justification: str | None = None


@dataclass(frozen=True)
class FallenSqo:
    """A deal that left the SQO pipeline (lost, or moved back below SQO) after a promotion."""

    opportunity_id: int
    name: str
    owner_id: int | None
    owner_name: str | None
    team_name: str | None
    promoted_at: datetime
    left_at: datetime
    left_to: str  # the stage it went to
    overridden: bool


@dataclass(frozen=True)
class OwnerLoad:
    """Pipeline bloat's facts for one rep or team: coverage of the current quarter, and how
    many of its open SQOs have a finding."""

    level: str  # rep or team
    name: str
    team_name: str | None
    coverage: float | None
    open_sqo_cents: int
    remaining_cents: int | None
    open_sqos: int
    unhealthy_sqos: int
    period_start: date
    period_end: date
    rep_id: int | None = None
    deal_ids: tuple[int, ...] = field(default=())
