"""The SQO gate as a decision: may this evaluated deal become an SQO, and if not, why not.

Pure: an :class:`Evaluation`, the justification the person promoting wrote and the workspace's
:class:`GateRules` in; a :class:`GateDecision` out. A deal that meets every required criterion
passes; one that misses some passes only with a written justification of at least the minimum
length, which makes the promotion an override. The services read the rules and the facts, ask
this module, and raise :class:`QualificationRefused` when it says no.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqo.domain.errors import GateRefused
from sqo.domain.playbooks.evaluation import CriterionResult, Evaluation
from sqo.i18n import _


class Verdict(StrEnum):
    ALLOWED = "allowed"  # every required criterion is met
    OVERRIDDEN = "overridden"  # some are missing, and the justification is long enough
    REFUSED = "refused"


class Reason(StrEnum):
    CRITERIA_MET = "criteria_met"
    CRITERIA_MISSING = "criteria_missing"  # overridden: missing, but justified
    JUSTIFICATION_ABSENT = "justification_absent"
    JUSTIFICATION_TOO_SHORT = "justification_too_short"


@dataclass(frozen=True)
class GateRules:
    """What the decision needs besides the evaluation: the workspace's minimum length of a
    justification that overrides the gate (setting ``gate.min_justification_length``)."""

    min_justification_length: int


class QualificationRefused(GateRefused):
    """The gate said no: ``missing`` lists the required criteria that are not met."""

    def __init__(self, message: str, evaluation: Evaluation) -> None:
        super().__init__(
            message, field="justification", allowed=[r.key for r in evaluation.missing]
        )
        self.evaluation = evaluation
        self.missing: list[CriterionResult] = evaluation.missing


@dataclass(frozen=True)
class GateDecision:
    verdict: Verdict
    reason: Reason
    evaluation: Evaluation
    missing: tuple[CriterionResult, ...]
    justification: str | None  # the written reason, stripped; None when blank
    minimum: int
    message: str | None = None  # why it was refused, in the user's language

    @property
    def allowed(self) -> bool:
        """The deal may become an SQO (passed, or overridden with a justification)."""
        return self.verdict is not Verdict.REFUSED

    @property
    def overridden(self) -> bool:
        return self.verdict is Verdict.OVERRIDDEN

    def raise_if_refused(self) -> None:
        if self.verdict is Verdict.REFUSED:
            assert self.message is not None
            raise QualificationRefused(self.message, self.evaluation)


def decide(evaluation: Evaluation, justification: str | None, rules: GateRules) -> GateDecision:
    """The gate's answer for ``evaluation`` given the person's ``justification``."""
    text = (justification or "").strip()
    minimum = rules.min_justification_length
    missing = tuple(evaluation.missing)

    def decision(verdict: Verdict, reason: Reason, message: str | None = None) -> GateDecision:
        return GateDecision(verdict, reason, evaluation, missing, text or None, minimum, message)

    if not missing:
        return decision(Verdict.ALLOWED, Reason.CRITERIA_MET)
    record = _record(evaluation)
    if not text:
        return decision(
            Verdict.REFUSED,
            Reason.JUSTIFICATION_ABSENT,
            _(
                "{record} cannot become an SQO: {count} required criteria of the playbook "
                "{playbook} are not met: {missing}. Record evidence with 'sqo evidence add', or "
                "give a written justification of at least {minimum} characters (--justify) to "
                "override the gate.",
                record=record,
                count=len(missing),
                playbook=evaluation.playbook,
                missing=_missing_text(missing),
                minimum=minimum,
            ),
        )
    if len(text) < minimum:
        return decision(
            Verdict.REFUSED,
            Reason.JUSTIFICATION_TOO_SHORT,
            _(
                "{record} cannot become an SQO: the justification is {length} characters long; "
                "overriding the gate needs at least {minimum}. Say why this deal is qualified "
                "although these criteria are not met: {missing}.",
                record=record,
                length=len(text),
                minimum=minimum,
                missing=_missing_text(missing),
            ),
        )
    return decision(Verdict.OVERRIDDEN, Reason.CRITERIA_MISSING)


def _record(evaluation: Evaluation) -> str:
    # A deal created directly at SQO is judged before it is saved, so it has no id yet.
    if evaluation.record_id:
        return _("Opportunity {id}", id=evaluation.record_id)
    return _("The opportunity {name!r}", name=evaluation.record_name)


def _missing_text(missing: tuple[CriterionResult, ...]) -> str:
    return "; ".join(f"{r.key} ({r.label}: {r.reason})" for r in missing)
