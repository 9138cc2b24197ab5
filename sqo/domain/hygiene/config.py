"""Hygiene rules as configuration: which rules run, their thresholds (per segment where the seeds
say so) and their severities, validated from YAML (shipped: ``sqo/defaults/hygiene.yaml``)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Literal, Self

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sqo.domain.errors import ConfigurationError
from sqo.domain.yaml_files import Location
from sqo.domain.yaml_files import _walk as _lines
from sqo.domain.yaml_files import line_of as _line_of
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


def _refuse(source: str, problems: list[tuple[int | None, str, str]]) -> ConfigurationError:
    text = "\n".join(
        _("  {file}, line {line}, {field}: {problem}", file=source, line=line, field=f, problem=p)
        if line
        else _("  {file}, {field}: {problem}", file=source, field=f, problem=p)
        for line, f, p in sorted(problems, key=lambda item: item[0] or 0)
    )
    return ConfigurationError(
        _("The hygiene rules {file} are not valid:\n{problems}", file=source, problems=text)
    )


def parse_rules_text(text: str, *, source: str = "<hygiene rules>") -> HygieneRules:
    """Parse and validate hygiene rules YAML; every problem is named with its line and field."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise _refuse(source, [(line, "YAML", str(getattr(exc, "problem", exc)))]) from exc
    lines: dict[Location, int] = {}
    if root is not None:
        _lines(root, (), lines, [])
    try:
        return HygieneRules.model_validate(data if data is not None else {})
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            message = str(err["msg"]).removeprefix("Value error, ")
            problems.append((_line_of(loc, lines), ".".join(map(str, loc)) or "rules", message))
        raise _refuse(source, problems) from exc


def load_rules(path: Path | None = None) -> HygieneRules:
    """The rules of a YAML file, or the shipped ones."""
    source = path or DEFAULT_RULES_FILE
    try:
        text = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problem = (
            _("it is not UTF-8 text; save it as a UTF-8 YAML file")
            if isinstance(exc, UnicodeDecodeError)
            else exc.strerror or str(exc)
        )
        raise ConfigurationError(
            _("Cannot read the hygiene rules {file}: {problem}", file=str(source), problem=problem)
        ) from exc
    return parse_rules_text(text, source=str(source))
