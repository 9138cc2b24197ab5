"""Promotion to SQO: the moment an opportunity crosses into the SQO milestone.

``promote_opportunity`` is the use case (`sqo promote`). Any move that crosses into SQO (a
promotion, a generic move, a deal created at a later stage) evaluates the deal once, asks the
gate (:func:`sqo.domain.gate.decide`) with :func:`pass_gate`, and, once the move is written,
stores the evaluation as it was at that moment (the promotion record, for lost-deal analysis)
and the audit entries (with the justification) that reviews read, with :func:`record_promotion`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqo.domain.actor import Actor
from sqo.domain.audit import AuditAction, audit_entry
from sqo.domain.errors import ForbiddenMove
from sqo.domain.gate import GateDecision, QualificationRefused, decide
from sqo.domain.history import RecordType
from sqo.domain.playbooks.evaluation import Evaluation
from sqo.domain.records import Opportunity
from sqo.domain.values import utc_now
from sqo.i18n import _
from sqo.services import lookups, qualification, stage_moves
from sqo.services.recording import check_version
from sqo.services.workspace import Workspace
from sqo.store.unit_of_work import UnitOfWork

__all__ = [
    "PromotionOutcome",
    "QualificationRefused",
    "pass_gate",
    "promote_opportunity",
    "record",
    "record_promotion",
]


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
            "opportunity": _json_ready(self.opportunity),
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


def pass_gate(
    uow: UnitOfWork,
    opp: Opportunity,
    justification: str | None,
    at: datetime,
    *,
    accounts: dict[int, dict[str, Any]] | None = None,
) -> GateDecision:
    """Evaluate ``opp`` (as it will be after the move) and ask the gate; raise
    :class:`QualificationRefused` when it says no. ``accounts``: the deal's account facts, when
    the caller loaded them with the deal."""
    settings = qualification.gate_settings(uow)
    [evaluation] = qualification.evaluate_opportunities(
        uow, [opp], at, settings=settings, accounts=accounts
    )
    decision = decide(evaluation, justification, qualification.gate_rules(settings))
    decision.raise_if_refused()
    return decision


def record_promotion(
    uow: UnitOfWork,
    opp: Opportunity,
    actor: Actor,
    evaluation: Evaluation,
    *,
    justification: str | None,
    at: datetime,
) -> None:
    """Store the evaluation at the moment of promotion (the promotion record) and the audit
    entries; a promotion of a deal that misses required criteria is an override."""
    overridden = not evaluation.passed
    text = (justification or "").strip() or None
    uow.qualification.add_promotion_record(
        {
            "opportunity_id": opp.id,
            "stage": opp.stage,
            "playbook": evaluation.playbook,
            "playbook_version": evaluation.playbook_version,
            "evaluated_at": at,
            "actor": actor.name,
            "passed": evaluation.passed,
            "overridden": overridden,
            "justification": text,
            "score": round(evaluation.score, 4),
            "detail": evaluation.to_dict(),
        }
    )
    missing = [r.key for r in evaluation.missing]
    entries = [
        audit_entry(
            AuditAction.PROMOTED,
            actor,
            at,
            opportunity_id=opp.id,
            stage=opp.stage,
            justification=justification,
            playbook=evaluation.playbook,
            playbook_version=evaluation.playbook_version,
            passed=evaluation.passed,
            overridden=overridden,
            score=round(evaluation.score, 4),
            missing=missing,
        )
    ]
    if overridden:
        entries.append(
            audit_entry(
                AuditAction.GATE_OVERRIDDEN,
                actor,
                at,
                opportunity_id=opp.id,
                stage=opp.stage,
                justification=text,
                playbook=evaluation.playbook,
                missing=missing,
            )
        )
    uow.audit.add_many(entries)


def record(
    uow: UnitOfWork,
    ws: Workspace,
    opp: Opportunity,
    actor: Actor,
    *,
    justification: str | None,
    at: datetime,
) -> None:
    """What a promotion leaves, for a promotion that happened outside the gate (the demo's
    history): the deal as it stood ``at`` is evaluated and recorded, never refused."""
    [evaluation] = qualification.evaluate_opportunities(uow, [opp], at)
    record_promotion(uow, opp, actor, evaluation, justification=justification, at=at)


def _json_ready(value: Any) -> Any:
    """Records and values as the interfaces print them: amounts in major units, ISO dates
    (the same form as ``sqo.cli.output.plain``, which a test keeps identical)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        data = {f.name: _json_ready(getattr(value, f.name)) for f in dataclasses.fields(value)}
        for key in [k for k in data if k.endswith("_cents")]:
            cents = data.pop(key)
            data[key.removesuffix("_cents")] = None if cents is None else cents / 100
        return data
    if isinstance(value, dict):
        return {str(k): _json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_ready(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value
