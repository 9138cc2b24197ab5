"""The stage model: ordered stages, their kind, the SQO milestone and which moves are allowed.

Stages are configuration (YAML validated here), never code: an organisation names its own stages.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sqo.domain.errors import ConfigurationError, ForbiddenMove, InvalidValue, list_values
from sqo.i18n import _


class StageKind(StrEnum):
    LEAD = "lead"  # lead lifecycle (Lead, MQL, SAL, SQL)
    DISQUALIFIED = "disqualified"  # a lead that left the funnel; can be recycled
    OPPORTUNITY = "opportunity"  # open opportunity stages
    WON = "won"
    LOST = "lost"


class ForecastCategory(StrEnum):
    """Salesforce's forecast categories, the words users already know."""

    PIPELINE = "Pipeline"
    BEST_CASE = "Best Case"
    COMMIT = "Commit"
    CLOSED = "Closed"
    OMITTED = "Omitted"


LEAD_KINDS = frozenset({StageKind.LEAD, StageKind.DISQUALIFIED})
OPPORTUNITY_KINDS = frozenset({StageKind.OPPORTUNITY, StageKind.WON, StageKind.LOST})
CLOSED_KINDS = frozenset({StageKind.WON, StageKind.LOST})


class Stage(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=40)
    kind: StageKind
    probability: float = Field(default=0.0, ge=0.0, le=1.0)
    forecast_category: ForecastCategory = ForecastCategory.PIPELINE
    description: str = ""

    @property
    def is_closed(self) -> bool:
        return self.kind in CLOSED_KINDS


class StageModel(BaseModel):
    """The organisation's funnel. Stage order is the order of the list."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = "default"
    stages: tuple[Stage, ...]
    sqo_stage: str
    opportunity_start_stage: str
    convertible_from: tuple[str, ...] = ("SQL",)
    allow_reopen: bool = True
    loss_reason_required: bool = True

    @model_validator(mode="after")
    def _check(self) -> Self:
        names = [stage.name for stage in self.stages]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"duplicate stage names: {', '.join(duplicates)}")
        by_name = {stage.name: stage for stage in self.stages}
        for field, name, kinds in (
            ("sqo_stage", self.sqo_stage, {StageKind.OPPORTUNITY}),
            ("opportunity_start_stage", self.opportunity_start_stage, {StageKind.OPPORTUNITY}),
        ):
            stage = by_name.get(name)
            if stage is None or stage.kind not in kinds:
                raise ValueError(f"{field} {name!r} must name an open opportunity stage")
        for name in self.convertible_from:
            if name not in by_name or by_name[name].kind is not StageKind.LEAD:
                raise ValueError(f"convertible_from {name!r} must name a lead stage")
        for kind in (StageKind.LEAD, StageKind.WON, StageKind.LOST):
            if not any(stage.kind is kind for stage in self.stages):
                raise ValueError(f"the model needs at least one {kind.value} stage")
        order = [s.name for s in self.stages if s.kind is StageKind.OPPORTUNITY]
        if order.index(self.opportunity_start_stage) > order.index(self.sqo_stage):
            raise ValueError("opportunity_start_stage must come before sqo_stage")
        return self

    @cached_property
    def _by_key(self) -> dict[str, Stage]:
        return {stage.name.casefold(): stage for stage in self.stages}

    def stage(self, name: str, *, field: str = "stage") -> Stage:
        """The stage called ``name`` (case-insensitive), or a clear error listing the stages."""
        found = self._by_key.get(name.strip().casefold())
        if found is None:
            raise InvalidValue(
                _(
                    "Unknown {field} {value!r}. Valid stages: {allowed}.",
                    field=field,
                    value=name,
                    allowed=list_values(s.name for s in self.stages),
                ),
                field=field,
                allowed=[s.name for s in self.stages],
            )
        return found

    def position(self, name: str) -> int:
        return [s.name for s in self.stages].index(self.stage(name).name)

    def lead_stages(self) -> list[Stage]:
        return [s for s in self.stages if s.kind in LEAD_KINDS]

    def opportunity_stages(self) -> list[Stage]:
        return [s for s in self.stages if s.kind in OPPORTUNITY_KINDS]

    def open_opportunity_stages(self) -> list[Stage]:
        return [s for s in self.stages if s.kind is StageKind.OPPORTUNITY]

    def at_or_after_sqo(self, name: str) -> bool:
        """True for the SQO stage, later open stages and Won (an SQO that closed won)."""
        stage = self.stage(name)
        if stage.kind is StageKind.WON:
            return True
        if stage.kind is not StageKind.OPPORTUNITY:
            return False
        return self.position(stage.name) >= self.position(self.sqo_stage)

    def won_stage(self) -> Stage:
        return next(s for s in self.stages if s.kind is StageKind.WON)

    def lost_stage(self) -> Stage:
        return next(s for s in self.stages if s.kind is StageKind.LOST)

    def first_lead_stage(self) -> Stage:
        return next(s for s in self.stages if s.kind is StageKind.LEAD)

    def check_lead_move(self, current: str, target: str) -> Stage:
        """Validate a lead's move and return the target stage."""
        to = self.stage(target)
        if to.kind not in LEAD_KINDS:
            raise ForbiddenMove(
                _(
                    "A lead cannot move to the opportunity stage {stage!r}; convert it with "
                    "'sqo lead convert' instead. Lead stages: {allowed}.",
                    stage=to.name,
                    allowed=list_values(s.name for s in self.lead_stages()),
                ),
                field="stage",
                allowed=[s.name for s in self.lead_stages()],
            )
        self._check_not_same(current, to)
        return to

    def check_opportunity_move(self, current: str, target: str) -> Stage:
        """Validate an opportunity's move and return the target stage."""
        to = self.stage(target)
        allowed = [s.name for s in self.opportunity_stages()]
        if to.kind not in OPPORTUNITY_KINDS:
            raise ForbiddenMove(
                _(
                    "An opportunity cannot move to the lead stage {stage!r}. "
                    "Opportunity stages: {allowed}.",
                    stage=to.name,
                    allowed=list_values(allowed),
                ),
                field="stage",
                allowed=allowed,
            )
        self._check_not_same(current, to)
        if self.stage(current).is_closed and not self.allow_reopen:
            raise ForbiddenMove(
                _(
                    "This opportunity is closed ({stage}) and the stage model does not allow "
                    "reopening closed deals.",
                    stage=current,
                ),
                field="stage",
            )
        return to

    @staticmethod
    def _check_not_same(current: str, to: Stage) -> None:
        if current.casefold() == to.name.casefold():
            raise ForbiddenMove(
                _("The record is already at stage {stage}.", stage=to.name), field="stage"
            )


DEFAULT_STAGE_FILE = Path(__file__).resolve().parent.parent / "defaults" / "stages.yaml"


def load_stage_model(path: Path | None = None) -> StageModel:
    """Read and validate a stage model file; errors name the file and the problem."""
    import yaml  # only where a file is read: a workspace keeps its model in its settings

    source = path or DEFAULT_STAGE_FILE
    try:
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigurationError(
            _("Cannot read the stage model {file}: {problem}", file=str(source), problem=exc)
        ) from exc
    return parse_stage_model(data, source=str(source))


def parse_stage_model(data: object, *, source: str = "<stage model>") -> StageModel:
    try:
        return StageModel.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'model'}: {err['msg']}"
            for err in exc.errors()
        )
        raise ConfigurationError(
            _("The stage model {file} is not valid: {problems}", file=source, problems=problems)
        ) from exc
