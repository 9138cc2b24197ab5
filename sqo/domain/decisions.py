"""Review decisions and whether they held: pure rules on a deal as it stood when decided and as it
stands at the next look (by its due date, or the end of the week reviewed if that comes first).

- advance: held once the deal is at a later open stage or won; broken if it is lost, moved back or
  its close date was pushed later; broken too when the due date passed without it advancing.
- move back: held once the deal is at an earlier stage (below SQO included) or lost; broken when
  the due date passed and it is still where it was, or further along.
- park until a date: the deal is left alone, to be looked at again on that date: held while it is
  open at its stage or later and its close date was not pushed again; broken if it was lost, moved
  back or slipped (a parked deal that is worked and won held).
- close out: held once the deal is closed, won or lost; broken when the due date passed with the
  deal still open.

Until the due date, a decision without a decisive change is pending.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqo.domain.errors import InvalidValue, list_values
from sqo.domain.stages import StageKind, StageModel
from sqo.i18n import _


class DecisionKind(StrEnum):
    ADVANCE = "advance"
    MOVE_BACK = "move-back"
    PARK = "park"
    CLOSE_OUT = "close-out"


class Outcome(StrEnum):
    HELD = "held"
    BROKEN = "broken"
    PENDING = "pending"


def decision_kind(value: str) -> DecisionKind:
    try:
        return DecisionKind(value.strip().casefold())
    except ValueError:
        allowed = [k.value for k in DecisionKind]
        raise InvalidValue(
            _(
                "Unknown decision {value!r}. Decisions: {allowed}.",
                value=value,
                allowed=list_values(allowed),
            ),
            field="decision",
            allowed=allowed,
        ) from None


@dataclass(frozen=True)
class DealState:
    stage: str
    close_date: date | None


def _moved(model: StageModel, before: DealState, after: DealState) -> tuple[int, bool, bool]:
    """(stage direction -1/0/1 among open stages, won, lost) from ``before`` to ``after``."""
    kind = model.stage(after.stage).kind
    if kind is StageKind.WON:
        return 0, True, False
    if kind is StageKind.LOST:
        return 0, False, True
    a, b = model.position(before.stage), model.position(after.stage)
    return (b > a) - (b < a), False, False


def outcome(
    model: StageModel,
    kind: DecisionKind,
    before: DealState,
    after: DealState,
    *,
    due_passed: bool,
) -> tuple[Outcome, str]:
    """Whether the decision held, and why in a few words (translated)."""
    direction, won, lost = _moved(model, before, after)
    slipped = (
        before.close_date is not None
        and after.close_date is not None
        and after.close_date > before.close_date
    )
    waiting = (Outcome.PENDING, _("nothing decisive yet"))
    if kind is DecisionKind.ADVANCE:
        if won:
            return Outcome.HELD, _("won")
        if direction > 0:
            return Outcome.HELD, _("advanced to {stage}", stage=after.stage)
        if lost:
            return Outcome.BROKEN, _("lost")
        if direction < 0:
            return Outcome.BROKEN, _("moved back to {stage}", stage=after.stage)
        if slipped:
            return Outcome.BROKEN, _("close date pushed to {day}", day=str(after.close_date))
        return (Outcome.BROKEN, _("no advance by the due date")) if due_passed else waiting
    if kind is DecisionKind.MOVE_BACK:
        if lost:
            return Outcome.HELD, _("lost")
        if direction < 0:
            return Outcome.HELD, _("moved back to {stage}", stage=after.stage)
        return (Outcome.BROKEN, _("not moved back by the due date")) if due_passed else waiting
    if kind is DecisionKind.PARK:
        if won:
            return Outcome.HELD, _("won")
        if lost:
            return Outcome.BROKEN, _("lost")
        if direction < 0:
            return Outcome.BROKEN, _("moved back to {stage}", stage=after.stage)
        if slipped:
            return Outcome.BROKEN, _("close date pushed to {day}", day=str(after.close_date))
        return Outcome.HELD, _("parked, not slipped")
    if won or lost:
        return Outcome.HELD, _("won") if won else _("lost")
    return (Outcome.BROKEN, _("still open after the due date")) if due_passed else waiting
