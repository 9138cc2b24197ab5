"""Promotion to SQO: the moment an opportunity crosses into the SQO milestone.

``promote_opportunity`` is the use case (`sqo promote`): one transaction, one evaluation of the
deal, the gate's decision (:mod:`sqo.services.sqo_gate`), the move and what it leaves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqo.domain.actor import Actor
from sqo.domain.errors import ForbiddenMove
from sqo.domain.gate import GateDecision, QualificationRefused
from sqo.domain.history import RecordType
from sqo.domain.records import Opportunity
from sqo.domain.values import utc_now
from sqo.i18n import _
from sqo.services import lookups, stage_moves
from sqo.services.public import public
from sqo.services.recording import check_version
from sqo.services.workspace import Workspace

__all__ = ["PromotionOutcome", "QualificationRefused", "promote_opportunity"]


@dataclass(frozen=True)
class PromotionOutcome:
    """A promoted opportunity and what the gate said."""

    opportunity: Opportunity
    decision: GateDecision

    @property
    def passed(self) -> bool:
        return self.decision.evaluation.passed

    @property
    def overridden(self) -> bool:
        return self.decision.overridden

    @property
    def score(self) -> float:
        return round(self.decision.evaluation.score, 4)

    @property
    def missing(self) -> list[str]:
        return [r.key for r in self.decision.missing]

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (`sqo promote --json`)."""
        return {
            "opportunity": public(self.opportunity),
            "passed": self.passed,
            "overridden": self.overridden,
            "score": self.score,
            "missing": self.missing,
        }


def promote_opportunity(
    ws: Workspace,
    actor: Actor,
    opportunity_id: int,
    justification: str | None,
    *,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> PromotionOutcome:
    """Move an opportunity before SQO to the SQO stage through the gate, in one transaction.
    A deal that is already an SQO or further along is refused: promoting never moves back."""
    at = at or utc_now()
    model = ws.stage_model
    with ws.unit_of_work() as uow:
        loaded = uow.qualification.opportunity_with_account(opportunity_id)
        # Not found: ask the usual lookup, which refuses with the usual message.
        opp, accounts = loaded or (lookups.opportunity(uow, opportunity_id), None)
        check_version(opp, RecordType.OPPORTUNITY, expected_version)
        if model.at_or_after_sqo(opp.stage):
            raise ForbiddenMove(
                _(
                    "Opportunity {id} is already an SQO (stage {stage}); nothing was changed.",
                    id=opp.id,
                    stage=opp.stage,
                ),
                field="stage",
            )
        decision = stage_moves.apply_move(
            uow,
            ws,
            actor,
            opp,
            model.sqo_stage,
            justification=justification,
            at=at,
            accounts=accounts,
        )
        assert decision is not None  # the deal was before SQO: the move crossed the gate
        uow.commit()
    return PromotionOutcome(opp, decision)
