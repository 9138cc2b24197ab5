"""Review decisions (`sqo decide`) and their follow-up in the next week's review.

A decision keeps the deal as it stood when it was taken (stage, close date, amount): the next
review compares the deal on the decision's due date, or at the end of the week it reviews if that
comes first, with that (the rules are in ``sqo.domain.decisions``).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqo.analytics.decision_states import states_at_moments
from sqo.domain.actor import Actor
from sqo.domain.audit import AuditAction, audit_entry
from sqo.domain.decisions import DealState, DecisionKind, Outcome, decision_kind, outcome
from sqo.domain.errors import ForbiddenMove, InvalidValue
from sqo.domain.values import utc_now
from sqo.i18n import _
from sqo.services import lookups
from sqo.services.public import public_dict
from sqo.services.workspace import Workspace
from sqo.store.repositories.decisions import DecisionRepository


@dataclass(frozen=True)
class Decision:
    id: int
    opportunity_id: int
    opportunity_name: str
    decision: DecisionKind
    owner_id: int
    owner: str
    due_date: date
    park_until: date | None
    note: str | None
    decided_at: datetime
    decided_by: str
    stage: str  # the deal when decided
    close_date: date | None
    amount_cents: int | None

    def to_dict(self) -> dict[str, Any]:
        return public_dict(self)


@dataclass(frozen=True)
class FollowUp:
    """A decision and whether it held."""

    decision: Decision
    looked_at: datetime  # the due date's end, or the end of the week reviewed if earlier
    stage_then: str | None
    close_date_then: date | None
    outcome: Outcome
    why: str


def _checked(kind: DecisionKind, due: date, until: date | None, today: date) -> None:
    if due < today:
        raise InvalidValue(
            _(
                "The due date {due} is in the past (today is {today}): give today or later.",
                due=due.isoformat(),
                today=today.isoformat(),
            ),
            field="due",
        )
    if kind is DecisionKind.PARK and until is None:
        raise InvalidValue(
            _("Parking a deal needs --until DATE: when to look at it again."), field="until"
        )
    if kind is not DecisionKind.PARK and until is not None:
        raise InvalidValue(_("--until goes with --decision park only."), field="until")
    if until is not None and until < today:
        raise InvalidValue(
            _("--until {until} is in the past: give a later date.", until=until.isoformat()),
            field="until",
        )


def record_decision(
    ws: Workspace,
    actor: Actor,
    opportunity_id: int,
    *,
    decision: str,
    owner: str,
    due: date,
    until: date | None = None,
    note: str | None = None,
    at: datetime | None = None,
) -> Decision:
    """Keep what the review decided about an open deal, who follows it up, and by when."""
    at = at or utc_now()
    kind = decision_kind(decision)
    _checked(kind, due, until, at.date())
    with ws.unit_of_work() as uow:
        opp = lookups.opportunity(uow, opportunity_id)
        # The deal as it stood when decided: now, or at the meeting a decision is entered for.
        then = states_at_moments(uow.connection, [(opp.id, opp.id, at)])
        stage_then, close_then, amount = then.get(opp.id, (None, None, opp.amount_cents))
        stage = stage_then or opp.stage
        close = date.fromisoformat(close_then[:10]) if close_then else opp.close_date
        if ws.stage_model.stage(stage).is_closed:
            raise ForbiddenMove(
                _(
                    "Opportunity {id} is already closed ({stage}): there is nothing to decide.",
                    id=opp.id,
                    stage=stage,
                ),
                field="opportunity",
            )
        person = lookups.rep(uow, owner)
        text = note.strip() if note and note.strip() else None
        values = {
            "opportunity_id": opp.id,
            "decision": kind.value,
            "owner_id": person.id,
            "due_date": due,
            "park_until": until,
            "note": text,
            "decided_at": at,
            "decided_by": actor.name,
            "stage": stage,
            "close_date": close,
            "amount_cents": amount,
        }
        new_id = DecisionRepository(uow.connection).add(values)
        uow.audit.add(
            audit_entry(
                AuditAction.DECISION_RECORDED,
                actor,
                at,
                opportunity_id=opp.id,
                decision=kind.value,
                owner=person.name,
                due=due.isoformat(),
                until=until.isoformat() if until else None,
                note=text,
            )
        )
        uow.commit()
    return Decision(
        new_id,
        opp.id,
        opp.name,
        kind,
        person.id,
        person.name,
        due,
        until,
        text,
        at,
        actor.name,
        stage,
        close,
        amount,
    )


def _decision(row: dict[str, Any], owners: dict[int, str]) -> Decision:
    return Decision(
        int(row["id"]),
        int(row["opportunity_id"]),
        str(row["opportunity_name"]),
        DecisionKind(row["decision"]),
        int(row["owner_id"]),
        owners.get(int(row["owner_id"]), "—"),
        row["due_date"],
        row["park_until"],
        row["note"],
        row["decided_at"],
        str(row["decided_by"]),
        str(row["stage"]),
        row["close_date"],
        row["amount_cents"],
    )


def follow_up(
    ws: Workspace,
    actor: Actor,
    start: datetime,
    end: datetime,
    owners: Collection[int] | None,
    names: dict[int, str],
) -> list[FollowUp]:
    """The decisions taken in the week [start, end] or still due in it, each looked at on its due
    date (or at ``end``, if that comes first): held, broken or pending."""
    with ws.unit_of_work() as uow:
        rows = DecisionRepository(uow.connection).to_follow_up(start, end, owners)
        decisions = [_decision(row, names) for row in rows]
        moments = [
            (d.id, d.opportunity_id, min(end, datetime.combine(d.due_date, time.max)))
            for d in decisions
        ]
        states = states_at_moments(uow.connection, moments)
    found = []
    for d, (_key, _record, moment) in zip(decisions, moments, strict=True):
        stage, close, _amount = states.get(d.id, (None, None, None))
        then = DealState(stage or d.stage, date.fromisoformat(close[:10]) if close else None)
        due_passed = datetime.combine(d.due_date + timedelta(days=1), time()) <= end
        result, why = outcome(
            ws.stage_model,
            d.decision,
            DealState(d.stage, d.close_date),
            then,
            due_passed=due_passed,
        )
        found.append(FollowUp(d, moment, then.stage, then.close_date, result, why))
    return found
