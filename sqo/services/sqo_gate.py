"""The SQO gate inside a transaction: evaluate the deal once, ask the gate, and leave what a
promotion leaves.

Any move that crosses into SQO (`sqo promote`, a generic move, a deal created at a later stage)
calls :func:`pass_gate`, which evaluates the deal as it will be after the move and asks
:func:`sqo.domain.gate.decide`; once the move is written, :func:`record_promotion` stores the
evaluation as it was at that moment (the promotion record, for lost-deal analysis) and the audit
entries (with the justification) that reviews read. Its own module so that the stage moves can
call it without importing the promotion use case, which calls them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqo.domain.actor import Actor
from sqo.domain.audit import AuditAction, audit_entry
from sqo.domain.gate import GateDecision, decide
from sqo.domain.playbooks.evaluation import Evaluation
from sqo.domain.records import Opportunity
from sqo.services import qualification
from sqo.services.workspace import Workspace
from sqo.store.unit_of_work import UnitOfWork


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
