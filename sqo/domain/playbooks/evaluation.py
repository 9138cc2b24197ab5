"""Evaluating a playbook for one record: every criterion's status and reason, scores, the gate.

Pure: a playbook, the record's facts and the evaluation time in; an :class:`Evaluation` out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqo.domain.playbooks.facts import Facts
from sqo.domain.playbooks.model import Criterion, Playbook
from sqo.domain.playbooks.rules import MET, UNKNOWN
from sqo.i18n import _


class Status(StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    UNKNOWN = "unknown"
    NOT_APPLICABLE = "not_applicable"


@dataclass(frozen=True)
class CriterionResult:
    key: str
    group: str
    label: str
    description: str
    required: bool
    weight: float
    status: Status
    reason: str
    met_by: str | None = None  # "evidence" or "rule"
    evidence_by: str | None = None
    evidence_at: datetime | None = None

    @property
    def applicable(self) -> bool:
        return self.status is not Status.NOT_APPLICABLE

    @property
    def missing(self) -> bool:
        """Required, applicable and not met: it blocks the gate."""
        return self.required and self.applicable and self.status is not Status.MET


@dataclass(frozen=True)
class GroupScore:
    key: str
    label: str
    score: float | None  # met weight / applicable weight; None when nothing applies
    met: int
    applicable: int


@dataclass(frozen=True)
class Evaluation:
    playbook: str
    playbook_version: str
    record_type: str
    record_id: int
    record_name: str
    as_of: datetime
    segment: str | None
    results: tuple[CriterionResult, ...]
    groups: tuple[GroupScore, ...]
    score: float

    @property
    def missing(self) -> list[CriterionResult]:
        return [r for r in self.results if r.missing]

    @property
    def passed(self) -> bool:
        return not self.missing

    def result(self, key: str) -> CriterionResult:
        return next(r for r in self.results if r.key == key)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (for the CLI, the API, the web app and promotion snapshots)."""
        return {
            "playbook": self.playbook,
            "playbook_version": self.playbook_version,
            "record_type": self.record_type,
            "record_id": self.record_id,
            "record_name": self.record_name,
            "as_of": self.as_of.isoformat(),
            "segment": self.segment,
            "score": round(self.score, 4),
            "passed": self.passed,
            "missing": [r.key for r in self.missing],
            "groups": [
                {
                    "key": g.key,
                    "label": g.label,
                    "score": None if g.score is None else round(g.score, 4),
                    "met": g.met,
                    "applicable": g.applicable,
                }
                for g in self.groups
            ],
            "criteria": [
                {
                    "key": r.key,
                    "group": r.group,
                    "label": r.label,
                    "description": r.description,
                    "required": r.required,
                    "weight": r.weight,
                    "status": r.status.value,
                    "reason": r.reason,
                    "met_by": r.met_by,
                    "evidence_by": r.evidence_by,
                    "evidence_at": r.evidence_at.isoformat() if r.evidence_at else None,
                }
                for r in self.results
            ],
        }


def _judge(criterion: Criterion, facts: Facts, as_of: datetime) -> tuple[Status, str, Any]:
    """Status, reason and the evidence used (if any) for one applicable criterion."""
    evidence = facts.evidence_for(criterion.key, as_of) if criterion.evidence else None
    if evidence is not None:
        return Status.MET, evidence.note, evidence
    if criterion.rule is not None:
        outcome = criterion.rule.evaluate(facts, as_of)
        if outcome.status == MET:
            return Status.MET, outcome.reason, None
        status = Status.UNKNOWN if outcome.status == UNKNOWN else Status.NOT_MET
        return status, outcome.reason, None
    return Status.UNKNOWN, _("no evidence recorded"), None


def evaluate(playbook: Playbook, facts: Facts, as_of: datetime) -> Evaluation:
    """Evaluate ``playbook`` for the record described by ``facts`` at ``as_of``."""
    values = {**facts.values, "record_type": facts.record_type}
    results: list[CriterionResult] = []
    groups: list[GroupScore] = []
    total_weight = met_weight = 0.0
    for group in playbook.groups:
        group_label, _desc = group.text()
        g_total = g_met = 0.0
        g_count = g_applicable = 0
        for criterion in group.criteria:
            label, description = criterion.text()
            condition = criterion.parsed_condition
            evidence = None
            if condition is not None and not condition.holds(values):
                status = Status.NOT_APPLICABLE
                reason = _("does not apply (only when {condition})", condition=condition.source)
            else:
                status, reason, evidence = _judge(criterion, facts, as_of)
                g_applicable += 1
                g_total += criterion.weight
                if status is Status.MET:
                    g_count += 1
                    g_met += criterion.weight
            results.append(
                CriterionResult(
                    key=criterion.key,
                    group=group.key,
                    label=label,
                    description=description,
                    required=criterion.required,
                    weight=criterion.weight,
                    status=status,
                    reason=reason,
                    met_by=(
                        None
                        if status is not Status.MET
                        else ("evidence" if evidence is not None else "rule")
                    ),
                    evidence_by=evidence.recorded_by if evidence is not None else None,
                    evidence_at=evidence.recorded_at if evidence is not None else None,
                )
            )
        groups.append(
            GroupScore(
                key=group.key,
                label=group_label,
                score=(g_met / g_total) if g_total else None,
                met=g_count,
                applicable=g_applicable,
            )
        )
        total_weight += g_total
        met_weight += g_met
    segment = values.get("segment")
    return Evaluation(
        playbook=playbook.name,
        playbook_version=playbook.version,
        record_type=facts.record_type,
        record_id=facts.record_id,
        record_name=facts.name,
        as_of=as_of,
        segment=str(segment) if segment else None,
        results=tuple(results),
        groups=tuple(groups),
        score=(met_weight / total_weight) if total_weight else 0.0,
    )
