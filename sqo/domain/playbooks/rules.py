"""Rules: how a criterion is met from data the system already has. Pure functions of facts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from sqo.domain.playbooks.facts import RULE_FIELDS, Facts
from sqo.domain.values import ActivityKind, BuyingRole, Direction
from sqo.i18n import _

MET = "met"
NOT_MET = "not_met"
UNKNOWN = "unknown"


@dataclass(frozen=True)
class Outcome:
    status: str  # met, not_met or unknown
    reason: str


def _day(moment: datetime | object) -> str:
    return moment.date().isoformat() if isinstance(moment, datetime) else str(moment)


class _Rule(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FieldPresent(_Rule):
    """A field has a value, e.g. ``amount`` or ``competitors``."""

    type: Literal["field_present"]
    field: str

    @field_validator("field")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in RULE_FIELDS:
            raise ValueError(
                _(
                    "unknown field {name!r}; known fields: {allowed}",
                    name=value,
                    allowed=", ".join(sorted(RULE_FIELDS)),
                )
            )
        return value

    def describe(self) -> str:
        return _("{field} is filled in", field=self.field)

    def evaluate(self, facts: Facts, as_of: datetime) -> Outcome:
        if not facts.has_field(self.field):
            return Outcome(
                UNKNOWN,
                _(
                    "a {record} has no {field}; record evidence",
                    record=facts.record_type,
                    field=self.field,
                ),
            )
        value = facts.values.get(self.field)
        if value in (None, "", [], ()):
            return Outcome(NOT_MET, _("{field} is not recorded", field=self.field))
        if isinstance(value, list | tuple):
            value = ", ".join(str(v) for v in value)
        elif isinstance(value, float):
            value = f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"
        return Outcome(MET, _("{field}: {value}", field=self.field, value=value))


class ActivityRule(_Rule):
    """At least ``min_count`` activities of the given kinds (and direction) in the last N days."""

    type: Literal["activity"]
    kinds: tuple[ActivityKind, ...] = tuple(ActivityKind)
    direction: Direction | None = None
    within_days: int = Field(gt=0, le=3650)
    min_count: int = Field(default=1, ge=1)

    def describe(self) -> str:
        kinds = (
            "/".join(k.value for k in self.kinds)
            if len(self.kinds) < len(ActivityKind)
            else _("activity")
        )
        if self.direction is not None:
            kinds = f"{self.direction.value} {kinds}"
        return _(
            "at least {count} × {what} in the last {days} days",
            count=self.min_count,
            what=kinds,
            days=self.within_days,
        )

    def evaluate(self, facts: Facts, as_of: datetime) -> Outcome:
        since = as_of - timedelta(days=self.within_days)
        kinds = {k.value for k in self.kinds}
        found = [
            a
            for a in facts.activities
            if a.kind in kinds
            and since <= a.occurred_at <= as_of
            and (self.direction is None or a.direction == self.direction.value)
        ]
        what = "/".join(sorted(kinds)) if len(kinds) < len(ActivityKind) else _("activity")
        if self.direction is not None:
            what = f"{self.direction.value} {what}"
        if len(found) >= self.min_count:
            latest = max(a.occurred_at for a in found)
            return Outcome(
                MET,
                _(
                    "{count} × {what} in the last {days} days (latest {day})",
                    count=len(found),
                    what=what,
                    days=self.within_days,
                    day=_day(latest),
                ),
            )
        if not found:
            return Outcome(
                NOT_MET, _("no {what} in the last {days} days", what=what, days=self.within_days)
            )
        return Outcome(
            NOT_MET,
            _(
                "{count} × {what} in the last {days} days; {needed} needed",
                count=len(found),
                what=what,
                days=self.within_days,
                needed=self.min_count,
            ),
        )


class ContactRole(_Rule):
    """A contact on the deal has one of the buying roles."""

    type: Literal["contact_role"]
    roles: tuple[BuyingRole, ...] = Field(min_length=1)

    def describe(self) -> str:
        return _(
            "a contact on the deal with the role {roles}",
            roles=" / ".join(r.value for r in self.roles),
        )

    def evaluate(self, facts: Facts, as_of: datetime) -> Outcome:
        wanted = {r.value for r in self.roles}
        names = [c.name for c in facts.contacts if c.role in wanted]
        roles = " / ".join(r.value for r in self.roles)
        if names:
            return Outcome(MET, _("{names} ({roles})", names=", ".join(names), roles=roles))
        return Outcome(NOT_MET, _("no contact with the role {roles}", roles=roles))


class ContactCount(_Rule):
    """At least ``min_count`` contacts on the deal."""

    type: Literal["contacts"]
    min_count: int = Field(default=2, ge=1)

    def describe(self) -> str:
        return _("at least {count} contacts on the deal", count=self.min_count)

    def evaluate(self, facts: Facts, as_of: datetime) -> Outcome:
        count = len(facts.contacts)
        status = MET if count >= self.min_count else NOT_MET
        return Outcome(
            status,
            _(
                "contacts on the deal: {count} (at least {needed} needed)",
                count=count,
                needed=self.min_count,
            ),
        )


class NextStep(_Rule):
    """A next step with a due date that is not in the past (as of the evaluation)."""

    type: Literal["next_step"]

    def describe(self) -> str:
        return _("a next step with a due date not in the past")

    def evaluate(self, facts: Facts, as_of: datetime) -> Outcome:
        if not facts.has_field("next_step"):
            return Outcome(UNKNOWN, _("a lead has no next step field; record evidence"))
        step = facts.values.get("next_step")
        due = facts.values.get("next_step_due")
        if not step:
            return Outcome(NOT_MET, _("no next step"))
        if due is None:
            return Outcome(NOT_MET, _("next step {step!r} has no due date", step=step))
        if due < as_of.date():
            return Outcome(NOT_MET, _("next step {step!r} was due {day}", step=step, day=_day(due)))
        return Outcome(MET, _("{step!r} due {day}", step=step, day=_day(due)))


class CloseDate(_Rule):
    """A close date that has not passed (and, with ``within_days``, is near enough)."""

    type: Literal["close_date"]
    within_days: int | None = Field(default=None, gt=0)

    def describe(self) -> str:
        if self.within_days is None:
            return _("a close date not in the past")
        return _("a close date within {days} days", days=self.within_days)

    def evaluate(self, facts: Facts, as_of: datetime) -> Outcome:
        if not facts.has_field("close_date"):
            return Outcome(UNKNOWN, _("a lead has no close date; record evidence"))
        close = facts.values.get("close_date")
        if close is None:
            return Outcome(NOT_MET, _("no close date"))
        if close < as_of.date():
            return Outcome(NOT_MET, _("close date {day} has passed", day=_day(close)))
        if self.within_days is not None and close > as_of.date() + timedelta(days=self.within_days):
            return Outcome(
                NOT_MET,
                _(
                    "close date {day} is more than {days} days away",
                    day=_day(close),
                    days=self.within_days,
                ),
            )
        return Outcome(MET, _("close date {day}", day=_day(close)))


Rule = Annotated[
    FieldPresent | ActivityRule | ContactRole | ContactCount | NextStep | CloseDate,
    Field(discriminator="type"),
]

RULE_TYPES = ("field_present", "activity", "contact_role", "contacts", "next_step", "close_date")
