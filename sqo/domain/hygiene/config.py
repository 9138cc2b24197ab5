"""Hygiene rules as configuration: which rules run, their thresholds (per segment where the seeds
say so) and their severities, validated from YAML (shipped: ``sqo/defaults/hygiene.yaml``)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from sqo.domain.yaml_files import Refusal, parse_yaml, read_config, validated
from sqo.i18n import _

DEFAULT_RULES_FILE = Path(__file__).resolve().parent.parent.parent / "defaults" / "hygiene.yaml"


class Severity(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


SEVERITY_ORDER = {Severity.HIGH: 0, Severity.MEDIUM: 1, Severity.LOW: 2}


class _Rule(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    enabled: bool = True
    severity: Severity = Severity.MEDIUM
    applies_to: Literal["open", "sqo"] = "open"


class BySegment(BaseModel):
    """A whole number per segment, with ``default`` for any other segment or none."""

    model_config = ConfigDict(frozen=True, extra="allow")

    default: int = Field(ge=0)

    @model_validator(mode="after")
    def _whole_days(self) -> Self:
        for segment, value in (self.model_extra or {}).items():
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"{segment}: a whole number of days (0 or more)")
        return self

    def for_segment(self, segment: str | None) -> int:
        extra = self.model_extra or {}
        if segment is not None:
            for key, value in extra.items():
                if key.casefold() == segment.casefold():
                    return int(value)
        return self.default


class NoAmount(_Rule):
    pass


class Stale(_Rule):
    severity: Severity = Severity.HIGH
    close_date_passed: bool = True
    beyond_p90_cycle: bool = True
    min_won_deals: int = Field(default=10, ge=1)


class Neglected(_Rule):
    severity: Severity = Severity.HIGH
    days: BySegment = BySegment.model_validate(
        {"default": 14, "SMB": 7, "mid-market": 14, "enterprise": 21}
    )


class NoNextStep(_Rule):
    pass


class NextStepOverdue(_Rule):
    grace_days: int = Field(default=0, ge=0)


class CloseDatePushed(_Rule):
    min_pushes: int = Field(default=2, ge=1)


class AmountCut(_Rule):
    applies_to: Literal["open", "sqo"] = "sqo"
    lookback_days: int = Field(default=30, ge=1)
    min_cut_share: float = Field(default=0.1, gt=0.0, le=1.0)


class StageBackwards(_Rule):
    lookback_days: int = Field(default=30, ge=1)


class MissingBuyingRole(_Rule):
    applies_to: Literal["open", "sqo"] = "sqo"


class PrematureSqo(_Rule):
    severity: Severity = Severity.HIGH
    applies_to: Literal["open", "sqo"] = "sqo"
    overridden: bool = True
    within_days: int = Field(default=14, ge=1)
    lookback_days: int = Field(default=30, ge=1)


class PipelineBloat(_Rule):
    coverage_above: float = Field(default=3.0, gt=0.0)
    unhealthy_share: float = Field(default=0.5, ge=0.0, le=1.0)
    min_open_sqos: int = Field(default=5, ge=1)


class Rules(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    no_amount: NoAmount = NoAmount()
    stale: Stale = Stale()
    neglected: Neglected = Neglected()
    no_next_step: NoNextStep = NoNextStep()
    next_step_overdue: NextStepOverdue = NextStepOverdue()
    close_date_pushed: CloseDatePushed = CloseDatePushed()
    amount_cut: AmountCut = AmountCut()
    stage_backwards: StageBackwards = StageBackwards()
    missing_buying_role: MissingBuyingRole = MissingBuyingRole()
    premature_sqo: PrematureSqo = PrematureSqo()
    pipeline_bloat: PipelineBloat = PipelineBloat()


# The stable keys, in the order reports list them (worst mistakes of the seeds first).
RULE_KEYS = (
    "premature_sqo",
    "pipeline_bloat",
    "neglected",
    "stale",
    "no_next_step",
    "next_step_overdue",
    "close_date_pushed",
    "amount_cut",
    "stage_backwards",
    "no_amount",
    "missing_buying_role",
)


class HygieneRules(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(default="hygiene rules", min_length=1)
    rules: Rules = Rules()

    def enabled(self) -> list[str]:
        return [key for key in RULE_KEYS if getattr(self.rules, key).enabled]

    def severity(self, key: str) -> Severity:
        return Severity(getattr(self.rules, key).severity)


def _sentence(source: str) -> Refusal:
    return lambda problems: _(
        "The hygiene rules {file} are not valid:\n{problems}", file=source, problems=problems
    )


def parse_rules_text(text: str, *, source: str = "<hygiene rules>") -> HygieneRules:
    """Parse and validate hygiene rules YAML; every problem is named with its line and field."""
    data, lines, _twice = parse_yaml(text, source=source, sentence=_sentence(source))
    return validated(
        HygieneRules,
        data if data is not None else {},
        lines,
        source=source,
        top="rules",
        sentence=_sentence(source),
    )


def load_rules(path: Path | None = None) -> HygieneRules:
    """The rules of a YAML file, or the shipped ones."""
    source = path or DEFAULT_RULES_FILE
    text = read_config(
        source,
        lambda problem: _(
            "Cannot read the hygiene rules {file}: {problem}", file=str(source), problem=problem
        ),
    )
    return parse_rules_text(text, source=str(source))
