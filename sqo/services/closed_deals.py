"""A closed deal stays closed: changing what it was won or lost at needs a written reason.

Changing a won or lost deal's amount, currency, close date or stage rewrites figures already
reported (win rate, bookings, coverage); like promoting past the SQO gate, it is allowed with a
justification of the gate's minimum length, which the history keeps with the change.
"""

from __future__ import annotations

from datetime import datetime

from sqo.domain.errors import GateRefused
from sqo.domain.records import Opportunity
from sqo.i18n import _
from sqo.services.workspace import Workspace
from sqo.store.unit_of_work import UnitOfWork

GUARDED = ("stage", "amount_cents", "currency", "close_date")


def check_change_after_close(
    uow: UnitOfWork,
    ws: Workspace,
    before: dict[str, str | None],
    after: dict[str, str | None],
    opp: Opportunity,
    justification: str | None,
    *,
    closed_at: datetime | None,
    at: datetime,
) -> None:
    """Refuse a change to a closed deal's guarded fields without a long enough justification.
    ``closed_at`` is when the deal closed (before this change) and ``at`` when the change is
    recorded: a change dated before the close (an import replaying the past) is not after it."""
    stage = before.get("stage")
    if stage is None or not ws.stage_model.stage(stage).is_closed:
        return
    if closed_at is not None and at < closed_at:
        return
    changed = [f for f in GUARDED if before.get(f) != after.get(f)]
    if not changed:
        return
    from sqo.services import qualification  # the gate's settings: only when a closed deal changes

    minimum = qualification.gate_settings(uow).min_justification
    text = (justification or "").strip()
    if len(text) >= minimum:
        return
    raise GateRefused(
        _(
            "Opportunity {id} is closed ({stage}): changing its {fields} after the close needs "
            "a written justification of at least {minimum} characters (--justify); nothing was "
            "changed.",
            id=opp.id,
            stage=stage,
            fields=", ".join(_field_name(f) for f in changed),
            minimum=minimum,
        ),
        field="justification",
    )


def _field_name(field: str) -> str:
    return {
        "stage": _("stage"),
        "amount_cents": _("amount"),
        "currency": _("currency"),
        "close_date": _("close date"),
    }[field]
