"""Promotion to SQO: the moment an opportunity crosses into the SQO milestone.

``check`` runs before the move is written and refuses it when a required criterion of the
workspace's playbook is not met, unless the person promoting writes a justification (at least
``gate.min_justification_length`` characters), which then counts as an override. ``record`` runs
after, inside the same transaction: it stores the evaluation as it was at that moment (for
lost-deal analysis) and the audit entry (with the justification) that reviews read.
"""

from __future__ import annotations

from datetime import datetime

from sqo.domain.actor import Actor
from sqo.domain.audit import AuditAction, audit_entry
from sqo.domain.errors import GateRefused
from sqo.domain.playbooks.evaluation import CriterionResult, Evaluation
from sqo.domain.records import Opportunity
from sqo.i18n import _
from sqo.services import qualification
from sqo.services.workspace import Workspace
from sqo.store.unit_of_work import UnitOfWork


class QualificationRefused(GateRefused):
    """The gate said no: ``missing`` lists the required criteria that are not met."""

    def __init__(self, message: str, evaluation: Evaluation) -> None:
        super().__init__(
            message, field="justification", allowed=[r.key for r in evaluation.missing]
        )
        self.evaluation = evaluation
        self.missing: list[CriterionResult] = evaluation.missing


def _missing_text(evaluation: Evaluation) -> str:
    return "; ".join(f"{r.key} ({r.label}: {r.reason})" for r in evaluation.missing)


def _evaluate(uow: UnitOfWork, opp: Opportunity, at: datetime) -> Evaluation:
    return qualification.evaluate_opportunities(uow, [opp], at)[0]


def check(
    uow: UnitOfWork,
    ws: Workspace,
    opp: Opportunity,
    actor: Actor,
    *,
    justification: str | None,
    at: datetime,
) -> None:
    """Refuse the promotion when a required criterion is not met and no justification is given."""
    evaluation = _evaluate(uow, opp, at)
    if evaluation.passed:
        return
    minimum = qualification.gate_settings(uow).min_justification
    text = (justification or "").strip()
    record = (
        _("Opportunity {id}", id=opp.id) if opp.id else _("The opportunity {name!r}", name=opp.name)
    )
    if not text:
        raise QualificationRefused(
            _(
                "{record} cannot become an SQO: {count} required criteria of the playbook "
                "{playbook} are not met: {missing}. Record evidence with 'sqo evidence add', or "
                "give a written justification of at least {minimum} characters (--justify) to "
                "override the gate.",
                record=record,
                count=len(evaluation.missing),
                playbook=evaluation.playbook,
                missing=_missing_text(evaluation),
                minimum=minimum,
            ),
            evaluation,
        )
    if len(text) < minimum:
        raise QualificationRefused(
            _(
                "{record} cannot become an SQO: the justification is {length} characters long; "
                "overriding the gate needs at least {minimum}. Say why this deal is qualified "
                "although these criteria are not met: {missing}.",
                record=record,
                length=len(text),
                minimum=minimum,
                missing=_missing_text(evaluation),
            ),
            evaluation,
        )


def record(
    uow: UnitOfWork,
    ws: Workspace,
    opp: Opportunity,
    actor: Actor,
    *,
    justification: str | None,
    at: datetime,
) -> None:
    """Store the evaluation at the moment of promotion, and the audit entries."""
    evaluation = _evaluate(uow, opp, at)
    overridden = not evaluation.passed
    text = (justification or "").strip() or None
    qualification.repository(uow).add_snapshot(
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
    uow.audit.add(
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
    )
    if overridden:
        uow.audit.add(
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
